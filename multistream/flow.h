/* SPDX-License-Identifier: 0BSD */
/*
 * flow.h - the message stream_sender sends and stream_receiver reads.
 *
 * Every message starts with a 24-byte header in network byte order, then
 * filler up to the sender's -l bytes. flow_get() is a pure function (it
 * reads only LEN bytes at BUF, keeps no state, makes no system call): the
 * receiver, its unit test (tests/flow_test.c) and the fuzzer
 * (fuzz/stream_receiver_fuzz.c) link the very same code, since the bytes
 * come from whoever connects.
 */
#ifndef SCTP_SAMPLES_FLOW_H
#define SCTP_SAMPLES_FLOW_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define FLOW_HEADER_SIZE 24
#define FLOW_MAX_LENGTH 65536 /* the longest message, the receiver's buffer */

struct flow_msg {	   /* offset, size in the header: */
	uint16_t flow;	   /* 0, 2: 0 .. flows-1; first, so that a packet
			    * filter finds it at a fixed place */
	uint16_t flows;	   /* 2, 2: how many flows the sender runs */
	uint32_t flow_seq; /* 4, 4: number of this message in its flow */
	uint32_t seq;	   /* 8, 4: number of this message overall */
	uint32_t count;	   /* 12, 4: how many messages the sender sends */
	uint64_t sent_ns;  /* 16, 8: flow_now() when it was sent */
};

#define NSEC_PER_SEC 1000000000ULL

/* The clock of sent_ns: NTP never steps it, network namespaces share it. */
static inline uint64_t
flow_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Write M's header into the first FLOW_HEADER_SIZE bytes of BUF. */
void flow_put(unsigned char *buf, const struct flow_msg *m);

/*
 * Read the header of a message of LEN bytes into M. Returns NULL, or why
 * the bytes are no header stream_sender could have written.
 */
const char *flow_get(const unsigned char *buf, size_t len, struct flow_msg *m);

/* What the twins built with -DUSE_TCP (tcp_stream_*) change: the
 * protocol, the call a receiving error names, how a message is framed. */
#ifndef USE_TCP
#define TRANSPORT IPPROTO_SCTP
#define RECV_CALL "recvmsg"
#else
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/sctp.h>

#define TRANSPORT IPPROTO_TCP
#define RECV_CALL "recv"

/*
 * TCP keeps no boundaries: each message goes behind a 4-byte length (in
 * network byte order), the two in one call. A blocking send is short only
 * when a signal cuts it, and neither program catches one. TCP has one
 * byte stream: no stream, no ppid, no flags.
 */
static inline int
send_msg(int fd, const void *buf, size_t len, uint16_t sid, uint32_t ppid,
	 uint16_t flags)
{
	uint32_t prefix = htonl((uint32_t)len);
	struct iovec iov[2] = { { &prefix, 4 }, { (void *)buf, len } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = 2 };

	(void)sid, (void)ppid, (void)flags;
	return sendmsg(fd, &msg, MSG_NOSIGNAL) == (ssize_t)(4 + len) ? 0 : -1;
}

/* LEN bytes however TCP cuts them: LEN, 0 at the end, -1 if cut short. */
static inline ssize_t
recv_all(int fd, void *buf, size_t len)
{
	ssize_t n = recv(fd, buf, len, MSG_WAITALL);

	if (n > 0 && (size_t)n < len)
		errno = ECONNRESET; /* the sender stopped mid-message */
	return n > 0 && (size_t)n < len ? -1 : n;
}

/* The receiving side: a message ends where its length says. Returns its
 * length, 0 at the end, -1 with errno (EMSGSIZE: longer than CAP). */
static inline ssize_t
recv_msg(int fd, void *buf, size_t cap, struct sctp_rcvinfo *info, int *flags)
{
	uint32_t len;
	ssize_t n = recv_all(fd, &len, sizeof(len));

	memset(info, 0, sizeof(*info)); /* one byte stream: "stream 0" */
	*flags = MSG_EOR;
	if (n <= 0)
		return n;
	if (ntohl(len) > cap) {
		errno = EMSGSIZE;
		return -1;
	}
	return recv_all(fd, buf, ntohl(len));
}
#endif /* USE_TCP */

#endif /* SCTP_SAMPLES_FLOW_H */
