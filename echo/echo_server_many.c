/*
 * echo_server_many.c - an SCTP echo server, one-to-many style
 * (SOCK_SEQPACKET).
 *
 * What it shows: one socket, no accept(), serves every association. Each
 * recvmsg() says which association and stream a message came from
 * (SCTP_RCVINFO: rcv_assoc_id, rcv_sid); the echo goes back to the same
 * ones through SCTP_SNDINFO in sendmsg(). Associations are learnt from
 * SCTP_ASSOC_CHANGE notifications, not from accept(). With one socket
 * there is nothing to poll() over: the server sleeps in recvmsg(), so a
 * message costs two system calls, one to read it and one to echo it
 * (poll() only waits for room to send, or for the end). -t closes idle
 * associations (SCTP_AUTOCLOSE); SIGINT/SIGTERM end each one gracefully
 * with SCTP_EOF before closing the socket; SIGUSR1 prints counters.
 *
 * All associations share the socket's one send buffer (unless
 * net.sctp.sndbuf_policy=1), so a peer that never reads would, by filling
 * it, stall everybody. The server holds at most one echo it could not
 * send and stops reading until it goes; meanwhile it checks every
 * association's receive window (SCTP_STATUS sstat_rwnd) and aborts the
 * ones whose window stays closed: those peers are not reading.
 *
 * Try:
 *   terminal 1: echo/echo_server_many -v -t 30
 *   terminal 2: echo/echo_client -s 3 -m hello -m world
 *
 * Read: sctp(7), RFC 6458 sections 3 (one-to-many), 6.1.1
 * (SCTP_ASSOC_CHANGE), 8.1.8 (SCTP_AUTOCLOSE) and 8.2.1 (SCTP_STATUS).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/sctp.h>

#include "util_old.h"

/* The port of the Linux Journal article this lesson grew from. */
#define DEFAULT_PORT 2013
#define DEFAULT_ADDRESS "127.0.0.1"
/* Streams we accept and offer: Linux's own default. */
#define DEFAULT_STREAMS 10
/* Linux refuses (EMSGSIZE) to send a message larger than the send buffer,
 * so we ask for this much SO_SNDBUF; the kernel caps the request at
 * net.core.wmem_max and doubles it. What we get is the largest message we
 * can echo: a longer one is refused by aborting its association. */
#define SNDBUF_WANTED (1024 * 1024)
/* Room kept free before each recvmsg(). */
#define READ_CHUNK (64 * 1024)
/* Associations the kernel may set up before we hear of them. */
#define BACKLOG 128
/* While an echo is stuck, look at the peers' windows this often (ms)... */
#define STALL_CHECK_MS 500
/* ...and abort a peer whose window was closed this many times running. */
#define STALL_CHECKS 4
/* How long SIGTERM waits for the peers to finish the SHUTDOWN (ms). */
#define CLOSE_TIMEOUT_MS 5000
/* Messages read per poll() round, so that signals are seen in a flood. */
#define MAX_BURST 64

struct assoc {
	sctp_assoc_t id;
	char peer[INET6_ADDRSTRLEN + 16]; /* "ADDR port N" */
	unsigned long messages;
	int closed_window; /* stall checks in a row that saw rwnd 0 */
};

static volatile sig_atomic_t stop_requested, stats_requested;
static bool verbose;
static bool closing; /* SIGTERM came: ending every association */
static int sd;
static struct assoc *assocs;
static size_t nassocs, room;
static unsigned long total_messages, total_bytes;
static size_t max_message; /* our send buffer */

/* The message being assembled, and the echo in hand. */
static char *buf;
static size_t len, cap;
static struct sctp_rcvinfo info;
static bool pending; /* buf holds an echo that could not go yet */

static void
on_signal(int sig)
{
	if (sig == SIGUSR1)
		stats_requested = 1;
	else
		stop_requested = 1;
}

