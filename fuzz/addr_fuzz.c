/* SPDX-License-Identifier: 0BSD */
/*
 * addr_fuzz.c - libFuzzer target: multihome/addrs.h's addr_next() walking
 * arbitrary bytes as a packed address array, the way multihome_server
 * and multihome_client walk what sctp_getladdrs()/sctp_getpaddrs() hand
 * them, and util.h's addr_str() on every entry it yields.
 *
 * The input, copied to a heap block of exactly its length, is the array.
 * Checked on top of the sanitizers (which catch any read past the
 * block): the walk only moves forward and stays inside the block; it
 * stops only at the end, at a family other than AF_INET/AF_INET6, or at
 * an entry cut short; every text is NUL-terminated within ADDR_STRLEN
 * and reads back, through inet_pton(), as the entry's address and port.
 *
 * Try:
 *   fuzz/run.sh 10 addr
 */
#include <stdint.h>
#include <stdlib.h>

#include "util.h"
#include "../multihome/addrs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The address and port addr_str() wrote into TEXT are those of SA. */
static void
check_text(const struct sockaddr *sa, const char *text)
{
	const struct sockaddr_in *in = (const void *)sa;
	const struct sockaddr_in6 *in6 = (const void *)sa;
	int v6 = sa->sa_family == AF_INET6;
	unsigned char bin[sizeof(struct in6_addr)];
	char addr[ADDR_STRLEN];
	unsigned port;

	if (memchr(text, '\0', ADDR_STRLEN) == NULL)
		abort();
	if (sscanf(text, "%45s port %u", addr, &port) != 2 ||
	    inet_pton(sa->sa_family, addr, bin) != 1 ||
	    memcmp(bin,
		   v6 ? (const void *)&in6->sin6_addr
		      : (const void *)&in->sin_addr,
		   v6 ? sizeof(in6->sin6_addr) : sizeof(in->sin_addr)) != 0 ||
	    port != ntohs(v6 ? in6->sin6_port : in->sin_port))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *array = malloc(size ? size : 1);
	const struct sockaddr *sa;
	char text[ADDR_STRLEN];
	size_t off = 0, was = 0;

	if (array == NULL)
		abort();
	memcpy(array, data, size);
	while ((sa = addr_next(array, size, &off)) != NULL) {
		/* Forward by exactly one entry, inside the block. */
		if ((const unsigned char *)sa != array + was || off <= was ||
		    off > size || off - was != addr_len(sa))
			abort();
		check_text(sa, addr_str(sa, text));
		was = off;
	}
	/* Stopped at the end, or at an entry it must not read. */
	if (off != was)
		abort();
	if (size - off >= sizeof(sa_family_t)) {
		sa = (const void *)(array + off);
		if (addr_len(sa) != 0 && addr_len(sa) <= size - off)
			abort();
	}
	free(array);
	return 0;
}
