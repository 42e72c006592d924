/*
 * echo_client.c - sends messages to an echo server and checks the echoes.
 *
 * What it shows: the client side of a one-to-one SCTP association, which
 * looks like a TCP client but for IPPROTO_SCTP in socket() (the same file
 * builds as tcp_echo_client with -DUSE_TCP). getaddrinfo() with
 * IPPROTO_SCTP resolves IPv4, IPv6 and host names; each address is tried
 * in turn. Every line of stdin (or every -m TEXT, or a -l LENGTH message,
 * -c times) goes out as one message on stream -s, and each echo must come
 * back whole (reassembled up to MSG_EOR), on the same stream, in order.
 * Messages are pipelined (a few in flight) with poll(), so the client
 * never blocks in a send while echoes wait to be read.
 *
 * Exit status: 0 only if every echo came back identical and in order;
 * 1 on any error or mismatch; 2 for a bad command line.
 *
 * Large messages: Linux refuses to send a message larger than the socket's
 * send buffer (sendmsg fails with EMSGSIZE at once; RFC 6458 lets the
 * send buffer bound the message size), so the client asks for a large
 * SO_SNDBUF (the kernel caps it) and reports EMSGSIZE plainly. A message
 * larger than the peer's receive buffer is fine: it arrives in parts
 * (partial delivery) and recvmsg() marks the last one with MSG_EOR.
 *
 * Try:
 *   terminal 1: echo/echo_server
 *   terminal 2: echo/echo_client -v -s 2 -m hello -m world
 *
 * Read: sctp(7), getaddrinfo(3), sendmsg(2), recvmsg(2), socket(7)
 * (SO_SNDBUF), RFC 6458 sections 5.3.2, 5.3.5 and 8.2.1 (SCTP_STATUS).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/sctp.h>

#include "util_old.h"

/* The only lines that differ between the SCTP client and its TCP twin. */
#ifdef USE_TCP
#define PROTOCOL IPPROTO_TCP
#define PROTOCOL_NAME "TCP"
/* TCP has no messages: whatever one read returns is taken as the echo. */
#define END_OF_MESSAGE(flags) true
#else
#define PROTOCOL IPPROTO_SCTP
#define PROTOCOL_NAME "SCTP"
#define END_OF_MESSAGE(flags) ((flags & MSG_EOR) != 0)
#endif

/* The port of the Linux Journal article this lesson grew from. */
#define DEFAULT_PORT 2013
#define DEFAULT_ADDRESS "127.0.0.1"
/* Streams we ask for when -s does not need more: Linux's default. */
#define DEFAULT_STREAMS 10
/* Send buffer we ask for: it bounds the message size (see above). The
 * kernel caps the request at net.core.wmem_max and doubles it. */
#define SNDBUF_WANTED (1024 * 1024)
/* Messages sent but not yet echoed: enough to keep the path busy, and a
 * bound on memory when lines come from stdin. */
#define WINDOW 16
/* Room kept free before each read. */
#define READ_CHUNK (64 * 1024)
/* Most -m options. */
#define MAX_TEXTS 64

struct message {
	char *data;
	size_t len;
	size_t sent; /* bytes accepted by the kernel (TCP may take a part) */
};

static bool verbose;
static int sd;
static int sndbuf; /* the send buffer we got */
static uint16_t stream;

/* The window: messages [head, tail) are out, [tail, end) wait to go. */
static struct message window[WINDOW];
static unsigned long head, tail, end; /* message numbers, from 0 */

/* Stdin lines read so far, for messages about them. */
static unsigned long lineno;

static void
usage(FILE *to)
{
	fprintf(to,
		"usage: %s [-a HOST] [-p PORT] [-s STREAM] [-c COUNT] "
		"[-m TEXT]... [-l LENGTH] [-v]\n"
		"  -a HOST    server name or address (default %s)\n"
		"  -p PORT    server port (default %d)\n"
		"  -s STREAM  stream to send on (default 0)\n"
		"  -m TEXT    send TEXT as one message (repeatable); without "
		"-m or -l,\n"
		"             each line of stdin is one message\n"
		"  -l LENGTH  send a generated message of LENGTH bytes\n"
		"  -c COUNT   send the -m or -l messages COUNT times "
		"(default 1)\n"
		"  -v         say more on stderr (streams, sizes, rate)\n",
		program_invocation_short_name, DEFAULT_ADDRESS, DEFAULT_PORT);
}

/* SCTP-only setup before connect(): enough streams for -s, and the
 * stream and flags of each message (SCTP_RCVINFO) with every recvmsg(). */
