/* SPDX-License-Identifier: 0BSD */
/*
 * assoc.h - what assoc_server and assoc_client share: the options both
 * have (-a -p -T -Q -t; set once, by the command line, and read below),
 * the state SCTP_STATUS reports, a timestamped line per event, and what
 * either end does with an association: fill its send buffer (-Q), wait
 * for a shutdown to settle, read it to the end (-t: late).
 */
#ifndef ASSOC_H
#define ASSOC_H

#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <netinet/in.h> /* before netinet/sctp.h, which needs it */
#include <netinet/sctp.h>

#include "util.h"

#define ASSOC_PORT 2013 /* the echo servers', for the client's -I */
#define CHUNK 4096	/* bytes per send while filling, per recv */
#define POLL_MS 10	/* how often the state is looked at */
#define FULL_MS 500	/* no room for this long: the buffer stays full */
#define SETTLE_MS 2000	/* at most, for a SHUTDOWN_COMPLETE to come */

static const char *host;		/* -a; NULL: the program's default */
static unsigned long port = ASSOC_PORT; /* -p */
static int protocol = IPPROTO_SCTP;	/* -T: IPPROTO_TCP */
static bool fill_first;			/* -Q */
static unsigned long wait;		/* -t: seconds before reading */

/* One of the options both programs have: true, or false for any other. */
static inline bool
common_option(int opt, const char *options)
{
	if (opt == 'a')
		host = optarg;
	else if (opt == 'p')
		port = number_arg(optarg, "port", 0, 65535, options);
	else if (opt == 'T')
		protocol = IPPROTO_TCP;
	else if (opt == 't')
		wait = number_arg(optarg, "seconds", 0, 3600, options);
	else if (opt == 'Q')
		fill_first = true;
	else
		return false;
	return true;
}

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
	"SHUTDOWN_ACK_SENT" /* the last: SCTP_SHUTDOWN_ACK_SENT */
};

/* FD's association state ("" on TCP); once it has ended, CLOSED. */
static inline const char *
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
static inline void __attribute__((format(printf, 2, 3)))
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
 * way, is not full yet). Returns -1 when an ABORT ended the association
 * meanwhile (send() says EPIPE, ECONNRESET or EINVAL; CLOSED): nothing
 * is left to read or say. After the peer's SHUTDOWN (EPIPE), 0: read on.
 */
static inline int
fill(int fd)
{
	static char buf[CHUNK];
	struct pollfd room = { .fd = fd, .events = POLLOUT };
	unsigned long total = 0;
	int why;

	for (;;) {
		if (send(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_NOSIGNAL) > 0)
			total += sizeof(buf);
		else if (errno != EAGAIN || poll(&room, 1, FULL_MS) != 1)
			break;
	}
	/* poll() timed out (0): errno is still send()'s EAGAIN. Taken now:
	 * state() may set it (GCC and Clang evaluate arguments in turn). */
	why = errno;
	say(state(fd), "queued %lu bytes: %s", total,
	    why == EAGAIN ? "the buffer is full" : strerror(why));
	return why != EAGAIN && strcmp(state(fd), "CLOSED") == 0 ? -1 : 0;
}

/* Wait, at most SETTLE_MS, while FD's association is in state ST ("":
 * any but CLOSED): a shutdown's last steps take a round trip. */
static inline void
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
static inline int
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
#endif /* ASSOC_H */
