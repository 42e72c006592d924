/*
 * stream_sender - several independent flows over one SCTP association, one
 * stream per flow, so that a lost packet holds up only its own stream.
 *
 * The sender asks for K outbound streams with SCTP_INITMSG before
 * connect(), reads back from SCTP_STATUS how many the receiver granted
 * (its inbound limit wins), and then sends COUNT timestamped messages at
 * RATE per second, round-robin over its flows (by default one per stream
 * granted): flow f travels on stream f, or on f modulo the streams when
 * there are more flows than streams. Each message says which flow it
 * belongs to, its number within that flow and overall, and when it was
 * sent (CLOCK_MONOTONIC), so stream_receiver can check the order and
 * measure the one-way delay. The stream and the unordered flag are chosen
 * per message with an SCTP_SNDINFO cmsg on sendmsg().
 *
 * Two switches make the comparison: -s 0 puts every flow on stream 0
 * (one ordered queue: head-of-line blocking), -u sends unordered (no
 * queue at all). Built with -DUSE_TCP the same file is tcp_stream_sender:
 * the same flows over one TCP byte stream, each message framed with a
 * length prefix because TCP keeps no message boundaries.
 *
 * Try:
 *   terminal 1: multistream/stream_receiver -p 2013
 *   terminal 2: multistream/stream_sender -p 2013 -o 4 -c 400 -r 200
 *               multistream/stream_sender -p 2013 -s 0     (one stream)
 *               multistream/stream_sender -p 2013 -f 8     (2 per stream)
 *               multistream/stream_sender -p 2013 -s 12    (EINVAL)
 * (the receiver serves one association per run: restart it each time).
 * multistream/hol-experiment.sh adds a lossy link and compares.
 *
 * Read: sctp(7), sendmsg(2), cmsg(3), clock_nanosleep(2), tcp(7),
 * RFC 6458 sections 5.3.4 (SCTP_SNDINFO), 8.1.3 (SCTP_INITMSG), 8.1.5
 * (SCTP_NODELAY), 8.2.1 (SCTP_STATUS); RFC 9260 section 6.6 (ordered and
 * unordered delivery).
 */
#include <endian.h>
#include <err.h>
#include <unistd.h>
#include <netinet/tcp.h>
#include <sys/uio.h>

#include "util_old.h"

/* Default port; stream_receiver uses the same. */
#define DEFAULT_PORT 2013
/* Streams to ask for; the TCP twin runs as many flows. */
#define DEFAULT_STREAMS 4
#define DEFAULT_FLOWS DEFAULT_STREAMS
#define DEFAULT_COUNT 1000
#define DEFAULT_LENGTH 64
/* Messages per second: modest, so the link, not the CPU, sets the pace. */
#define DEFAULT_RATE 200
/* Upper bounds for the options: sanity, not protocol limits. */
#define MAX_COUNT 10000000
#define MAX_RATE 1000000
#define MAX_LENGTH 65536
/* Stream numbers and counts are 16-bit on the wire (RFC 9260 3.3.1). */
#define MAX_STREAMS 65535
#define NSEC_PER_SEC 1000000000LL

/*
 * Every message starts with this header, in network byte order, and is
 * padded to -l bytes. stream_receiver.c decodes the same layout. The flow
 * comes first so a packet filter can find it at a fixed offset (the
 * experiment script drops packets of flow 0 only).
 */
#define OFF_FLOW 0     /* u16: which flow (0 .. flows-1) */
#define OFF_FLOWS 2    /* u16: how many flows the sender runs */
#define OFF_FLOW_SEQ 4 /* u32: number of this message within its flow */
#define OFF_SEQ 8      /* u32: number of this message overall */
#define OFF_COUNT 12   /* u32: how many messages the sender will send */
#define OFF_SENT_NS 16 /* u64: CLOCK_MONOTONIC at sendmsg(), in ns */
#define HEADER_SIZE 24