static void
setup_sctp(void)
{
#ifndef USE_TCP
	unsigned streams =
		stream >= DEFAULT_STREAMS ? stream + 1u : DEFAULT_STREAMS;
	struct sctp_initmsg init = { .sinit_num_ostreams = streams,
				     .sinit_max_instreams = streams };
	int on = 1;

	if (setsockopt(sd, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init)))
		err(1, "setsockopt SCTP_INITMSG");
	if (setsockopt(sd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on)))
		err(1, "setsockopt SCTP_RECVRCVINFO");
#endif
}

/* After connect(): did the server grant the stream we mean to use? */
static void
check_stream(void)
{
#ifndef USE_TCP
	struct sctp_status st;
	socklen_t sl = sizeof(st);

	memset(&st, 0, sizeof(st));
	if (getsockopt(sd, IPPROTO_SCTP, SCTP_STATUS, &st, &sl))
		err(1, "getsockopt SCTP_STATUS");
	if (verbose)
		fprintf(stderr, "%u streams out, %u in\n", st.sstat_outstrms,
			st.sstat_instrms);
	if (stream >= st.sstat_outstrms)
		errx(1,
		     "stream %u was not granted: the server accepted %u "
		     "streams (0 to %u)",
		     stream, st.sstat_outstrms, st.sstat_outstrms - 1u);
#else
	if (stream != 0)
		errx(1, "stream %u: TCP has only one stream", stream);
#endif
}

static void
connect_to(const char *host, uint16_t port)
{
	struct addrinfo *res, *ai;
	char a[INET6_ADDRSTRLEN];
	int want = SNDBUF_WANTED, saved = 0;
	socklen_t sl = sizeof(sndbuf);

	if (resolve(host, port, SOCK_STREAM, PROTOCOL, 0, &res) < 0) {
		usage(stderr); /* a name that does not resolve */
		exit(EXIT_USAGE);
	}
	/* A name may give several addresses (::1 and 127.0.0.1): try each. */
	for (ai = res; ai; ai = ai->ai_next) {
		sd = socket(ai->ai_family, SOCK_STREAM, PROTOCOL);
		if (sd < 0)
			err(1, "socket");
		setup_sctp();
		if (setsockopt(sd, SOL_SOCKET, SO_SNDBUF, &want, sizeof(want)))
			err(1, "setsockopt SO_SNDBUF");
		if (connect(sd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		if (verbose || ai->ai_next == NULL)
			warnx("connect to %s port %u: %s",
			      addr_str(ai->ai_addr, a, sizeof(a)), port,
			      strerror(saved));
		close(sd);
	}
	if (ai == NULL)
		exit(1);
	if (verbose)
		fprintf(stderr, "connected to %s port %u over %s\n",
			addr_str(ai->ai_addr, a, sizeof(a)), port,
			PROTOCOL_NAME);
	freeaddrinfo(res);
	if (getsockopt(sd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl))
		err(1, "getsockopt SO_SNDBUF");
	if (verbose)
		fprintf(stderr, "send buffer %d bytes\n", sndbuf);
	check_stream();
	if (fcntl(sd, F_SETFL, O_NONBLOCK))
		err(1, "fcntl");
}

/* Queue message number `end`, which the caller has made. */
static void
add_message(char *data, size_t len)
{
	window[end % WINDOW] = (struct message){ .data = data, .len = len };
	end++;
}

/* Send what waits, as far as the kernel takes it. */
static void
send_waiting(void)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct sctp_sndinfo))];
		struct cmsghdr align;
	} control;
	struct sctp_sndinfo snd = { .snd_sid = stream };
	struct cmsghdr *cm = (struct cmsghdr *)control.buf;

	memset(&control, 0, sizeof(control));
	cm->cmsg_level = IPPROTO_SCTP;
	cm->cmsg_type = SCTP_SNDINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(snd));
	memcpy(CMSG_DATA(cm), &snd, sizeof(snd));

	while (tail < end) {
		struct message *m = &window[tail % WINDOW];
		struct iovec iov = { m->data + m->sent, m->len - m->sent };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		/* The stream goes in SCTP_SNDINFO; TCP has no use for it. */
		if (PROTOCOL == IPPROTO_SCTP) {
			msg.msg_control = control.buf;
			msg.msg_controllen = sizeof(control.buf);
		}
		n = sendmsg(sd, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0 && errno == EMSGSIZE)
			errx(1,
			     "message %lu (%zu bytes) is larger than the send "
			     "buffer (SO_SNDBUF %d bytes): sendmsg: %s",
			     tail + 1, m->len, sndbuf, strerror(errno));
		if (n < 0)
			err(1, "sendmsg");
		m->sent += (size_t)n;
		if (m->sent == m->len)
			tail++;
	}
}

