/*
 * stream_receiver - the receiving end of stream_sender: grants a number of
 * inbound streams, then checks and times every message of one association.
 *
 * SCTP_INITMSG before listen() sets how many inbound streams this end
 * accepts; a sender that asks for more gets this many (SCTP_STATUS after
 * accept() shows both counts). SCTP_RECVRCVINFO makes recvmsg() return an
 * SCTP_RCVINFO cmsg with each message: the stream it came on and whether
 * it was sent unordered. For every message the receiver then checks:
 *   - exactly once: each message number arrives once, none is missing;
 *   - order: on an ordered stream the message numbers only go up (SCTP
 *     promises that per stream, not across streams); on an unordered
 *     stream a message may overtake others: counted as "out-of-order";
 *   - delay: now minus the sender's CLOCK_MONOTONIC stamp. Only sensible
 *     when both run on one machine (network namespaces included), which
 *     share that clock.
 * When the sender closes, it prints one row per flow (p50/p99/max delay),
 * a "summary" line for scripts, and exits 0 only if every message arrived
 * exactly once and every ordered stream stayed in order.
 *
 * Built with -DUSE_TCP it is tcp_stream_receiver: one TCP connection, its
 * messages found again by their 4-byte length prefix.
 *
 * Try:
 *   terminal 1: multistream/stream_receiver -p 2013 -i 8
 *   terminal 2: multistream/stream_sender -p 2013 -o 100
 *               (asks for 100 streams, gets 8)
 *
 * Read: sctp(7), recvmsg(2), cmsg(3), socket(7) (SO_RCVTIMEO), RFC 6458
 * sections 5.3.5 (SCTP_RCVINFO), 8.1.3 (SCTP_INITMSG), 8.1.29
 * (SCTP_RECVRCVINFO), 8.2.1 (SCTP_STATUS).
 */
#include <endian.h>
#include <err.h>
#include <unistd.h>
#include <sys/time.h>
#include <sys/uio.h>

#include "util_old.h"

/* Default port; stream_sender uses the same. */
#define DEFAULT_PORT 2013
/* Inbound streams granted unless -i says otherwise: Linux's own default. */
#define DEFAULT_INSTREAMS 10
/* One association per run: a measurement, like `iperf3 -s -1`. */
#define LISTEN_BACKLOG 1
/* Limits the sender enforces too; anything larger is not its traffic. */
#define MAX_COUNT 10000000
#define MAX_LENGTH 65536
#define MAX_STREAMS 65535
#define NSEC_PER_MSEC 1e6

/* The message header, as stream_sender.c writes it (network order). */
#define OFF_FLOW 0     /* u16: which flow (0 .. flows-1) */
#define OFF_FLOWS 2    /* u16: how many flows the sender runs */
#define OFF_FLOW_SEQ 4 /* u32: number of this message within its flow */
#define OFF_SEQ 8      /* u32: number of this message overall */
#define OFF_COUNT 12   /* u32: how many messages the sender will send */
#define OFF_SENT_NS 16 /* u64: CLOCK_MONOTONIC at sendmsg(), in ns */
#define HEADER_SIZE 24

#ifdef USE_TCP
#define TRANSPORT IPPROTO_TCP
#define RECEIVE_CALL "read"
#define HAS_STREAMS 0
#else
#define TRANSPORT IPPROTO_SCTP
#define RECEIVE_CALL "recvmsg"
#define HAS_STREAMS 1
#endif

/* A message slot nobody has filled yet. */
#define NOT_RECEIVED (-1)

struct flow {
	unsigned long messages, out_of_order;
	int64_t highest;  /* highest flow_seq seen, -1 before the first */
	unsigned stream;  /* stream of the first message */
	int mixed_stream; /* messages of this flow came on several streams */
	int unordered;	  /* some arrived unordered */
};

struct tally {
	uint32_t count;	       /* messages the sender announced */
	uint16_t flows;	       /* flows the sender announced */
	unsigned streams;      /* inbound streams of the association */
	int64_t *delay;	       /* per message number: ns, or NOT_RECEIVED */
	uint16_t *flow_of;     /* per message number */
	int64_t *last_ordered; /* per stream: last ordered message number */
	struct flow *flow;     /* per flow */
	unsigned long received, duplicates, malformed, order_violations;
	int negative_delay;
};