#ifdef USE_TCP
#define TRANSPORT IPPROTO_TCP
#define HAS_STREAMS 0
#else
#define TRANSPORT IPPROTO_SCTP
#define HAS_STREAMS 1
#endif

static void
usage(FILE *out, int status)
{
	fprintf(out,
		"usage: %s [-a ADDR] [-p PORT]"
#ifndef USE_TCP
		" [-o STREAMS]"
#endif
		" [-f FLOWS] [-c COUNT] [-l LENGTH] [-r RATE]"
#ifndef USE_TCP
		" [-s STREAM] [-u]"
#endif
		" [-h]\n"
		"  -a ADDR     receiver address (default 127.0.0.1)\n"
		"  -p PORT     receiver port (default %d)\n"
#ifndef USE_TCP
		"  -o STREAMS  outbound streams to ask for (default %d)\n"
		"  -f FLOWS    flows to interleave (default: one per stream "
		"granted)\n"
#else
		"  -f FLOWS    flows to interleave (default %d); TCP has one "
		"byte\n"
		"              stream, so they all share it\n"
#endif
		"  -c COUNT    messages to send (default %d)\n"
		"  -l LENGTH   bytes per message, at least %d (default %d)\n"
		"  -r RATE     messages per second, 0: as fast as possible "
		"(default %d)\n"
#ifndef USE_TCP
		"  -s STREAM   send every flow on this one stream\n"
		"  -u          send unordered (SCTP_UNORDERED)\n"
#endif
		"  -h          show this help\n",
		program_invocation_short_name, DEFAULT_PORT,
		HAS_STREAMS ? DEFAULT_STREAMS : DEFAULT_FLOWS, DEFAULT_COUNT,
		HEADER_SIZE, DEFAULT_LENGTH, DEFAULT_RATE);
	exit(status);
}

static void
put16(unsigned char *p, uint16_t v)
{
	v = htons(v);
	memcpy(p, &v, sizeof(v));
}

static void
put32(unsigned char *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, sizeof(v));
}

static void
put64(unsigned char *p, uint64_t v)
{
	v = htobe64(v);
	memcpy(p, &v, sizeof(v));
}

/* Sleep until DEADLINE (CLOCK_MONOTONIC, ns): a steady rate, no drift. */
static void
wait_until(int64_t deadline)
{
	struct timespec ts = { .tv_sec = deadline / NSEC_PER_SEC,
			       .tv_nsec = deadline % NSEC_PER_SEC };
	int rc;

	while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
				     NULL)) == EINTR)
		;
	if (rc != 0) {
		errno = rc;
		err(1, "clock_nanosleep");
	}
}

#ifndef USE_TCP
/*
 * Connect with SCTP_INITMSG asking for WANT outbound streams, and return
 * the socket and, in *GRANTED, how many the receiver allowed: the INIT
 * carries our wish, the INIT-ACK the peer's inbound limit, and the
 * association uses the smaller.
 */
static int
open_association(const struct addrinfo *ai, unsigned want, unsigned *granted)
{
	struct sctp_initmsg init;
	struct sctp_status status;
	socklen_t len = sizeof(status);
	int fd, on = 1;

	fd = socket(ai->ai_family, SOCK_STREAM, IPPROTO_SCTP);
	if (fd < 0)
		err(1, "socket");
	memset(&init, 0, sizeof(init));
	init.sinit_num_ostreams = (uint16_t)want;
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init)) < 0)
		err(1, "setsockopt SCTP_INITMSG");
	/*
	 * Without this, SCTP (like TCP's Nagle) bundles small messages of
	 * different streams into one packet while data is unacknowledged, and
	 * one lost packet would then hit several streams at once.
	 */
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof(on)) < 0)
		err(1, "setsockopt SCTP_NODELAY");
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		err(1, "connect");
	memset(&status, 0, sizeof(status));
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_STATUS, &status, &len) < 0)
		err(1, "getsockopt SCTP_STATUS");
	*granted = status.sstat_outstrms;
	printf("asked for %u outbound streams, the receiver granted %u\n", want,
	       *granted);
	return fd;
}