/* Compare echo number `head` with its message; print it; exit on error. */
static void
check_echo(const char *echo, size_t len, bool have_info,
	   const struct sctp_rcvinfo *info, bool text)
{
	struct message *m = &window[head % WINDOW];

	if (head >= tail)
		errx(1, "unexpected message of %zu bytes", len);
	if (text) {
		fwrite(echo, 1, len, stdout);
		putchar('\n');
	} else {
		printf("echo %lu: %zu bytes\n", head + 1, len);
	}
	if (verbose)
		fprintf(stderr, "echo %lu: %zu bytes on stream %u\n", head + 1,
			len, have_info ? info->rcv_sid : 0);
	if (len != m->len || memcmp(echo, m->data, len) != 0)
		errx(1,
		     "echo %lu differs from message %lu (%zu bytes sent, "
		     "%zu came back)",
		     head + 1, head + 1, m->len, len);
	if (have_info && info->rcv_sid != stream)
		errx(1, "echo %lu came back on stream %u, sent on %u", head + 1,
		     info->rcv_sid, stream);
	free(m->data);
	head++;
}

/* Read echoes until the socket is empty. Returns false at end of file. */
static bool
read_echoes(bool text)
{
	static char *buf;
	static size_t len, cap;
	static bool have_info;
	static struct sctp_rcvinfo info;
	union {
		char buf[CMSG_SPACE(sizeof(struct sctp_rcvinfo))];
		struct cmsghdr align;
	} control;

	for (;;) {
		struct iovec iov;
		struct msghdr msg;
		ssize_t n;

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
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		n = recvmsg(sd, &msg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n < 0)
			err(1, "recvmsg");
		if (n == 0)
			return false;
		if (msg.msg_flags & MSG_NOTIFICATION)
			continue; /* never an echo (we subscribe to none) */
		if (len == 0) {
			have_info = false;
			for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm;
			     cm = CMSG_NXTHDR(&msg, cm))
				if (cm->cmsg_level == IPPROTO_SCTP &&
				    cm->cmsg_type == SCTP_RCVINFO) {
					memcpy(&info, CMSG_DATA(cm),
					       sizeof(info));
					have_info = true;
				}
		}
		len += (size_t)n;
		if (!END_OF_MESSAGE(msg.msg_flags)) {
			if (len > (size_t)sndbuf)
				errx(1,
				     "echo %lu is longer than any message "
				     "we sent",
				     head + 1);
			continue; /* a large echo: more parts to come */
		}
		check_echo(buf, len, have_info, &info, text);
		len = 0;
		if (cap > 2 * READ_CHUNK) {
			free(buf);
			buf = NULL;
			cap = 0;
		}
	}
}

/* Turn complete lines of stdin into messages while the window has room.
 * Returns false once stdin is done and every line is queued. */
static bool
read_lines(bool readable)
{
	static char *in;
	static size_t inlen, incap;
	static bool eof;
	char *nl;

	if (readable && !eof) {
		ssize_t n;

		if (incap - inlen < READ_CHUNK) {
			incap = inlen + READ_CHUNK;
			in = realloc(in, incap);
			if (in == NULL)
				err(1, "realloc");
		}
		n = read(STDIN_FILENO, in + inlen, incap - inlen);
		if (n < 0 && errno != EINTR && errno != EAGAIN)
			err(1, "read stdin");
		if (n == 0)
			eof = true;
		if (n > 0)
			inlen += (size_t)n;
	}
	while (end - head < WINDOW && inlen > 0 &&
	       ((nl = memchr(in, '\n', inlen)) != NULL || eof)) {
		size_t linelen = nl ? (size_t)(nl - in) : inlen;
		size_t used = nl ? linelen + 1 : inlen;
		char *line = malloc(linelen + 1);

		if (line == NULL)
			err(1, "malloc");
		memcpy(line, in, linelen);
		lineno++;
		/* A DATA chunk carries at least one byte (RFC 9260 3.3.1). */
		if (linelen == 0) {
			warnx("line %lu is empty: SCTP has no empty messages, "
			      "skipped",
			      lineno);
			free(line);
		} else {
			add_message(line, linelen);
		}
		memmove(in, in + used, inlen - used);
		inlen -= used;
	}
	if (inlen > (size_t)sndbuf) /* bounds our memory too */
		errx(1,
		     "line %lu is larger than the send buffer (SO_SNDBUF %d "
		     "bytes): it cannot be sent as one message",
		     lineno + 1, sndbuf);
	return !(eof && inlen == 0);
}