static void
usage(FILE *out, int status)
{
	fprintf(out,
		"usage: %s [-a ADDR] [-p PORT] [-i STREAMS] [-t SECONDS] [-v] "
		"[-h]\n"
		"  -a ADDR     address to listen on (default: all)\n"
		"  -p PORT     port (default %d; 0: the kernel picks one)\n"
		"  -i STREAMS  inbound streams to grant (default %d; SCTP "
		"only)\n"
		"  -t SECONDS  give up after this long without a message "
		"(default: never)\n"
		"  -v          print every message\n"
		"  -h          show this help\n",
		program_invocation_short_name, DEFAULT_PORT, DEFAULT_INSTREAMS);
	exit(status);
}

static uint16_t
get16(const unsigned char *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return ntohs(v);
}

static uint32_t
get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return ntohl(v);
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return be64toh(v);
}

#ifndef USE_TCP
/* Grant INSTREAMS inbound streams to whoever connects: set before listen. */
static void
set_streams(int fd, unsigned instreams)
{
	struct sctp_initmsg init;
	int on = 1;

	memset(&init, 0, sizeof(init));
	init.sinit_max_instreams = (uint16_t)instreams;
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init)) < 0)
		err(1, "setsockopt SCTP_INITMSG");
	/* Ask for the SCTP_RCVINFO cmsg; accepted sockets inherit it. */
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on)) < 0)
		err(1, "setsockopt SCTP_RECVRCVINFO");
}

/* What the INIT / INIT-ACK exchange settled on; returns inbound streams,
 * 0 when the association has ended already. */
static unsigned
show_association(int fd, const char *peer, unsigned port)
{
	struct sctp_status status;
	socklen_t len = sizeof(status);

	memset(&status, 0, sizeof(status));
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_STATUS, &status, &len) < 0) {
		/* An association that ended before accept() returned comes
		 * out closed (EINVAL here); what it delivered is still there
		 * to read, and the reads say how it ended. */
		printf("association from %s port %u: over before accept() "
		       "returned (SCTP_STATUS: %s); reading what it sent\n",
		       peer, port, strerror(errno));
		return 0;
	}
	printf("association from %s port %u: %u inbound streams, %u "
	       "outbound\n",
	       peer, port, status.sstat_instrms, status.sstat_outstrms);
	return status.sstat_instrms;
}

/*
 * Read one whole message into BUF. Returns its length, 0 when the sender
 * has shut down, -1 on error (errno set). A message can come in several
 * pieces (partial delivery): only the one with MSG_EOR ends it.
 */
static ssize_t
receive_message(int fd, unsigned char *buf, size_t size, unsigned *stream,
		int *unordered)
{
	struct sctp_rcvinfo info;
	size_t have = 0;
	int notification = 0;

	memset(&info, 0, sizeof(info));
	for (;;) {
		union {
			char buf[CMSG_SPACE(sizeof(struct sctp_rcvinfo))];
			struct cmsghdr align;
		} control;
		struct iovec iov = { .iov_base = buf + have,
				     .iov_len = size - have };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = control.buf,
				      .msg_controllen = sizeof(control.buf) };
		struct cmsghdr *cmsg;
		ssize_t n = recvmsg(fd, &msg, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n;
		/* Not subscribed to any, but never mistake one for data. */
		if (msg.msg_flags & MSG_NOTIFICATION) {
			notification = !(msg.msg_flags & MSG_EOR);
			continue;
		}
		if (notification)
			continue;
		for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL;
		     cmsg = CMSG_NXTHDR(&msg, cmsg))
			if (cmsg->cmsg_level == IPPROTO_SCTP &&
			    cmsg->cmsg_type == SCTP_RCVINFO)
				memcpy(&info, CMSG_DATA(cmsg), sizeof(info));
		have += (size_t)n;
		if (msg.msg_flags & MSG_EOR) {
			*stream = info.rcv_sid;
			*unordered = (info.rcv_flags & SCTP_UNORDERED) != 0;
			return (ssize_t)have;
		}
		if (have == size)
			errx(1,
			     "a message longer than %zu bytes: not from "
			     "stream_sender",
			     size);
	}
}
#else
static void
set_streams(int fd, unsigned instreams)
{
	(void)fd, (void)instreams; /* TCP has no streams to grant */
}

