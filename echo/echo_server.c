/*
 * echo_server.c - an SCTP echo server, one-to-one style (SOCK_STREAM).
 *
 * What it shows: a TCP server becomes an SCTP server by changing
 * IPPROTO_TCP to IPPROTO_SCTP in socket(). The same file builds as
 * tcp_echo_server with -DUSE_TCP (see echo/README.md for the diff). What
 * SCTP adds on top: each recvmsg() returns at most one message (MSG_EOR
 * marks its end, a large one comes in parts), the stream it arrived on
 * (SCTP_RCVINFO), and notifications mixed with the data (MSG_NOTIFICATION)
 * that must never be echoed.
 *
 * One process serves every client with poll(). Sockets are nonblocking and
 * each client holds at most one echo in hand: while that echo cannot be
 * sent (the client is not reading), the server stops reading from that
 * client only, so a client that never reads stalls itself and nobody else.
 * SIGINT/SIGTERM close every association gracefully (SHUTDOWN, not
 * ABORT); SIGUSR1 prints counters.
 *
 * Try:
 *   terminal 1: echo/echo_server -v
 *   terminal 2: printf 'one\ntwo\n' | echo/echo_client
 *
 * Read: sctp(7), recvmsg(2), sendmsg(2), poll(2), RFC 6458 sections 5.3.2
 * (SCTP_SNDINFO) and 5.3.5 (SCTP_RCVINFO).
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

/* The only lines that differ between the SCTP server and its TCP twin. */
#ifdef USE_TCP
#define PROTOCOL IPPROTO_TCP
/* TCP has no messages: whatever one read returns is echoed as it is. */
#define END_OF_MESSAGE(flags) true
#else
#define PROTOCOL IPPROTO_SCTP
#define END_OF_MESSAGE(flags) ((flags & MSG_EOR) != 0)
#endif

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
/* Room kept free before each recvmsg(), and the buffer a client keeps. */
#define READ_CHUNK (64 * 1024)
/* Milliseconds between HEARTBEATs on an idle path (Linux: 30000). */
#define HEARTBEAT_MS 5000
/* Pending connections the kernel may queue before we accept them. */
#define BACKLOG 128
/* Messages served from one client per poll() round, so that a client
 * that keeps sending cannot starve the others. */
#define MAX_BURST 16

struct client {
	int fd;
	char peer[INET6_ADDRSTRLEN + 16]; /* "ADDR port N", for messages */
	char *buf;			  /* the message being assembled */
	size_t len, cap;
	bool have_info; /* an SCTP_RCVINFO came with the message */
	struct sctp_rcvinfo info;
	bool echoing;	  /* buf holds a complete message being sent back */
	size_t sent;	  /* bytes of it already accepted by the kernel */
	bool skip_notify; /* inside a notification longer than our room */
	unsigned long messages;
};

static volatile sig_atomic_t stop_requested, stats_requested;
static bool verbose;
static unsigned long total_messages, total_bytes;
static size_t max_message; /* our send buffer */

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
		"usage: %s [-a ADDR] [-p PORT] [-i STREAMS] [-v]\n"
		"  -a ADDR     address to listen on (default %s; :: for all)\n"
		"  -p PORT     port (default %d, 0: the kernel picks one)\n"
		"  -i STREAMS  streams to accept and offer (default %d)\n"
		"  -v          print every message and notification\n",
		program_invocation_short_name, DEFAULT_ADDRESS, DEFAULT_PORT,
		DEFAULT_STREAMS);
}

/* SCTP-only setup; the TCP twin has nothing to set. Accepted sockets
 * inherit all of it from the listening socket. */
