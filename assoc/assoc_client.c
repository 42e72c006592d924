/* SPDX-License-Identifier: 0BSD */
/*
 * assoc_client - an association's life, the client's side: how it starts
 * and how it ends, and the states SCTP_STATUS reports on the way; each
 * option is one lesson, and -T runs the same steps over TCP, for the
 * contrast.
 *
 * The client connects, sends a message, then by default shutdown(SHUT_WR),
 * which on SCTP ends the association both ways (no half-close), and reads
 * until end of file, printing each change of state. -X and -U end with
 * ABORT instead, -W lets the server end it, and -I sends on a one-to-many
 * socket with no connect() at all: the message sets the association up.
 *
 * Try:
 *   terminal 1: assoc/assoc_server -t 2
 *   terminal 2: assoc/assoc_client -Q      (SHUTDOWN_PENDING for 2 s)
 *
 * Read: sctp(7), shutdown(2), socket(7) (SO_LINGER), RFC 6458 section
 * 8.2.1 (SCTP_STATUS), RFC 9260 sections 4, 5 and 9.
 */
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <sys/socket.h>

#include "assoc.h"

#define WAIT_MS 10000 /* -U, -I: how long to wait for the server */

static const char options[] =
	"[-a ADDR] [-p PORT] [-T | -I] [-m TEXT] [-Q] [-t SECONDS]\n"
	"       [-W | -X | -U] [-h]\n"
	"  -a ADDR     address to connect to (default 127.0.0.1)\n"
	"  -p PORT     port (default 2013)\n"
	"  -T          TCP instead of SCTP, for the contrast\n"
	"  -I          one-to-many: send with no connect(), print the answer\n"
	"  -m TEXT     the message (default hello)\n"
	"  -Q          queue data until the send buffer is full\n"
	"  -t SECONDS  wait SECONDS before reading (a slow reader)\n"
	"  -W          no shutdown(), read until the server ends it\n"
	"  -X          close() with SO_LINGER {1, 0}: ABORT\n"
	"  -U          close() with the server's data unread: ABORT\n"
	"  -h          this help (also --help)\n";

/* Connect (-I: not), send TEXT, end as END (-W, -X, -U) says, or SHUT_WR. */
static void
client(const struct sockaddr_storage *ss, socklen_t len, const char *text,
       bool one_to_many, int end)
{
	int fd = socket(ss->ss_family,
			one_to_many ? SOCK_SEQPACKET : SOCK_STREAM, protocol);
	struct linger now = { .l_onoff = 1, .l_linger = 0 };
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char buf[CHUNK], peer[ADDR_STRLEN];
	ssize_t n;

	if (fd < 0)
		err(1, "socket");
	addr_str((const void *)ss, peer);
	if (!one_to_many && connect(fd, (const void *)ss, len) < 0)
		err(1, "connect");
	/* -I: no association yet, so this sets one up, the message too. */
	if (sendto(fd, text, strlen(text), MSG_NOSIGNAL,
		   one_to_many ? (const void *)ss : NULL,
		   one_to_many ? len : 0) < 0)
		err(1, "send");
	say(one_to_many ? "" : state(fd), "sent %zu bytes to %s%s",
	    strlen(text), peer, one_to_many ? ", with no connect()" : "");
	if (fill_first && fill(fd) < 0)
		return; /* aborted: nothing left to read or say */
	/* Linger 0 s: throw away whatever is queued, ABORT at once. */
	if (end == 'X' &&
	    setsockopt(fd, SOL_SOCKET, SO_LINGER, &now, sizeof(now)) < 0)
		err(1, "setsockopt SO_LINGER");
	/* -U: data unread at close() is data the program lost: ABORT. */
	if ((end == 'U' || one_to_many) && poll(&p, 1, WAIT_MS) <= 0)
		errx(1, "no data from %s", peer);
	if (end == 'U')
		say(state(fd), "data from %s, unread", peer);
	if (one_to_many && (n = recv(fd, buf, sizeof(buf), 0)) < 0)
		err(1, "recv");
	if (one_to_many)
		say("", "received %.*s", (int)n, buf);
	/* SHUT_WR ends the association both ways: no half-close. */
	if (!end && !one_to_many && shutdown(fd, SHUT_WR) < 0)
		err(1, "shutdown");
	if (!end && !one_to_many)
		say(state(fd), "shutdown(SHUT_WR)");
	if ((!end || end == 'W') && !one_to_many && drain(fd, state(fd)) < 0)
		exit(1);
	/* -X, -U: ABORT. -I: every association of the socket ends. */
	if (close(fd) < 0)
		err(1, "close");
	say("", "closed");
}

int
main(int argc, char **argv)
{
	const char *text = "hello";
	bool one_to_many = false;
	struct sockaddr_storage ss;
	int opt, end = 0;
	socklen_t len;

	while ((opt = next_opt(argc, argv, ":a:p:TIm:Qt:WXUh", options)) !=
	       -1) {
		if (opt == 'm')
			text = optarg;
		else if (opt == 'I')
			one_to_many = true;
		else if (strchr("WXU", opt))
			end = opt; /* the last one given */
		else
			common_option(opt, options);
	}
	if (!*text)
		usage_error(options, "-m", "a message has one byte at least");
	len = addr_arg(host ? host : "127.0.0.1", (unsigned)port, protocol, &ss,
		       options);
	client(&ss, len, text, one_to_many, end);
	return 0;
}