static void
usage(FILE *to)
{
	fprintf(to,
		"usage: %s [-a ADDR] [-p PORT] [-i STREAMS] [-t SECONDS] "
		"[-v]\n"
		"  -a ADDR     address to listen on (default %s; :: for all)\n"
		"  -p PORT     port (default %d, 0: the kernel picks one)\n"
		"  -i STREAMS  streams to accept and offer (default %d)\n"
		"  -t SECONDS  close associations idle this long "
		"(SCTP_AUTOCLOSE)\n"
		"  -v          print every message and notification\n",
		program_invocation_short_name, DEFAULT_ADDRESS, DEFAULT_PORT,
		DEFAULT_STREAMS);
}

/* The associations are kept sorted by id: every message looks its own
 * up, and a binary search stays cheap with thousands of them. Returns
 * where ID is, or where it would go. */
static size_t
assoc_slot(sctp_assoc_t id)
{
	size_t lo = 0, hi = nassocs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (assocs[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct assoc *
find_assoc(sctp_assoc_t id)
{
	size_t i = assoc_slot(id);

	return i < nassocs && assocs[i].id == id ? &assocs[i] : NULL;
}

static const char *
peer_of(sctp_assoc_t id)
{
	struct assoc *a = find_assoc(id);

	return a ? a->peer : "unknown peer";
}

/* Forget an association we aborted or cannot reach: whatever it still
 * sends is dropped (data from an unknown association is never echoed). */
static void
forget_assoc(sctp_assoc_t id)
{
	struct assoc *a = find_assoc(id);

	if (a) {
		nassocs--;
		memmove(a, a + 1, (size_t)(&assocs[nassocs] - a) * sizeof(*a));
	}
	if (info.rcv_assoc_id == id) {
		pending = false;
		len = 0;
	}
}

/* A sendmsg() with only SCTP_SNDINFO: an echo, or SCTP_EOF/SCTP_ABORT
 * for one association when data is empty. */
static ssize_t
send_to(sctp_assoc_t id, uint16_t sid, uint16_t flags, uint32_t ppid,
	const void *data, size_t size)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct sctp_sndinfo))];
		struct cmsghdr align;
	} control;
	struct sctp_sndinfo snd = { .snd_sid = sid,
				    .snd_flags = flags,
				    .snd_ppid = ppid,
				    .snd_assoc_id = id };
	struct iovec iov = { (void *)data, size };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = control.buf,
			      .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *cm = (struct cmsghdr *)control.buf;
	ssize_t n;

	memset(&control, 0, sizeof(control));
	cm->cmsg_level = IPPROTO_SCTP;
	cm->cmsg_type = SCTP_SNDINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(snd));
	memcpy(CMSG_DATA(cm), &snd, sizeof(snd));
	do
		n = sendmsg(sd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	return n;
}

static void
abort_assoc(sctp_assoc_t id, const char *why)
{
	warnx("association %d (%s): %s: aborting it", (int)id, peer_of(id),
	      why);
	if (send_to(id, 0, SCTP_ABORT, 0, NULL, 0) < 0)
		warn("sendmsg SCTP_ABORT");
	forget_assoc(id);
}

/* FROM is the recvmsg() msg_name: for a notification, the peer's
 * primary address. */
static void
assoc_change(const struct sctp_assoc_change *sac, const struct sockaddr *from)
{
	const char *state = sctp_assoc_change_name(sac->sac_state);
	struct assoc *a = find_assoc(sac->sac_assoc_id);

	if (sac->sac_state == SCTP_COMM_UP && a == NULL) {
		char s[INET6_ADDRSTRLEN];
		size_t i = assoc_slot(sac->sac_assoc_id);

		if (nassocs == room) {
			room = room ? 2 * room : 16;
			assocs = realloc(assocs, room * sizeof(*assocs));
			if (assocs == NULL)
				err(1, "realloc");
		}
		a = &assocs[i];
		memmove(a + 1, a, (nassocs++ - i) * sizeof(*a));
		*a = (struct assoc){ .id = sac->sac_assoc_id };
		snprintf(a->peer, sizeof(a->peer), "%s port %u",
			 addr_str(from, s, sizeof(s)), addr_port(from));
		printf("association %d up: %s, %u streams in, %u out\n",
		       (int)a->id, a->peer, sac->sac_inbound_streams,
		       sac->sac_outbound_streams);
		if (closing && send_to(a->id, 0, SCTP_EOF, 0, NULL, 0) < 0)
			warn("sendmsg SCTP_EOF");
		return;
	}
	if (sac->sac_state == SCTP_COMM_UP || sac->sac_state == SCTP_RESTART) {
		printf("association %d: %s\n", (int)sac->sac_assoc_id,
		       state ? state : "?");
		return;
	}
	/* COMM_LOST, SHUTDOWN_COMP, CANT_STR_ASSOC: it is gone. One we
	 * aborted or forgot was reported then. */
	if (a)
		printf("association %d closed (%s) after %lu messages\n",
		       (int)a->id, state ? state : "?", a->messages);
	forget_assoc(sac->sac_assoc_id);
}