static void
setup_sctp(int fd, unsigned streams)
{
#ifndef USE_TCP
	struct sctp_initmsg init = { .sinit_num_ostreams = streams,
				     .sinit_max_instreams = streams };
	struct sctp_paddrparams hb = { .spp_assoc_id = SCTP_FUTURE_ASSOC,
				       .spp_hbinterval = HEARTBEAT_MS,
				       .spp_flags = SPP_HB_ENABLE };
	int on = 1;
	/* Each notification type is its own SCTP_EVENT call (RFC 6458). */
	static const uint16_t events[] = { SCTP_ASSOC_CHANGE,
					   SCTP_SHUTDOWN_EVENT,
					   SCTP_PARTIAL_DELIVERY_EVENT };

	if (setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init)))
		err(1, "setsockopt SCTP_INITMSG");
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on)))
		err(1, "setsockopt SCTP_RECVRCVINFO");
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++) {
		struct sctp_event ev = { .se_type = events[i], .se_on = 1 };

		if (setsockopt(fd, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev)))
			err(1, "setsockopt SCTP_EVENT");
	}
	/*
	 * SCTP watches every idle path with HEARTBEATs (TCP has no such
	 * thing on by default). A client gone without a word is found at
	 * the next one: its host answers with an ABORT. Linux sends them
	 * every 30 s; every few seconds frees a dead client's socket
	 * sooner, and covers for an ABORT the kernel can lose when it comes
	 * during accept() (seen on Linux 6.1, once in ~1000 quick
	 * connect/abort cycles: the association stays ESTABLISHED).
	 */
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &hb,
		       sizeof(hb)))
		err(1, "setsockopt SCTP_PEER_ADDR_PARAMS");
#else
	(void)fd;
	(void)streams;
#endif
}

static void
print_notification(struct client *c, const char *buf, size_t len)
{
	const union sctp_notification *sn = (const void *)buf;
	const char *name;

	if (!verbose || len < sizeof(sn->sn_header))
		return;
	name = sctp_sn_type_name(sn->sn_header.sn_type);
	if (sn->sn_header.sn_type == SCTP_ASSOC_CHANGE &&
	    len >= sizeof(sn->sn_assoc_change))
		printf("%s: notification ASSOC_CHANGE %s\n", c->peer,
		       sctp_assoc_change_name(sn->sn_assoc_change.sac_state));
	else if (name)
		printf("%s: notification %s\n", c->peer, name);
	else
		printf("%s: notification type %u\n", c->peer,
		       sn->sn_header.sn_type);
}

/* Try to send the echo in hand. Returns 0, or -1 if the client is gone.
 * An SCTP sendmsg() takes the whole message or nothing; a TCP one may
 * take part of it, hence c->sent. */
static int
send_echo(struct client *c)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct sctp_sndinfo))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { c->buf + c->sent, c->len - c->sent };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (c->have_info) {
		/* Back on the stream it came on, ordered or not as it came. */
		struct cmsghdr *cm = (struct cmsghdr *)control.buf;
		struct sctp_sndinfo snd = {
			.snd_sid = c->info.rcv_sid,
			.snd_flags = c->info.rcv_flags & SCTP_UNORDERED,
			.snd_ppid = c->info.rcv_ppid,
		};

		memset(&control, 0, sizeof(control));
		cm->cmsg_level = IPPROTO_SCTP;
		cm->cmsg_type = SCTP_SNDINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(snd));
		memcpy(CMSG_DATA(cm), &snd, sizeof(snd));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
	}
	while (c->sent < c->len) {
		n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0; /* not reading: wait for POLLOUT */
		if (n < 0) {
			warn("%s: sendmsg", c->peer);
			return -1;
		}
		c->sent += (size_t)n;
		iov.iov_base = c->buf + c->sent;
		iov.iov_len = c->len - c->sent;
	}
	c->echoing = false;
	c->len = 0;
	c->messages++;
	if (c->cap > 2 * READ_CHUNK) {
		/* Give a large message's memory back: memory stays flat. */
		free(c->buf);
		c->buf = NULL;
		c->cap = 0;
	}
	return 0;
}