static unsigned
show_association(int fd, const char *peer, unsigned port)
{
	(void)fd;
	printf("connection from %s port %u: TCP, one byte stream\n", peer,
	       port);
	return 1;
}

/*
 * TCP hands over bytes in whatever pieces it likes: keep what has arrived
 * and cut one message off the front whenever a whole length-prefixed frame
 * is there. Every message counts as stream 0, ordered.
 */
static ssize_t
receive_message(int fd, unsigned char *buf, size_t size, unsigned *stream,
		int *unordered)
{
	/* Bytes read but not yet handed out, kept between calls. */
	static unsigned char pending[sizeof(uint32_t) + MAX_LENGTH];
	static size_t have;
	uint32_t len;
	ssize_t n;

	*stream = 0;
	*unordered = 0;
	for (;;) {
		if (have >= sizeof(uint32_t)) {
			len = get32(pending);
			if (len > size)
				errx(1,
				     "a frame of %" PRIu32 " bytes: not "
				     "from tcp_stream_sender",
				     len);
			if (have >= sizeof(uint32_t) + len) {
				memcpy(buf, pending + sizeof(uint32_t), len);
				have -= sizeof(uint32_t) + len;
				memmove(pending,
					pending + sizeof(uint32_t) + len, have);
				return (ssize_t)len;
			}
		}
		n = read(fd, pending + have, sizeof(pending) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n;
		have += (size_t)n;
	}
}
#endif

/* Size the tables from the first message's header. */
static void
tally_start(struct tally *t, uint32_t count, uint16_t flows)
{
	t->count = count;
	t->flows = flows;
	t->delay = malloc(count * sizeof(*t->delay));
	t->flow_of = calloc(count, sizeof(*t->flow_of));
	t->flow = calloc(flows, sizeof(*t->flow));
	if (t->delay == NULL || t->flow_of == NULL || t->flow == NULL)
		err(1, "malloc");
	for (uint32_t i = 0; i < count; i++)
		t->delay[i] = NOT_RECEIVED;
	for (unsigned f = 0; f < flows; f++)
		t->flow[f].highest = -1;
}

static void
tally_message(struct tally *t, const unsigned char *buf, size_t len,
	      unsigned stream, int unordered, int verbose)
{
	int64_t now = now_ns();
	uint16_t flow, flows;
	uint32_t flow_seq, seq, count;
	struct flow *f;

	if (len < HEADER_SIZE) {
		warnx("a message of %zu bytes: too short, not counted", len);
		t->malformed++;
		return;
	}
	flow = get16(buf + OFF_FLOW);
	flows = get16(buf + OFF_FLOWS);
	flow_seq = get32(buf + OFF_FLOW_SEQ);
	seq = get32(buf + OFF_SEQ);
	count = get32(buf + OFF_COUNT);
	if (t->delay == NULL && count >= 1 && count <= MAX_COUNT && flows >= 1)
		tally_start(t, count, flows);
	if (t->delay == NULL || count != t->count || flows != t->flows ||
	    flow >= flows || seq >= count) {
		warnx("message %" PRIu32 ": header does not fit the first "
		      "message's, not counted",
		      seq);
		t->malformed++;
		return;
	}
	if (t->delay[seq] != NOT_RECEIVED) {
		t->duplicates++;
		return;
	}
	t->received++;
	/* A peer may write any stamp: subtract unsigned, so no overflow,
	 * and keep a negative delay apart from NOT_RECEIVED. */
	t->delay[seq] = (int64_t)((uint64_t)now - get64(buf + OFF_SENT_NS));
	if (t->delay[seq] < 0) {
		t->negative_delay = 1;
		t->delay[seq] = 0;
	}
	t->flow_of[seq] = flow;

	f = &t->flow[flow];
	if (f->messages++ == 0)
		f->stream = stream;
	else if (f->stream != stream)
		f->mixed_stream = 1;
	f->unordered |= unordered;
	if ((int64_t)flow_seq < f->highest)
		f->out_of_order++;
	else
		f->highest = flow_seq;
	/* The promise of an ordered stream: numbers on it only go up. */
	if (!unordered && stream < t->streams) {
		if ((int64_t)seq < t->last_ordered[stream])
			t->order_violations++;
		else
			t->last_ordered[stream] = seq;
	}
	if (verbose)
		printf("message %" PRIu32 " flow %u #%" PRIu32 " stream %u%s: "
		       "%.2f ms\n",
		       seq, flow, flow_seq, stream,
		       unordered ? " unordered" : "",
		       (double)t->delay[seq] / NSEC_PER_MSEC);
}

static int
compare_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank percentile P of N sorted values, in ms. */
static double
percentile(const int64_t *sorted, size_t n, unsigned p)
{
	size_t rank = (p * n + 99) / 100;

	return (double)sorted[rank ? rank - 1 : 0] / NSEC_PER_MSEC;
}

/* One table row: N delays in V (sorted here), in ms. */
static void
print_row(const char *name, const char *stream, const char *delivery,
	  int64_t *v, size_t n, unsigned long ooo)
{
	if (n == 0) {
		printf("%4s %6s %-9s %8zu %12lu %7s %7s %7s\n", name, stream,
		       delivery, n, ooo, "-", "-", "-");
		return;
	}
	qsort(v, n, sizeof(*v), compare_int64);
	printf("%4s %6s %-9s %8zu %12lu %7.1f %7.1f %7.1f\n", name, stream,
	       delivery, n, ooo, percentile(v, n, 50), percentile(v, n, 99),
	       (double)v[n - 1] / NSEC_PER_MSEC);
}

/*
 * The table, the summary line, and the verdict as the exit status. The
 * delays are first grouped by flow (a counting sort: flow f's delays end
 * up in scratch[first[f]] .. scratch[first[f + 1] - 1]), so the report
 * takes one pass over the messages however many flows there are.
 */
static int
report(const struct tally *t)
{
	unsigned long ooo = 0, missing = t->count - t->received;
	int64_t *scratch;
	size_t *first, *fill;
	int ok;

	if (t->delay == NULL) {
		printf("summary expected=0 received=0 missing=0 duplicates=0 "
		       "order_violations=0 out_of_order=0 malformed=%lu\n",
		       t->malformed);
		printf("no message arrived\n");
		return 1;
	}
	scratch = malloc(t->count * sizeof(*scratch));
	first = calloc((size_t)t->flows + 1, sizeof(*first));
	fill = calloc(t->flows, sizeof(*fill));
	if (scratch == NULL || first == NULL || fill == NULL)
		err(1, "malloc");
	for (uint32_t i = 0; i < t->count; i++)
		if (t->delay[i] != NOT_RECEIVED)
			first[t->flow_of[i] + 1]++;
	for (unsigned f = 0; f < t->flows; f++)
		first[f + 1] += first[f];
	for (uint32_t i = 0; i < t->count; i++)
		if (t->delay[i] != NOT_RECEIVED) {
			unsigned f = t->flow_of[i];

			scratch[first[f] + fill[f]++] = t->delay[i];
		}

	printf("flow stream delivery  messages out-of-order  p50 ms  p99 ms "
	       " max ms\n");
	for (unsigned f = 0; f < t->flows; f++) {
		const struct flow *fl = &t->flow[f];
		char name[16], stream[16];

		snprintf(name, sizeof(name), "%u", f);
		if (fl->messages == 0 || fl->mixed_stream)
			snprintf(stream, sizeof(stream), "-");
		else
			snprintf(stream, sizeof(stream), "%u", fl->stream);
		print_row(name, stream, fl->unordered ? "unordered" : "ordered",
			  scratch + first[f], first[f + 1] - first[f],
			  fl->out_of_order);
		ooo += fl->out_of_order;
	}
	print_row("all", "-", "-", scratch, first[t->flows], ooo);
	free(scratch);
	free(first);
	free(fill);
	printf("summary expected=%" PRIu32 " received=%lu missing=%lu "
	       "duplicates=%lu order_violations=%lu out_of_order=%lu "
	       "malformed=%lu\n",
	       t->count, t->received, missing, t->duplicates,
	       t->order_violations, ooo, t->malformed);
	ok = missing == 0 && t->duplicates == 0 && t->malformed == 0 &&
	     t->order_violations == 0;
	if (ok)
		printf("every message arrived exactly once; ordered streams "
		       "stayed in order\n");
	else
		printf("FAILED: %lu missing, %lu duplicated, %lu malformed, "
		       "%lu out of order on an ordered stream\n",
		       missing, t->duplicates, t->malformed,
		       t->order_violations);
	if (t->negative_delay)
		printf("note: negative delays: the sender's clock is not "
		       "ours (another machine?)\n");
	fflush(stdout);
	return ok ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const char *host = NULL;
	uint16_t port = DEFAULT_PORT;
	unsigned long instreams = DEFAULT_INSTREAMS, timeout = 0;
	int verbose = 0, granting = 0, opt, lfd, fd, on = 1, unordered = 0,
	    status;
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof(ss);
	struct addrinfo *ai;
	struct timeval tv;
	static unsigned char buf[MAX_LENGTH];
	struct tally t = { 0 };
	char peer[INET6_ADDRSTRLEN];
	unsigned stream = 0;
	ssize_t n;

	while ((opt = getopt(argc, argv, "a:p:i:t:vh")) != -1) {
		switch (opt) {
		case 'a':
			host = optarg;
			break;
		case 'p':
			if (parse_port(optarg, &port) < 0)
				usage(stderr, EXIT_USAGE);
			break;
		case 'i':
			if (parse_number(optarg, "streams", 1, MAX_STREAMS,
					 &instreams) < 0)
				usage(stderr, EXIT_USAGE);
			granting = 1;
			break;
		case 't':
			if (parse_number(optarg, "timeout", 1, INT_MAX,
					 &timeout) < 0)
				usage(stderr, EXIT_USAGE);
			break;
		case 'v':
			verbose = 1;
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
	if (granting && !HAS_STREAMS) {
		fprintf(stderr, "%s: -i: TCP has no streams to grant\n",
			program_invocation_short_name);
		usage(stderr, EXIT_USAGE);
	}
	if (resolve(host, port, SOCK_STREAM, TRANSPORT, 1, &ai) < 0)
		usage(stderr, EXIT_USAGE);

	lfd = socket(ai->ai_family, SOCK_STREAM, TRANSPORT);
	if (lfd < 0)
		err(1, "socket");
	/* Restarting on a fixed port must not wait for old associations. */
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0)
		err(1, "setsockopt SO_REUSEADDR");
	set_streams(lfd, (unsigned)instreams);
	/* accept() and every read give up after -t seconds of silence. */
	tv.tv_sec = (time_t)timeout;
	tv.tv_usec = 0;
	if (setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		err(1, "setsockopt SO_RCVTIMEO");
	if (bind(lfd, ai->ai_addr, ai->ai_addrlen) < 0)
		err(1, "bind");
	freeaddrinfo(ai);
	if (listen(lfd, LISTEN_BACKLOG) < 0)
		err(1, "listen");
	if (getsockname(lfd, (struct sockaddr *)&ss, &sslen) < 0)
		err(1, "getsockname");
	print_listening((struct sockaddr *)&ss);

	sslen = sizeof(ss);
	while ((fd = accept(lfd, (struct sockaddr *)&ss, &sslen)) < 0 &&
	       errno == EINTR)
		;
	if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		errx(1, "no sender within %lu s", timeout);
	if (fd < 0)
		err(1, "accept");
	close(lfd);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		err(1, "setsockopt SO_RCVTIMEO");
	t.streams = show_association(
		fd, addr_str((struct sockaddr *)&ss, peer, sizeof(peer)),
		addr_port((struct sockaddr *)&ss));
	if (t.streams == 0) /* it ended before we could ask: what we offered */
		t.streams = (unsigned)instreams;
	t.last_ordered = malloc(t.streams * sizeof(*t.last_ordered));
	if (t.last_ordered == NULL)
		err(1, "malloc");
	for (unsigned s = 0; s < t.streams; s++)
		t.last_ordered[s] = -1;
	fflush(stdout);

	while ((n = receive_message(fd, buf, sizeof(buf), &stream,
				    &unordered)) > 0)
		tally_message(&t, buf, (size_t)n, stream, unordered, verbose);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		warnx("no message for %lu s: giving up", timeout);
	else if (n < 0)
		warn(RECEIVE_CALL);
	close(fd);
	status = report(&t);
	free(t.delay);
	free(t.flow_of);
	free(t.flow);
	free(t.last_ordered);
	return status;
}
