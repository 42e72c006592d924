/* SPDX-License-Identifier: 0BSD */
/*
 * flow_test.c - unit test of multistream/flow.c, the message header
 * stream_sender writes and stream_receiver reads: a round trip, the
 * bytes on the wire at their offsets (what hol-experiment.sh's packet
 * filter reads), and every header flow_get() must refuse, with its
 * reason. Prints one line per failure; exit status 0 when none.
 */
#include <stdio.h>
#include <string.h>

#include "../multistream/flow.h"

static int failures;

static void
check(int ok, const char *what)
{
	if (!ok) {
		printf("FAIL: %s\n", what);
		failures++;
	}
}

/* The reason flow_get() gives for M written out, LEN bytes of it. */
static const char *
refused(struct flow_msg m, size_t len)
{
	unsigned char buf[FLOW_HEADER_SIZE];
	struct flow_msg out;

	flow_put(buf, &m);
	return flow_get(buf, len, &out);
}

int
main(void)
{
	struct flow_msg m = { .flow = 2,
			      .flows = 4,
			      .flow_seq = 0x01020304,
			      .seq = 0x11223344,
			      .count = 0x55667788,
			      .sent_ns = 0x0102030405060708ULL },
			out;
	static const unsigned char wire[FLOW_HEADER_SIZE] = {
		0x00, 0x02, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04,
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
	};
	unsigned char buf[FLOW_HEADER_SIZE + 8];
	const char *why;

	flow_put(buf, &m);
	check(memcmp(buf, wire, sizeof(wire)) == 0,
	      "flow_put: network byte order at the documented offsets");
	why = flow_get(buf, sizeof(buf), &out);
	check(why == NULL, "flow_get: a sound header, with filler after it");
	check(memcmp(&m, &out, sizeof(m)) == 0, "flow_get: the round trip");

	check(refused(m, FLOW_HEADER_SIZE - 1) != NULL &&
		      strstr(refused(m, 23), "shorter") != NULL,
	      "23 bytes: too short");
	check(refused(m, 0) != NULL, "0 bytes: too short");
	m.flow = 4;
	check(refused(m, sizeof(wire)) != NULL, "flow 4 of 4: refused");
	m.flow = 0, m.flows = 0;
	check(refused(m, sizeof(wire)) != NULL, "0 flows: refused");
	m.flows = 1, m.seq = m.count;
	check(refused(m, sizeof(wire)) != NULL, "seq = count: refused");
	m.seq = 5, m.flow_seq = 6;
	check(refused(m, sizeof(wire)) != NULL, "flow_seq above seq: refused");
	m.flow_seq = 5;
	check(refused(m, sizeof(wire)) == NULL, "flow_seq = seq: accepted");
	if (failures == 0)
		printf("flow.c: every check passed\n");
	return failures ? 1 : 0;
}
