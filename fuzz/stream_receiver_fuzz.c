/* SPDX-License-Identifier: 0BSD */
/*
 * stream_receiver_fuzz.c - libFuzzer target: multistream/flow.c's
 * flow_get(), which stream_receiver runs on every message a peer sends.
 *
 * Checks on top of the sanitizers:
 *   - it accepts only what its own rules allow: at least the 24-byte
 *     header, flow below flows, seq below count, flow_seq at most seq;
 *   - what it accepts, flow_put() writes back byte for byte: the two
 *     sides of flow.h agree on the layout.
 *
 * Try:
 *   fuzz/run.sh 10 stream_receiver
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../multistream/flow.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char again[FLOW_HEADER_SIZE];
	struct flow_msg m;
	const char *why = flow_get(data, size, &m);

	if (why != NULL)
		return 0;
	if (size < FLOW_HEADER_SIZE || m.flow >= m.flows || m.seq >= m.count ||
	    m.flow_seq > m.seq) {
		fprintf(stderr, "accepted: %zu bytes, flow %u/%u, seq %u/%u\n",
			size, m.flow, m.flows, m.seq, m.count);
		abort();
	}
	flow_put(again, &m);
	if (memcmp(again, data, FLOW_HEADER_SIZE) != 0) {
		fprintf(stderr, "flow_put() does not give back the header\n");
		abort();
	}
	return 0;
}
