/* SPDX-License-Identifier: 0BSD */
/*
 * stream_receiver - the receiving end of stream_sender: grants inbound
 * streams, then prints one line per message of one association.
 *
 * SCTP_INITMSG before listen() sets how many inbound streams it grants (a
 * sender asking for more gets this many; SCTP_COMM_UP shows both counts).
 * SCTP_RECVRCVINFO adds an SCTP_RCVINFO cmsg to each message: its stream,
 * and whether it was sent unordered. Each message is then one line, for
 * multistream/report.sh: the time, its number of all, its flow of all,
 * its number in that flow (flow.h), its stream, and its one-way delay
 * (our CLOCK_MONOTONIC minus the sender's stamp: one machine only):
 *   10:00:01.234 message 17/400 flow 1/4 #4 stream 1 ordered 21.350 ms
 * An ABORT ends it with exit 1. Built with -DUSE_TCP: tcp_stream_receiver.
 *
 * Try: multistream/stream_receiver -i 8, then stream_sender -o 100
 * Read: sctp(7), recvmsg(2), cmsg(3), RFC 6458 sections 5.3.5
 * (SCTP_RCVINFO), 6.1.1 (SCTP_ASSOC_CHANGE), 8.1.3 (SCTP_INITMSG), 8.1.29
 * (SCTP_RECVRCVINFO).
 */
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/sctp.h>

#include "util.h"
#include "flow.h"

/* One association per run: a measurement, like `iperf3 -s -1`. */
#define LISTEN_BACKLOG 1

static const char options[] =
	"[-a ADDR] [-p PORT] [-i STREAMS] [-h]\n"
	"  -a ADDR     address to listen on (default: every address)\n"
	"  -p PORT     port (default 2013; 0: the kernel picks)\n"
	"  -i STREAMS  inbound streams to grant (default 10; SCTP only)\n"
	"  -h          this help (also --help)\n";

#ifndef USE_TCP
/*
 * One whole message: a long one comes in parts (partial delivery), and
 * the part with MSG_EOR ends it. Its length, 0 at the end, -1 with errno:
 * EMSGSIZE for one longer than CAP (then the receiver gives up).
 */
static ssize_t
recv_msg(int fd, void *buf, size_t cap, struct sctp_rcvinfo *info, int *flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct sctp_rcvinfo))];
		struct cmsghdr align;
	} control;
	size_t have = 0;

	do {
		struct iovec iov = { .iov_base = (char *)buf + have,
				     .iov_len = cap - have };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = control.buf,
				      .msg_controllen = sizeof(control.buf) };
		struct cmsghdr *c;
		ssize_t n;

		if (have == cap) {
			errno = EMSGSIZE;
			return -1;
		}
		n = recvmsg(fd, &msg, 0);
		if (n <= 0)
			return n;
		for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == IPPROTO_SCTP &&
			    c->cmsg_type == SCTP_RCVINFO)
				memcpy(info, CMSG_DATA(c), sizeof(*info));
		have += (size_t)n;
		*flags = msg.msg_flags;
	} while (!(*flags & MSG_EOR));
	return (ssize_t)have;
}
#endif

int
main(int argc, char **argv)
{
	const char *host = NULL, *why;
	unsigned long port = 2013, streams = 10, bad = 0, got = 0;
	int opt, fd, conn, on = 1, flags;
	struct sockaddr_storage ss;
	socklen_t len;
	static unsigned char buf[FLOW_MAX_LENGTH];
	char now[32], peer[ADDR_STRLEN];
	struct sctp_rcvinfo info;
	struct flow_msg m;
	ssize_t n;

	while ((opt = next_opt(argc, argv, ":a:p:i:h", options)) != -1) {
		if (opt == 'a')
			host = optarg;
		else if (opt == 'p')
			port = number_arg(optarg, "port", 0, 65535, options);
		else if (opt == 'i' && TRANSPORT == IPPROTO_TCP)
			usage_error(options, "-i",
				    "TCP has no streams to grant");
		else if (opt == 'i')
			streams = number_arg(optarg, "streams", 1, 65535,
					     options);
	}
	len = addr_arg(host, (unsigned)port, TRANSPORT, &ss, options);
	fd = socket(ss.ss_family, SOCK_STREAM, TRANSPORT);
	if (fd < 0)
		err(1, "socket");
	/* Restarting on a fixed port must not wait for old associations. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0)
		err(1, "setsockopt SO_REUSEADDR");
#ifndef USE_TCP
	struct sctp_initmsg init = { .sinit_max_instreams = (uint16_t)streams };
	struct sctp_event ev = { .se_type = SCTP_ASSOC_CHANGE, .se_on = 1 };

	/* The grant; the SCTP_RCVINFO cmsg; SCTP_ASSOC_CHANGE (COMM_UP has
	 * the streams granted; an ABORT that comes before accept() returns
	 * may leave the new socket no error, only end of file, but a
	 * COMM_LOST). The accepted socket inherits all three. */
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init)) ||
	    setsockopt(fd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on)) ||
	    setsockopt(fd, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev)))
		err(1, "setsockopt SCTP_INITMSG, SCTP_RECVRCVINFO, SCTP_EVENT");
#endif
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		err(1, "bind");
	if (listen(fd, LISTEN_BACKLOG) < 0)
		err(1, "listen");
	print_listening(fd);

	len = sizeof(ss);
	while ((conn = accept(fd, (struct sockaddr *)&ss, &len)) < 0) {
		accept_failed();
		len = sizeof(ss);
	}
	close(fd);
	addr_str((struct sockaddr *)&ss, peer);
#ifdef USE_TCP
	(void)streams; /* TCP has none to grant */
	printf("connection from %s: TCP, one byte stream\n", peer);
#endif
	/* A line as soon as it is known, even into a file or a pipe. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	while ((n = recv_msg(conn, buf, sizeof(buf), &info, &flags)) > 0) {
		if (flags & MSG_NOTIFICATION) {
			struct sctp_assoc_change sac; /* the one subscribed */

			/* COMM_UP comes first: what INIT and INIT-ACK settled
			 * on. */
			memcpy(&sac, buf, sizeof(sac));
			if (sac.sac_state == SCTP_COMM_LOST)
				errx(1, "%s: association lost (an ABORT)",
				     RECV_CALL);
			if (sac.sac_state == SCTP_COMM_UP)
				printf("association from %s: %u inbound "
				       "streams, %u outbound\n",
				       peer, sac.sac_inbound_streams,
				       sac.sac_outbound_streams);
			continue; /* never data */
		}
		if ((why = flow_get(buf, (size_t)n, &m)) != NULL) {
			warnx("a message of %zd bytes on stream %u: %s", n,
			      info.rcv_sid, why);
			bad++;
			continue;
		}
		printf("%s message %u/%u flow %u/%u #%u stream %u %s %.3f ms\n",
		       clock_str(now, sizeof(now)), m.seq, m.count, m.flow,
		       m.flows, m.flow_seq, info.rcv_sid,
		       info.rcv_flags & SCTP_UNORDERED ? "unordered"
						       : "ordered",
		       (double)(int64_t)(flow_now() - m.sent_ns) / 1e6);
		got++;
	}
	if (n < 0 && errno == EMSGSIZE)
		errx(1, "%s: a message longer than %zu bytes", RECV_CALL,
		     sizeof(buf));
	if (n < 0)
		err(1, RECV_CALL);
	printf("%s the sender shut down after %lu messages\n",
	       clock_str(now, sizeof(now)), got);
	return bad ? 1 : 0;
}
