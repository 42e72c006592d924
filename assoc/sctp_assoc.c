/* SPDX-License-Identifier: 0BSD */
/*
 * sctp_assoc - an association's life: how it starts, how it ends, and the
 * states SCTP_STATUS reports on the way; each option is one lesson, and
 * -T runs the same steps over TCP, for the contrast.
 *
 * The client connects, sends a message, then by default shutdown(SHUT_WR),
 * which on SCTP ends the association both ways (no half-close), and reads
 * until end of file, printing each change of state. The server (-L) reads
 * until end of file, then tries a late answer: SCTP refuses, TCP sends.
 *
 * Try:
 *   terminal 1: assoc/sctp_assoc -L -t 2
 *   terminal 2: assoc/sctp_assoc -Q      (SHUTDOWN_PENDING for 2 s)
 *
 * Read: sctp(7), shutdown(2), socket(7) (SO_LINGER), RFC 6458 section
 * 8.2.1 (SCTP_STATUS), RFC 9260 sections 4, 5 and 9.
 */
#include <poll.h>
#include <stdarg.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <sys/socket.h>

#include "util.h"

#define DEFAULT_PORT 2013 /* the echo servers', for -I */
#define CHUNK 4096	  /* bytes per send while filling, per recv */
#define POLL_MS 10	  /* how often the state is looked at */
#define FULL_MS 500	  /* no room for this long: the buffer stays full */
#define SETTLE_MS 2000	  /* at most, for a SHUTDOWN_COMPLETE to come */
#define WAIT_MS 10000	  /* -U, -I: how long to wait for the server */

static const char options[] =
	"[-L] [-a ADDR] [-p PORT] [-T | -I] [-m TEXT] [-Q] [-t SECONDS]\n"
	"       [-W | -X | -U] [-B] [-h]\n"
	"  -L          server: read until end of file, then a late answer\n"
	"  -a ADDR     address to listen on (default: every address) or to\n"
	"              connect to (default 127.0.0.1)\n"
	"  -p PORT     port (default 2013; 0 with -L: the kernel picks one)\n"
	"  -T          TCP instead of SCTP, for the contrast\n"
	"  -I          one-to-many: send with no connect(), print the answer\n"
	"  -m TEXT     the client's message (default hello)\n"
	"  -Q          queue data until the send buffer is full\n"
	"  -t SECONDS  wait SECONDS before reading (a slow reader)\n"
	"  -W          client: no shutdown(), read until the server ends it\n"
	"  -X          client: close() with SO_LINGER {1, 0}: ABORT\n"
	"  -U          client: close() with the server's data unread: ABORT\n"
	"  -B          server: end one association first, close, bind again\n"
	"  -h          this help (also --help)\n";

static int protocol = IPPROTO_SCTP, fill_first, once, end;
static unsigned long wait;

/* sstat_state, by number (enum sctp_sstat_state in linux/sctp.h). */
static const char *const state_names[] = {
	"EMPTY",
	"CLOSED",
	"COOKIE_WAIT",
	"COOKIE_ECHOED",
	"ESTABLISHED",
	"SHUTDOWN_PENDING",
	"SHUTDOWN_SENT",
	"SHUTDOWN_RECEIVED",
	"SHUTDOWN_ACK_SENT", /* the last: SCTP_SHUTDOWN_ACK_SENT */
};

/* FD's association state ("" on TCP); once it has ended, CLOSED. */
static const char *
state(int fd)
{
	struct sctp_status st = { 0 };
	socklen_t len = sizeof(st);

	if (protocol != IPPROTO_SCTP)
		return "";
	/* A one-to-one socket whose association has ended has none. */
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_STATUS, &st, &len) < 0) {
		if (errno != EINVAL)
			err(1, "getsockopt SCTP_STATUS");
		return "CLOSED";
	}
	if (st.sstat_state < 0 || st.sstat_state > SCTP_SHUTDOWN_ACK_SENT)
		return "?";
	return state_names[st.sstat_state];
}