/*
 * One message on STREAM. The SCTP_SNDINFO cmsg picks the stream and the
 * flags for this message only; the sockets API has no per-stream setting.
 */
static void
send_message(int fd, const unsigned char *buf, size_t len, unsigned stream,
	     int unordered, unsigned streams)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct sctp_sndinfo))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = control.buf,
			      .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	struct sctp_sndinfo info;
	ssize_t n;

	memset(&control, 0, sizeof(control));
	memset(&info, 0, sizeof(info));
	info.snd_sid = (uint16_t)stream;
	info.snd_flags = unordered ? SCTP_UNORDERED : 0;
	cmsg->cmsg_level = IPPROTO_SCTP;
	cmsg->cmsg_type = SCTP_SNDINFO;
	cmsg->cmsg_len = CMSG_LEN(sizeof(info));
	memcpy(CMSG_DATA(cmsg), &info, sizeof(info));

	while ((n = sendmsg(fd, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (n < 0 && errno == EINVAL && stream >= streams)
		errx(1,
		     "sendmsg: stream %u: %s: the association has %u "
		     "outbound streams, numbered 0 to %u",
		     stream, strerror(EINVAL), streams, streams - 1);
	if (n < 0)
		err(1, "sendmsg");
}
#else
/* The TCP twin: one connection, one byte stream shared by every flow. */
static int
open_association(const struct addrinfo *ai, unsigned want, unsigned *granted)
{
	int fd, on = 1;

	(void)want; /* nothing to ask for */
	fd = socket(ai->ai_family, SOCK_STREAM, IPPROTO_TCP);
	if (fd < 0)
		err(1, "socket");
	/* Same reason as SCTP_NODELAY: one message, one segment. */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) < 0)
		err(1, "setsockopt TCP_NODELAY");
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0)
		err(1, "connect");
	*granted = 1;
	return fd;
}

/*
 * TCP delivers bytes, not messages: the receiver could read half a message
 * or two at once. A 4-byte length in front of each message lets it find
 * the boundaries again; SCTP keeps them for us.
 */
