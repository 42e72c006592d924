/* SPDX-License-Identifier: 0BSD */
/*
 * decode_fuzz.c - libFuzzer target: the notification decoder,
 * sn_decode() in events/decode.c, on arbitrary bytes.
 *
 * A notification comes from the kernel, but its variable parts (abort
 * causes, the chunk of a failed send, stream lists) carry what the peer
 * put on the wire, and a short read cuts any of it. The decoder must
 * read only the LEN bytes it is given and write only OUTLEN bytes. So
 * each input goes in a heap block of exactly its size (AddressSanitizer
 * sees one byte too far) and is decoded twice: into a full line, and
 * into a small buffer whose size the first input byte picks. Checked on
 * top of the sanitizers: the line is always NUL-terminated within its
 * buffer, the status is one of the three, a malformed input says
 * "malformed", and the short line is the start of the full one.
 *
 * Try:
 *   fuzz/run.sh 10 decode
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../events/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A guard byte after the small output buffer. */
#define GUARD 0xa5

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char line[SN_LINE_MAX], small[SN_LINE_MAX + 1];
	size_t smallen = 0;
	enum sn_status st, st2;
	unsigned char *copy;

	if (size > 0) {
		smallen = data[0] % (sizeof(small) - 1);
		data++;
		size--;
	}
	copy = malloc(size ? size : 1);
	if (copy == NULL)
		abort();
	memcpy(copy, data, size);

	st = sn_decode(copy, size, line, sizeof(line));
	if (st != SN_OK && st != SN_UNKNOWN && st != SN_MALFORMED)
		abort();
	if (memchr(line, '\0', sizeof(line)) == NULL)
		abort();
	if (st == SN_MALFORMED && strstr(line, " malformed: ") == NULL)
		abort();

	memset(small, GUARD, sizeof(small));
	st2 = sn_decode(copy, size, small, smallen);
	if (st2 != st || small[smallen] != (char)GUARD)
		abort();
	if (smallen > 0 && (memchr(small, '\0', smallen) == NULL ||
			    strncmp(small, line, strlen(small)) != 0))
		abort();
	free(copy);
	return 0;
}