/* Read what is there. Returns 0, or -1 when the client is done or gone. */
static int
read_client(struct client *c)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct sctp_rcvinfo))];
		struct cmsghdr align;
	} control;
	struct iovec iov;
	struct msghdr msg;
	ssize_t n;
	int burst = 0;

	while (!c->echoing && burst < MAX_BURST) {
		if (c->cap - c->len < READ_CHUNK) {
			char *p = realloc(c->buf, c->len + READ_CHUNK);

			if (p == NULL)
				err(1, "realloc");
			c->buf = p;
			c->cap = c->len + READ_CHUNK;
		}
		iov.iov_base = c->buf + c->len;
		iov.iov_len = c->cap - c->len;
		memset(&msg, 0, sizeof(msg));
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		n = recvmsg(c->fd, &msg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0) {
			warn("%s: recvmsg", c->peer);
			return -1;
		}
		if (n == 0)
			return -1; /* the peer shut down */
		if (msg.msg_flags & MSG_NOTIFICATION) {
			/* Read into the free room and dropped from there: a
			 * notification is never part of the message. */
			if (!c->skip_notify)
				print_notification(c, iov.iov_base, (size_t)n);
			c->skip_notify = !(msg.msg_flags & MSG_EOR);
			continue;
		}
		if (c->len == 0) {
			struct cmsghdr *cm;

			c->have_info = false;
			for (cm = CMSG_FIRSTHDR(&msg); cm;
			     cm = CMSG_NXTHDR(&msg, cm))
				if (cm->cmsg_level == IPPROTO_SCTP &&
				    cm->cmsg_type == SCTP_RCVINFO) {
					memcpy(&c->info, CMSG_DATA(cm),
					       sizeof(c->info));
					c->have_info = true;
				}
		}
		c->len += (size_t)n;
		if (!END_OF_MESSAGE(msg.msg_flags)) {
			if (c->len > max_message) {
				warnx("%s: message longer than our send "
				      "buffer (%zu bytes): aborting",
				      c->peer, max_message);
				return -1;
			}
			continue; /* more parts to come */
		}
		if (verbose)
			printf("%s: %zu bytes on stream %u\n", c->peer, c->len,
			       c->have_info ? c->info.rcv_sid : 0);
		total_messages++;
		total_bytes += c->len;
		burst++;
		c->echoing = true;
		c->sent = 0;
		if (send_echo(c) < 0)
			return -1;
	}
	return 0;
}

/* A peer that vanished or misbehaved: ABORT rather than wait for it. */
static void
drop_client(struct client *c, bool abort)
{
	if (abort) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		if (setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
			warn("%s: setsockopt SO_LINGER", c->peer);
	}
	printf("closed %s after %lu messages\n", c->peer, c->messages);
	close(c->fd);
	free(c->buf);
}

/* Unread data makes close() send ABORT instead of SHUTDOWN (sctp(7)
 * follows TCP here), so read and drop whatever is left first. */
static void
close_gracefully(struct client *c)
{
	char scratch[READ_CHUNK];

	while (recv(c->fd, scratch, sizeof(scratch), MSG_DONTWAIT) > 0)
		;
	drop_client(c, false);
}

static int
open_listener(const char *addr, uint16_t port, unsigned streams)
{
	struct addrinfo *res;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss), sl = sizeof(int);
	int fd, on = 1, sndbuf = SNDBUF_WANTED;

	if (resolve(addr, port, SOCK_STREAM, PROTOCOL, 1, &res) < 0) {
		usage(stderr); /* a name that does not resolve */
		exit(EXIT_USAGE);
	}
	/* The article's one change: IPPROTO_TCP becomes IPPROTO_SCTP. */
	fd = socket(res->ai_family, SOCK_STREAM, PROTOCOL);
	if (fd < 0)
		err(1, "socket");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)))
		err(1, "setsockopt SO_REUSEADDR");
	setup_sctp(fd, streams);
	/* Accepted sockets inherit the send buffer size. */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)) ||
	    getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl))
		err(1, "SO_SNDBUF");
	max_message = (size_t)sndbuf;
	if (bind(fd, res->ai_addr, res->ai_addrlen))
		err(1, "bind");
	freeaddrinfo(res);
	if (listen(fd, BACKLOG))
		err(1, "listen");
	if (fcntl(fd, F_SETFL, O_NONBLOCK))
		err(1, "fcntl");
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen))
		err(1, "getsockname");
	print_listening((struct sockaddr *)&ss);
	return fd;
}

