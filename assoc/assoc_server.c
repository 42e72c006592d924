/* SPDX-License-Identifier: 0BSD */
/*
 * assoc_server - an association's life, the server's side: it reads until
 * end of file, then tries a late answer: SCTP refuses (an association has
 * no half-close), TCP (-T) sends. -Q fills its send buffer first, so its
 * data stays unacknowledged while the client does not read; -B ends one
 * association itself, then binds its port again: no TIME_WAIT on SCTP.
 *
 * Try:
 *   terminal 1: assoc/assoc_server -t 2
 *   terminal 2: assoc/assoc_client -Q      (SHUTDOWN_PENDING for 2 s)
 *
 * Read: sctp(7), shutdown(2), bind(2), RFC 6458 section 8.2.1
 * (SCTP_STATUS), RFC 9260 sections 4 and 9.
 */
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <sys/socket.h>

#include "assoc.h"

static const char options[] =
	"[-a ADDR] [-p PORT] [-T] [-Q] [-t SECONDS] [-B] [-h]\n"
	"  -a ADDR     address to listen on (default: every address)\n"
	"  -p PORT     port (default 2013; 0: the kernel picks one)\n"
	"  -T          TCP instead of SCTP, for the contrast\n"
	"  -Q          queue data until the send buffer is full\n"
	"  -t SECONDS  wait SECONDS before reading (a slow reader)\n"
	"  -B          end one association first, close, bind again\n"
	"  -h          this help (also --help)\n";

static bool once; /* -B */

/* One association: read to the end, answer late. */
static void
serve(int fd)
{
	static const char late[] = "late answer";
	char buf[CHUNK];

	if (fill_first && fill(fd) < 0)
		return; /* aborted: nothing left to read or say */
	/* -B: one message, then it ends the association first, as a server
	 * that stops; SCTP frees the port once SHUTDOWN_COMPLETE is in. */
	if (once && recv(fd, buf, sizeof(buf), 0) < 0)
		err(1, "recv");
	if (once && protocol == IPPROTO_SCTP) {
		if (shutdown(fd, SHUT_WR) < 0)
			err(1, "shutdown");
		settle(fd, "");
	}
	if (once)
		return;
	if (drain(fd, state(fd)) < 0)
		return;
	/* SCTP: the association is ending, nothing more may go out. */
	say(send(fd, late, strlen(late), MSG_NOSIGNAL) < 0 ? strerror(errno)
							   : "11 bytes sent",
	    "send after end of file");
}

static int
listener(const struct sockaddr_storage *ss, socklen_t len)
{
	int fd = socket(ss->ss_family, SOCK_STREAM, protocol);

	if (fd < 0)
		err(1, "socket");
	/* No SO_REUSEADDR, on purpose: -B shows SCTP does not need it. */
	if (bind(fd, (const struct sockaddr *)ss, len) < 0)
		err(1, "bind");
	if (listen(fd, SOMAXCONN) < 0)
		err(1, "listen");
	print_listening(fd);
	return fd;
}

/* One association at a time (a lab, not a service); -B: one, then again. */
static void
server(struct sockaddr_storage *ss, socklen_t len)
{
	int lfd = listener(ss, len), fd;
	char peer[ADDR_STRLEN];

	for (;;) {
		socklen_t plen = sizeof(*ss);

		if ((fd = accept(lfd, (struct sockaddr *)ss, &plen)) < 0) {
			accept_failed();
			continue;
		}
		say(state(fd), "association with %s",
		    addr_str((void *)ss, peer));
		serve(fd);
		if (close(fd) < 0)
			err(1, "close");
		if (once)
			break;
	}
	/* -B: the port it had, to bind again. */
	if (getsockname(lfd, (struct sockaddr *)ss, &len) < 0)
		err(1, "getsockname");
	if (close(lfd) < 0)
		err(1, "close");
	/* TCP: the connection it closed first holds the port (TIME_WAIT). */
	say("", "closed; binding the port again, without SO_REUSEADDR");
	close(listener(ss, len));
}

int
main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int opt;

	while ((opt = next_opt(argc, argv, ":a:p:TQt:Bh", options)) != -1) {
		if (opt == 'B')
			once = true;
		else
			common_option(opt, options);
	}
	len = addr_arg(host, (unsigned)port, protocol, &ss, options);
	server(&ss, len);
	return 0;
}
