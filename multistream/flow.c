/* SPDX-License-Identifier: 0BSD */
/*
 * flow.c - the message header of flow.h, written and read field by field
 * (memcpy, then byte order), never through a cast of the buffer: a
 * message may start at any address.
 */

#include "flow.h"

static void
put(unsigned char *p, uint64_t v, size_t size)
{
	for (size_t i = size; i-- > 0; v >>= 8)
		p[i] = (unsigned char)v;
}

static uint64_t
get(const unsigned char *p, size_t size)
{
	uint64_t v = 0;

	for (size_t i = 0; i < size; i++)
		v = v << 8 | p[i];
	return v;
}

void
flow_put(unsigned char *buf, const struct flow_msg *m)
{
	put(buf + 0, m->flow, 2);
	put(buf + 2, m->flows, 2);
	put(buf + 4, m->flow_seq, 4);
	put(buf + 8, m->seq, 4);
	put(buf + 12, m->count, 4);
	put(buf + 16, m->sent_ns, 8);
}

const char *
flow_get(const unsigned char *buf, size_t len, struct flow_msg *m)
{
	if (len < FLOW_HEADER_SIZE)
		return "shorter than the 24-byte header";
	m->flow = (uint16_t)get(buf + 0, 2);
	m->flows = (uint16_t)get(buf + 2, 2);
	m->flow_seq = (uint32_t)get(buf + 4, 4);
	m->seq = (uint32_t)get(buf + 8, 4);
	m->count = (uint32_t)get(buf + 12, 4);
	m->sent_ns = get(buf + 16, 8);
	if (m->flow >= m->flows)
		return "flow number not below the number of flows";
	if (m->seq >= m->count)
		return "message number not below the count";
	if (m->flow_seq > m->seq)
		return "more messages in its flow than in all";
	return NULL;
}