int
main(int argc, char **argv)
{
	const char *addr = DEFAULT_ADDRESS;
	uint16_t port = DEFAULT_PORT;
	unsigned long streams = DEFAULT_STREAMS;
	struct client *clients = NULL;
	struct pollfd *pfds = NULL;
	size_t nclients = 0, room = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	int opt, lfd;

	while ((opt = getopt(argc, argv, "a:p:i:vh")) != -1) {
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

	/* No SA_RESTART: a signal wakes poll() with EINTR, then we look. */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL) ||
	    sigaction(SIGUSR1, &sa, NULL))
		err(1, "sigaction");
	/* A write to a peer that is gone must be an EPIPE, not our death. */
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		err(1, "signal");
	setvbuf(stdout, NULL, _IOLBF, 0);

	lfd = open_listener(addr, port, (unsigned)streams);

	while (!stop_requested) {
		int ready;

		if (room < nclients + 1) {
			room = 2 * (nclients + 1);
			pfds = realloc(pfds, room * sizeof(*pfds));
			clients = realloc(clients, room * sizeof(*clients));
			if (pfds == NULL || clients == NULL)
				err(1, "realloc");
		}
		pfds[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (size_t i = 0; i < nclients; i++)
			pfds[i + 1] = (struct pollfd){
				.fd = clients[i].fd,
				.events = clients[i].echoing ? POLLOUT : POLLIN,
			};
		ready = poll(pfds, nclients + 1, -1);
		if (stats_requested) {
			stats_requested = 0;
			printf("stats: %zu clients, %lu messages, %lu bytes\n",
			       nclients, total_messages, total_bytes);
		}
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			err(1, "poll");

		/* Clients first: pfds[] still matches clients[] here. */
		for (size_t i = nclients; i-- > 0;) {
			struct client *c = &clients[i];
			short re = pfds[i + 1].revents;
			int rc = 0;

			if (re == 0)
				continue;
			if (c->echoing && (re & (POLLOUT | POLLERR | POLLHUP)))
				rc = send_echo(c);
			if (rc == 0 && !c->echoing)
				rc = read_client(c);
			if (rc < 0) {
				/* Mid-message or failed: nothing graceful
				 * is left to do with this peer. */
				if (c->len > 0 && !c->echoing)
					warnx("%s: %zu bytes of an unfinished "
					      "message dropped",
					      c->peer, c->len);
				drop_client(c, c->len > 0);
				clients[i] = clients[--nclients];
			}
		}
		if (pfds[0].revents & POLLIN) {
			struct sockaddr_storage ss;
			socklen_t sslen = sizeof(ss);
			struct client *c;
			char a[INET6_ADDRSTRLEN];
			int fd = accept(lfd, (struct sockaddr *)&ss, &sslen);

			if (fd < 0) {
				/* A peer that aborted before we accepted it,
				 * or out of descriptors: not fatal. */
				if (errno != EAGAIN && errno != EWOULDBLOCK &&
				    errno != EINTR)
					warn("accept");
				continue;
			}
			if (fcntl(fd, F_SETFL, O_NONBLOCK)) {
				warn("fcntl");
				close(fd);
				continue;
			}
			c = &clients[nclients++];
			*c = (struct client){ .fd = fd };
			snprintf(c->peer, sizeof(c->peer), "%s port %u",
				 addr_str((struct sockaddr *)&ss, a, sizeof(a)),
				 addr_port((struct sockaddr *)&ss));
			printf("accepted %s\n", c->peer);
		}
	}

	close(lfd);
	for (size_t i = 0; i < nclients; i++)
		close_gracefully(&clients[i]);
	printf("stopped after %lu messages\n", total_messages);
	free(clients);
	free(pfds);
	return 0;
bad:
	usage(stderr);
	return EXIT_USAGE;
}
