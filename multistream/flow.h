/* SPDX-License-Identifier: 0BSD */
/*
 * flow.h - the message stream_sender sends and stream_receiver reads.
 *
 * Every message starts with a 24-byte header in network byte order, then
 * filler up to the sender's -l bytes:
 *
 *   offset 0  u16  flow: which flow (0 .. flows-1). First, so that a
 *                  packet filter finds it at a fixed place
 *   offset 2  u16  flows: how many flows the sender runs
 *   offset 4  u32  flow_seq: number of this message within its flow
 *   offset 8  u32  seq: number of this message overall
 *   offset 12 u32  count: how many messages the sender sends
 *   offset 16 u64  sent_ns: CLOCK_MONOTONIC when it was sent, in ns
 *
 * flow_get() is a pure function (it reads only LEN bytes at BUF, keeps no
 * state, makes no system call): the receiver, its unit test
 * (tests/flow_test.c) and the fuzzer (fuzz/stream_receiver_fuzz.c) link
 * the very same code, since the bytes come from whoever connects.
 */
#ifndef SCTP_SAMPLES_FLOW_H
#define SCTP_SAMPLES_FLOW_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define FLOW_HEADER_SIZE 24

struct flow_msg {
	uint16_t flow, flows;
	uint32_t flow_seq, seq, count;
	uint64_t sent_ns;
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

#endif /* SCTP_SAMPLES_FLOW_H */