/* One line, "TIME WHAT: STATE", flushed at once. */
static void __attribute__((format(printf, 2, 3)))
say(const char *st, const char *fmt, ...)
{
	char now[32], what[ADDR_STRLEN + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	printf("%s %s%s%s\n", clock_str(now, sizeof(now)), what,
	       *what && *st ? ": " : "", st);
	fflush(stdout);
}

/*
 * Send until the send buffer stays full: the peer does not read, and its
 * window is shut (a buffer full for a moment, while SACKs are on their
 * way, is not full yet). Returns -1 when the peer ended the association
 * meanwhile (an ABORT; send() says EPIPE, ECONNRESET or EINVAL).
 */
static int
fill(int fd)
{
	static char buf[CHUNK];
	struct pollfd room = { .fd = fd, .events = POLLOUT };
	unsigned long total = 0;

	for (;;) {
		if (send(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL) > 0)
			total += sizeof(buf);
		else if (errno != EAGAIN || poll(&room, 1, FULL_MS) != 1)
			break;
	}
	/* poll() timed out (0): errno is still send()'s EAGAIN. */
	say(state(fd), "queued %lu bytes: %s", total,
	    errno == EAGAIN ? "the buffer is full" : strerror(errno));
	return errno == EAGAIN ? 0 : -1;
}

/* Wait, at most SETTLE_MS, while FD's association is in state ST ("":
 * any but CLOSED): a shutdown's last steps take a round trip. */
static void
settle(int fd, const char *st)
{
	for (int i = 0; i < SETTLE_MS / POLL_MS; i++) {
		const char *now = state(fd);

		if (strcmp(now, "CLOSED") == 0 || (*st && strcmp(now, st) != 0))
			break;
		poll(NULL, 0, POLL_MS);
	}
}

/*
 * Watch the state for -t seconds without reading, then read to the end;
 * print each change of state after LAST, then how it ended: end of file
 * (the peer's SHUTDOWN), ENOTCONN (ours has completed: the association
 * is gone) or ECONNRESET (an ABORT). Returns 0, or -1 for an ABORT.
 */
static int
drain(int fd, const char *last)
{
	time_t start = time(NULL);
	char buf[CHUNK];
	ssize_t n = 1;
	long total = 0;

	while (n > 0) {
		if (strcmp(state(fd), last) != 0)
			say(last = state(fd), "%s", "");
		if (time(NULL) - start < (time_t)wait)
			poll(NULL, 0, POLL_MS);
		else if ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
			total += n;
	}
	if (n < 0 && errno != ENOTCONN) {
		say(strerror(errno), "recv");
		return -1;
	}
	/* End of file: the peer's SHUTDOWN is in; ours ends one round trip
	 * later, when SHUTDOWN_COMPLETE comes. Report it settled. */
	settle(fd, "SHUTDOWN_ACK_SENT");
	say(state(fd), "%s after %ld bytes",
	    n == 0 ? "end of file" : "association gone", total);
	return 0;
}

/* The server's side of one association: read to the end, answer late. */
static void
serve(int fd)
{
	static const char late[] = "late answer";
	char buf[CHUNK];

	/* A peer's SHUTDOWN ends the filling too (EPIPE): then read on. */
	if (fill_first && fill(fd) < 0 && strcmp(state(fd), "CLOSED") == 0)
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

/* Connect (-I: not), send TEXT, end as -W, -X, -U say, or SHUT_WR. */
static void
client(const struct sockaddr_storage *ss, socklen_t len, const char *text,
       int one_to_many)
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
	/* A peer's SHUTDOWN ends the filling too (EPIPE): then read on. */
	if (fill_first && fill(fd) < 0 && strcmp(state(fd), "CLOSED") == 0)
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
	const char *host = NULL, *text = "hello";
	unsigned long port = DEFAULT_PORT;
	int opt, listening = 0, one_to_many = 0;
	struct sockaddr_storage ss;
	socklen_t len;

	while ((opt = next_opt(argc, argv, ":La:p:TIm:Qt:WXUBh", options)) !=
	       -1) {
		if (opt == 'a')
			host = optarg;
		else if (opt == 'p')
			port = number_arg(optarg, "port", 0, 65535, options);
		else if (opt == 'm')
			text = optarg;
		else if (opt == 't')
			wait = number_arg(optarg, "seconds", 0, 3600, options);
		else if (strchr("WXU", opt))
			end = opt; /* the last one given */
		listening |= opt == 'L';
		one_to_many |= opt == 'I';
		fill_first |= opt == 'Q';
		once |= opt == 'B';
		if (opt == 'T')
			protocol = IPPROTO_TCP;
	}
	if (!*text)
		usage_error(options, "-m", "a message has one byte at least");
	len = addr_arg(host || listening ? host : "127.0.0.1", (unsigned)port,
		       protocol, &ss, options);
	if (listening)
		server(&ss, len);
	else
		client(&ss, len, text, one_to_many);
	return 0;
}