/* Message number k of a -l run: its number, then a repeating pattern,
 * so that a lost, mangled or reordered echo cannot look right. */
static char *
make_message(unsigned long k, size_t length)
{
	char *m = malloc(length ? length : 1);
	char tag[32];
	int t = snprintf(tag, sizeof(tag), "%lu:", k + 1);

	if (m == NULL)
		err(1, "malloc");
	for (size_t i = 0; i < length; i++)
		m[i] = i < (size_t)t ? tag[i] : (char)('a' + (k + i) % 26);
	return m;
}

int
main(int argc, char **argv)
{
	const char *host = DEFAULT_ADDRESS, *texts[MAX_TEXTS];
	uint16_t port = DEFAULT_PORT;
	unsigned long count = 1, length = 0, total, v;
	size_t ntexts = 0;
	bool use_length = false, from_stdin, more_lines;
	int64_t start;
	int opt;

	while ((opt = getopt(argc, argv, "a:p:s:m:l:c:vh")) != -1) {
		switch (opt) {
		case 'a':
			host = optarg;
			break;
		case 'p':
			if (parse_port(optarg, &port) < 0)
				goto bad;
			break;
		case 's':
			if (parse_number(optarg, "stream", 0, UINT16_MAX - 1,
					 &v) < 0)
				goto bad;
			stream = (uint16_t)v;
			break;
		case 'm':
			if (ntexts == MAX_TEXTS) {
				fprintf(stderr, "%s: at most %d -m options\n",
					program_invocation_short_name,
					MAX_TEXTS);
				goto bad;
			}
			if (*optarg == '\0') {
				fprintf(stderr,
					"%s: -m '': SCTP has no empty "
					"messages\n",
					program_invocation_short_name);
				goto bad;
			}
			texts[ntexts++] = optarg;
			break;
		case 'l':
			if (parse_number(optarg, "length", 1,
					 64 * SNDBUF_WANTED, &length) < 0)
				goto bad;
			use_length = true;
			break;
		case 'c':
			if (parse_number(optarg, "count", 1, ULONG_MAX / 2,
					 &count) < 0)
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
	if (use_length && ntexts > 0) {
		fprintf(stderr, "%s: -m and -l do not go together\n",
			program_invocation_short_name);
		goto bad;
	}
	from_stdin = !use_length && ntexts == 0;
	total = use_length ? count : ntexts * count;

	connect_to(host, port);
	start = now_ns();
	more_lines = from_stdin;
	for (;;) {
		struct pollfd pfd[2] = { { .fd = sd, .events = POLLIN },
					 { .fd = STDIN_FILENO } };
		int ready;

		/* Fill the window from -m, -l or stdin. */
		while (!from_stdin && end < total && end - head < WINDOW) {
			if (use_length) {
				add_message(make_message(end, length), length);
			} else {
				char *t = strdup(texts[end % ntexts]);

				if (t == NULL)
					err(1, "strdup");
				add_message(t, strlen(t));
			}
		}
		if (more_lines)
			more_lines = read_lines(false);
		send_waiting();
		if (head == end && !more_lines && (from_stdin || end == total))
			break; /* every echo is back */
		if (tail < end)
			pfd[0].events |= POLLOUT;
		if (more_lines && end - head < WINDOW)
			pfd[1].events = POLLIN;
		ready = poll(pfd, 2, -1);
		if (ready < 0 && errno == EINTR)
			continue;
		if (ready < 0)
			err(1, "poll");
		if (pfd[0].revents & (POLLIN | POLLERR | POLLHUP)) {
			if (!read_echoes(!use_length))
				errx(1,
				     "the server closed the association "
				     "after %lu of %lu echoes",
				     head, from_stdin ? end : total);
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
			more_lines = read_lines(true);
	}
	if (verbose) {
		double s = (double)(now_ns() - start) / 1e9;

		fprintf(stderr, "%lu echoes in %.3f s: %.0f per second\n", head,
			s, s > 0 ? (double)head / s : 0.0);
	}
	/* Nothing is left unread, so close() ends with SHUTDOWN. */
	if (close(sd))
		err(1, "close");
	return 0;
bad:
	usage(stderr);
	return EXIT_USAGE;
}