static void
notification(const char *data, size_t size, const struct sockaddr *from)
{
	const union sctp_notification *sn = (const void *)data;
	const char *name;

	if (size < sizeof(sn->sn_header))
		return;
	name = sctp_sn_type_name(sn->sn_header.sn_type);
	if (sn->sn_header.sn_type == SCTP_ASSOC_CHANGE &&
	    size >= sizeof(sn->sn_assoc_change)) {
		const char *state =
			sctp_assoc_change_name(sn->sn_assoc_change.sac_state);

		if (verbose)
			printf("notification ASSOC_CHANGE %s\n",
			       state ? state : "?");
		assoc_change(&sn->sn_assoc_change, from);
		return;
	}
	if (verbose)
		printf("notification %s\n", name ? name : "?");
	if (sn->sn_header.sn_type == SCTP_PARTIAL_DELIVERY_EVENT &&
	    size >= sizeof(sn->sn_pdapi_event)) {
		/* The peer went away in the middle of a large message. */
		const struct sctp_pdapi_event *pd = &sn->sn_pdapi_event;

		warnx("association %d (%s): message cut short (partial "
		      "delivery aborted)",
		      (int)pd->pdapi_assoc_id, peer_of(pd->pdapi_assoc_id));
		if (info.rcv_assoc_id == pd->pdapi_assoc_id)
			len = 0;
	}
}

/* Send the echo in hand; it stays pending while the buffer is full. */
static void
send_echo(void)
{
	struct assoc *a = find_assoc(info.rcv_assoc_id);
	ssize_t n = send_to(info.rcv_assoc_id, info.rcv_sid,
			    info.rcv_flags & SCTP_UNORDERED, info.rcv_ppid, buf,
			    len);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
		pending = true;
		return;
	}
	if (n < 0) {
		/* That one peer's problem (it aborted, say): warn once. */
		warn("association %d (%s): sendmsg", (int)info.rcv_assoc_id,
		     peer_of(info.rcv_assoc_id));
		forget_assoc(info.rcv_assoc_id);
	} else if (a) {
		a->messages++;
	}
	pending = false;
	len = 0;
	if (cap > 2 * READ_CHUNK) { /* give a large message's memory back */
		free(buf);
		buf = NULL;
		cap = 0;
	}
}

/* Peers whose receive window stays closed are not reading. */
static void
check_stalled(void)
{
	for (size_t i = nassocs; i-- > 0;) {
		struct sctp_status st = { .sstat_assoc_id = assocs[i].id };
		socklen_t sl = sizeof(st);

		if (getsockopt(sd, IPPROTO_SCTP, SCTP_STATUS, &st, &sl)) {
			warn("getsockopt SCTP_STATUS");
			continue;
		}
		assocs[i].closed_window =
			st.sstat_rwnd == 0 ? assocs[i].closed_window + 1 : 0;
		if (assocs[i].closed_window >= STALL_CHECKS)
			abort_assoc(assocs[i].id,
				    "not reading (receive window closed "
				    "while the shared send buffer is full)");
	}
}

/*
 * Read until the socket is empty or an echo gets stuck. With WAIT, sleep
 * in recvmsg() itself for the next part or notification, handle it and
 * return: one system call per message to read it, one to echo it.
 */
