/* SPDX-License-Identifier: 0BSD */
/*
 * stream_sender - several flows over one SCTP association, one stream per
 * flow, so that a lost packet holds up only its own stream.
 *
 * It asks for streams with SCTP_INITMSG before connect(), reads from
 * SCTP_STATUS how many the receiver granted, and sends COUNT messages
 * round-robin over its flows, flow f on stream f modulo the streams, each
 * stamped (flow.h) and with an SCTP_SNDINFO that picks its stream and
 * flags. -s 0: every flow on one ordered stream (head-of-line blocking);
 * -u: unordered. Built -DUSE_TCP: tcp_stream_sender, one byte stream.
 *
 * Try: multistream/stream_receiver, then multistream/stream_sender -s 0
 * Read: sctp(7), sctp_sendv(3), RFC 6458 sections 5.3.4 (SCTP_SNDINFO),
 * 8.1.3 (SCTP_INITMSG), 8.1.5 (SCTP_NODELAY), 8.2.1 (SCTP_STATUS).
 */
#include <signal.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/sctp.h>

#include "util.h"
#include "flow.h"

#define MAX_COUNT 10000000 /* sanity limits, not the protocol's */
#define MAX_RATE 1000000
#define NO_STREAM 65535 /* no -s: a stream per flow (65535 is none) */

#ifdef USE_TCP
#define NODELAY TCP_NODELAY
#define OPTS ":a:p:f:c:l:r:h"
static const char options[] =
	"[-a ADDR] [-p PORT] [-f FLOWS] [-c COUNT] [-l LENGTH] [-r RATE] [-h]\n"
#else
#define NODELAY SCTP_NODELAY
#define OPTS ":a:p:o:f:c:l:r:s:uh"
static const char options[] =
	"[-a ADDR] [-p PORT] [-o STREAMS] [-f FLOWS] [-c COUNT] [-l LENGTH]\n"
	"       [-r RATE] [-s STREAM] [-u] [-h]\n"
	"  -o STREAMS  outbound streams to ask for (default 4)\n"
	"  -s STREAM   send every flow on this one stream\n"
	"  -u          send unordered (SCTP_UNORDERED)\n"
#endif
	"  -a ADDR     receiver address (default 127.0.0.1)\n"
	"  -p PORT     receiver port (default 2013)\n"
	"  -f FLOWS    flows (default: one per stream; TCP: 4)\n"
	"  -c COUNT    messages to send (default 1000)\n"
	"  -l LENGTH   bytes per message, 24 to 65536 (default 64)\n"
	"  -r RATE     messages per second, 0: at once (default 200)\n"
	"  -h          this help (also --help)\n";

#ifndef USE_TCP
/* One message on stream SID: the stream and flags are set per message. */
static int
send_msg(int fd, const void *buf, size_t len, uint16_t sid, uint32_t ppid,
	 uint16_t flags)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct sctp_sndinfo info = { .snd_sid = sid,
				     .snd_flags = flags,
				     .snd_ppid = htonl(ppid) };
	ssize_t n = sctp_sendv(fd, &iov, 1, NULL, 0, &info, sizeof(info),
			       SCTP_SENDV_SNDINFO, 0);

	return n < 0 ? -1 : 0;
}
#endif

int
main(int argc, char **argv)
{
	const char *host = "127.0.0.1";
	unsigned long port = 2013, want = 4, flows = 0; /* receiver's port */
	unsigned long count = 1000, length = 64, rate = 200;
	unsigned long stream = NO_STREAM;
	int opt, fd, on = 1;
	uint16_t flags = 0, streams = 1;
	static unsigned char buf[FLOW_MAX_LENGTH]; /* the header, then zeros */
	struct sockaddr_storage ss;
	socklen_t len;

	while ((opt = next_opt(argc, argv, OPTS, options)) != -1) {
		if (opt == 'a')
			host = optarg;
		else if (opt == 'p')
			port = number_arg(optarg, "port", 0, 65535, options);
		else if (opt == 'o')
			want = number_arg(optarg, "streams", 1, 65535, options);
		else if (opt == 'f')
			flows = number_arg(optarg, "flows", 1, 65535, options);
		else if (opt == 'c')
			count = number_arg(optarg, "count", 1, MAX_COUNT,
					   options);
		else if (opt == 'l')
			length = number_arg(optarg, "length", FLOW_HEADER_SIZE,
					    FLOW_MAX_LENGTH, options);
		else if (opt == 'r')
			rate = number_arg(optarg, "rate", 0, MAX_RATE, options);
		else if (opt == 's')
			stream =
				number_arg(optarg, "stream", 0, 65534, options);
		else
			flags = SCTP_UNORDERED;
	}
	/* sctp_sendv() has no MSG_NOSIGNAL: a vanished peer is an error. */
	signal(SIGPIPE, SIG_IGN);
	len = addr_arg(host, (unsigned)port, TRANSPORT, &ss, options);

	fd = socket(ss.ss_family, SOCK_STREAM, TRANSPORT);
	if (fd < 0)
		err(1, "socket");
	/* No Nagle: bundled messages would share a packet and its loss. */
	if (setsockopt(fd, TRANSPORT, NODELAY, &on, sizeof(on)) < 0)
		err(1, "setsockopt NODELAY");
#ifndef USE_TCP
	struct sctp_initmsg init = { .sinit_num_ostreams = (uint16_t)want };
	struct sctp_status status;

	if (setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init)) < 0)
		err(1, "setsockopt SCTP_INITMSG");
#endif
	if (connect(fd, (struct sockaddr *)&ss, len) < 0)
		err(1, "connect");
#ifndef USE_TCP
	/* The INIT carried our wish, the INIT-ACK the receiver's limit. */
	len = sizeof(status);
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_STATUS, &status, &len) < 0)
		err(1, "getsockopt SCTP_STATUS");
	streams = status.sstat_outstrms;
	printf("asked for %lu outbound streams, the receiver granted %u\n",
	       want, streams);
	want = streams; /* by default one flow per stream */
#else
	printf("TCP: %lu flows share one byte stream\n", flows ? flows : want);
#endif
	flows = flows ? flows : want;
	fflush(stdout);

	uint64_t start = flow_now();
	for (unsigned long i = 0; i < count; i++) {
		struct flow_msg m = { .flow = (uint16_t)(i % flows),
				      .flows = (uint16_t)flows,
				      .flow_seq = (uint32_t)(i / flows),
				      .seq = (uint32_t)i,
				      .count = (uint32_t)count };
		uint16_t sid = (uint16_t)(stream == NO_STREAM ? m.flow % streams
							      : stream);

		/* Never a burst: it would queue behind the congestion window.
		 */
		if (rate)
			usleep((useconds_t)(1000000 / rate));
		m.sent_ns = flow_now(); /* last, so the delay starts here */
		flow_put(buf, &m);
		if (send_msg(fd, buf, length, sid, 0, flags) < 0)
			err(1, "sendmsg: stream %u (streams: 0 to %u)", sid,
			    streams - 1);
	}
	printf("sent %lu messages of %lu bytes on %lu flows in %.3f s%s\n",
	       count, length, flows, (double)(flow_now() - start) / 1e9,
	       flags ? ", unordered" : "");
	/* A graceful end: what is queued is still delivered after we exit. */
	if (close(fd) < 0)
		err(1, "close");
	return 0;
}