static void
send_message(int fd, const unsigned char *buf, size_t len, unsigned stream,
	     int unordered, unsigned streams)
{
	unsigned char frame[sizeof(uint32_t) + MAX_LENGTH];
	size_t total = sizeof(uint32_t) + len, done = 0;
	ssize_t n;

	(void)stream, (void)unordered, (void)streams;
	put32(frame, (uint32_t)len);
	memcpy(frame + sizeof(uint32_t), buf, len);
	while (done < total) {
		n = send(fd, frame + done, total - done, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err(1, "send");
		done += (size_t)n;
	}
}
#endif

int
main(int argc, char **argv)
{
	const char *host = "127.0.0.1";
	uint16_t port = DEFAULT_PORT;
	unsigned long want = DEFAULT_STREAMS, count = DEFAULT_COUNT;
	unsigned long length = DEFAULT_LENGTH, rate = DEFAULT_RATE;
	unsigned long fixed_stream = 0, flows_wanted = 0;
	int one_stream = 0, unordered = 0, asked = 0, opt, fd;
	unsigned streams, flows, *flow_seq;
	unsigned char buf[MAX_LENGTH];
	struct addrinfo *ai;
	int64_t start, interval, next;

	while ((opt = getopt(argc, argv, "a:p:o:f:c:l:r:s:uh")) != -1) {
		switch (opt) {
		case 'a':
			host = optarg;
			break;
		case 'p':
			if (parse_port(optarg, &port) < 0)
				usage(stderr, EXIT_USAGE);
			break;
		case 'o':
			if (parse_number(optarg, "streams", 1, MAX_STREAMS,
					 &want) < 0)
				usage(stderr, EXIT_USAGE);
			asked = 1;
			break;
		case 'f':
			if (parse_number(optarg, "flows", 1, MAX_STREAMS,
					 &flows_wanted) < 0)
				usage(stderr, EXIT_USAGE);
			break;
		case 'c':
			if (parse_number(optarg, "count", 1, MAX_COUNT,
					 &count) < 0)
				usage(stderr, EXIT_USAGE);
			break;
		case 'l':
			if (parse_number(optarg, "length", HEADER_SIZE,
					 MAX_LENGTH, &length) < 0)
				usage(stderr, EXIT_USAGE);
			break;
		case 'r':
			if (parse_number(optarg, "rate", 0, MAX_RATE, &rate) <
			    0)
				usage(stderr, EXIT_USAGE);
			break;
		case 's':
			if (parse_number(optarg, "stream", 0, MAX_STREAMS - 1,
					 &fixed_stream) < 0)
				usage(stderr, EXIT_USAGE);
			one_stream = 1;
			break;
		case 'u':
			unordered = 1;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, EXIT_USAGE);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n",
			program_invocation_short_name, argv[optind]);
		usage(stderr, EXIT_USAGE);
	}
	if ((asked || one_stream || unordered) && !HAS_STREAMS) {
		fprintf(stderr,
			"%s: TCP has one byte stream: -o, -s and -u are "
			"for SCTP\n",
			program_invocation_short_name);
		usage(stderr, EXIT_USAGE);
	}
	if (resolve(host, port, SOCK_STREAM, TRANSPORT, 0, &ai) < 0)
		usage(stderr, EXIT_USAGE);

	fd = open_association(ai, (unsigned)want, &streams);
	freeaddrinfo(ai);
	/* By default one flow per stream granted. */
	flows = HAS_STREAMS ? streams : DEFAULT_FLOWS;
	if (flows_wanted)
		flows = (unsigned)flows_wanted;
	flow_seq = calloc(flows, sizeof(*flow_seq));
	if (flow_seq == NULL)
		err(1, "calloc");
	if (!HAS_STREAMS)
		printf("TCP: %u flows share one byte stream\n", flows);
	else if (one_stream)
		printf("sending %u flows, all on stream %lu\n", flows,
		       fixed_stream);
	else if (flows > streams)
		printf("sending %u flows on %u streams: flow f on stream f "
		       "mod %u\n",
		       flows, streams, streams);
	fflush(stdout);

	/* Filler after the header: any bytes do, these are easy to spot. */
	memset(buf, 'm', sizeof(buf));
	interval = rate ? NSEC_PER_SEC / (int64_t)rate : 0;
	start = next = now_ns();
	for (unsigned long i = 0; i < count; i++) {
		unsigned flow = (unsigned)(i % flows);
		unsigned stream =
			one_stream ? (unsigned)fixed_stream : flow % streams;

		wait_until(next);
		put16(buf + OFF_FLOW, (uint16_t)flow);
		put16(buf + OFF_FLOWS, (uint16_t)flows);
		put32(buf + OFF_FLOW_SEQ, flow_seq[flow]++);
		put32(buf + OFF_SEQ, (uint32_t)i);
		put32(buf + OFF_COUNT, (uint32_t)count);
		/* Stamped last, so the delay starts at the send call. */
		put64(buf + OFF_SENT_NS, (uint64_t)now_ns());
		send_message(fd, buf, length, stream, unordered, streams);
		/*
		 * Fallen behind (the machine was busy)? Go on from now
		 * instead of sending the backlog in one burst: the burst
		 * would queue behind the congestion window, and that wait
		 * would look like network delay.
		 */
		next += interval;
		if (next < now_ns())
			next = now_ns();
	}
	printf("sent %lu messages of %lu bytes on %u flows in %.3f s%s\n",
	       count, length, flows, (double)(now_ns() - start) / 1e9,
	       unordered ? ", unordered" : "");
	/*
	 * close() starts a graceful shutdown: the kernel still delivers what
	 * is queued and retransmits what is lost, even after we exit.
	 */
	if (close(fd) < 0)
		err(1, "close");
	free(flow_seq);
	return 0;
}