static void
read_messages(bool wait)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct sctp_rcvinfo))];
		struct cmsghdr align;
	} control;
	struct sctp_rcvinfo part;
	struct sockaddr_storage from;
	struct iovec iov;
	struct msghdr msg;
	ssize_t n;
	int burst = 0;

	do {
		bool have_info = false;

		if (cap - len < READ_CHUNK) {
			char *p = realloc(buf, len + READ_CHUNK);

			if (p == NULL)
				err(1, "realloc");
			buf = p;
			cap = len + READ_CHUNK;
		}
		iov.iov_base = buf + len;
		iov.iov_len = cap - len;
		memset(&msg, 0, sizeof(msg));
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		n = recvmsg(sd, &msg, wait ? 0 : MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue; /* with WAIT: back to look at the signal */
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			warn("recvmsg");
			return;
		}
		if (msg.msg_flags & MSG_NOTIFICATION) {
			/* Read into the free room, handled, dropped: never
			 * part of a message, never echoed. */
			notification(iov.iov_base, (size_t)n,
				     (struct sockaddr *)&from);
			continue;
		}
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm;
		     cm = CMSG_NXTHDR(&msg, cm))
			if (cm->cmsg_level == IPPROTO_SCTP &&
			    cm->cmsg_type == SCTP_RCVINFO) {
				memcpy(&part, CMSG_DATA(cm), sizeof(part));
				have_info = true;
			}
		if (!have_info) {
			warnx("recvmsg: data without SCTP_RCVINFO, dropped");
			continue;
		}
		if (find_assoc(part.rcv_assoc_id) == NULL)
			continue; /* aborted or forgotten: drop the rest */
		if (len > 0 && part.rcv_assoc_id != info.rcv_assoc_id) {
			/* Parts of one message come together (fragment
			 * interleave level 0); anything else is stale. */
			warnx("association %d: unfinished message dropped",
			      (int)info.rcv_assoc_id);
			memmove(buf, buf + len, (size_t)n);
			len = 0;
		}
		if (len == 0)
			info = part;
		len += (size_t)n;
		if (!(msg.msg_flags & MSG_EOR)) {
			if (len > max_message) {
				abort_assoc(info.rcv_assoc_id,
					    "message longer than our send "
					    "buffer");
			}
			continue; /* more parts to come */
		}
		if (verbose)
			printf("association %d: %zu bytes on stream %u\n",
			       (int)info.rcv_assoc_id, len, info.rcv_sid);
		total_messages++;
		total_bytes += len;
		burst++;
		if (closing) { /* we sent SHUTDOWN: nothing can go back */
			len = 0;
			continue;
		}
		send_echo();
	} while (!wait && !pending && burst < MAX_BURST);
}

static void
open_socket(const char *addr, uint16_t port, unsigned streams,
	    unsigned long autoclose)
{
	struct sctp_initmsg init = { .sinit_num_ostreams = streams,
				     .sinit_max_instreams = streams };
	static const uint16_t events[] = { SCTP_ASSOC_CHANGE,
					   SCTP_SHUTDOWN_EVENT,
					   SCTP_PARTIAL_DELIVERY_EVENT };
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss), sl = sizeof(int);
	struct addrinfo *res;
	int on = 1, seconds = (int)autoclose, sndbuf = SNDBUF_WANTED;

	if (resolve(addr, port, SOCK_SEQPACKET, IPPROTO_SCTP, 1, &res) < 0) {
		usage(stderr); /* a name that does not resolve */
		exit(EXIT_USAGE);
	}
	sd = socket(res->ai_family, SOCK_SEQPACKET, IPPROTO_SCTP);
	if (sd < 0)
		err(1, "socket");
	if (setsockopt(sd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)))
		err(1, "setsockopt SO_REUSEADDR");
	if (setsockopt(sd, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init)))
		err(1, "setsockopt SCTP_INITMSG");
	if (setsockopt(sd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on)))
		err(1, "setsockopt SCTP_RECVRCVINFO");
	/* Each notification type is its own SCTP_EVENT call (RFC 6458). */
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		struct sctp_event ev = { .se_type = events[i], .se_on = 1 };

		if (setsockopt(sd, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev)))
			err(1, "setsockopt SCTP_EVENT");
	}
	/* One send buffer for every association on this socket. */
	if (setsockopt(sd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) ||
	    getsockopt(sd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl))
		err(1, "SO_SNDBUF");
	max_message = (size_t)sndbuf;
	if (autoclose && setsockopt(sd, IPPROTO_SCTP, SCTP_AUTOCLOSE, &seconds,
				    sizeof(seconds)))
		err(1, "setsockopt SCTP_AUTOCLOSE");
	if (bind(sd, res->ai_addr, res->ai_addrlen))
		err(1, "bind");
	freeaddrinfo(res);
	/* One-to-many: listen() only lets peers in; there is no accept(). */
	if (listen(sd, BACKLOG))
		err(1, "listen");
	if (getsockname(sd, (struct sockaddr *)&ss, &sslen))
		err(1, "getsockname");
	print_listening((struct sockaddr *)&ss);
}

int
main(int argc, char **argv)
{
	const char *addr = DEFAULT_ADDRESS;
	uint16_t port = DEFAULT_PORT;
	unsigned long streams = DEFAULT_STREAMS, autoclose = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	int64_t deadline = 0;
	int opt;

	while ((opt = getopt(argc, argv, "a:p:i:t:vh")) != -1) {
		switch (opt) {
		case 'a':
			addr = optarg;
			break;
		case 'p':
			if (parse_port(optarg, &port) < 0)
				goto bad;
			break;
		case 'i':
			if (parse_number(optarg, "streams", 1, UINT16_MAX,
					 &streams) < 0)
				goto bad;
			break;
		case 't':
			if (parse_number(optarg, "seconds", 1, INT_MAX,
					 &autoclose) < 0)
				goto bad;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			goto bad;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n",
			program_invocation_short_name, argv[optind]);
		goto bad;
	}

	/* No SA_RESTART: a signal wakes recvmsg() or poll() with EINTR,
	 * then we look. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGUSR1, &sa, NULL))
		err(1, "sigaction");
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		err(1, "signal");
	setvbuf(stdout, NULL, _IOLBF, 0);

	open_socket(addr, port, (unsigned)streams, autoclose);

	for (;;) {
		struct pollfd pfd = { .fd = sd };
		int timeout = -1, ready;

		if (stop_requested && !closing) {
			/* SCTP_EOF: a graceful SHUTDOWN of one association;
			 * close() would ABORT them all if data were unread. */
			closing = true;
			pending = false;
			len = 0;
			deadline = now_ns() + CLOSE_TIMEOUT_MS * 1000000LL;
			/* Backlog 0 turns a one-to-many socket away from
			 * new associations. */
			if (listen(sd, 0))
				warn("listen");
			printf("shutting down %zu associations\n", nassocs);
			for (size_t i = 0; i < nassocs; i++)
				if (send_to(assocs[i].id, 0, SCTP_EOF, 0, NULL,
					    0) < 0)
					warn("sendmsg SCTP_EOF");
		}
		if (closing) {
			int64_t left = (deadline - now_ns()) / 1000000;

			if (nassocs == 0 || left <= 0)
				break;
			timeout = (int)left;
		}
		if (stats_requested) {
			stats_requested = 0;
			printf("stats: %zu associations, %lu messages, %lu "
			       "bytes\n",
			       nassocs, total_messages, total_bytes);
		}
		if (!pending && !closing) {
			/* Only the next message to wait for: recvmsg() waits,
			 * and a signal ends the wait with EINTR. */
			read_messages(true);
			continue;
		}
		if (pending)
			timeout = STALL_CHECK_MS;
		pfd.events = pending ? POLLOUT : POLLIN;
		ready = poll(&pfd, 1, timeout);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			err(1, "poll");
		if (ready == 0 && pending)
			check_stalled();
		if (pending && (pfd.revents & POLLOUT))
			send_echo();
		if (!pending && (pfd.revents & (POLLIN | POLLERR)))
			read_messages(false);
		if (!pending)
			for (size_t i = 0; i < nassocs; i++)
				assocs[i].closed_window = 0;
	}
	close(sd);
	printf("stopped after %lu messages\n", total_messages);
	free(buf);
	free(assocs);
	return 0;
bad:
	usage(stderr);
	return EXIT_USAGE;
}
