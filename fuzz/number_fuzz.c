/* SPDX-License-Identifier: 0BSD */
/*
 * number_fuzz.c - libFuzzer target: parse_number() from common/util.h,
 * on arbitrary text, with any bounds and with a port's (0 to 65535).
 *
 * Every program turns its command line into numbers with it (through
 * number_arg()), and
 * a number on a command line is whatever a script or a user typed. The
 * target checks them against a plain reference: the text is accepted
 * exactly when it is one or more decimal digits (no sign, no space, no
 * suffix) whose value lies in [min, max], and then the value is right.
 * The bounds come from the input too, so every range is tried, 0 to
 * ULONG_MAX included.
 *
 * Try:
 *   fuzz/run.sh 10 number
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bytes of input that choose the bounds: two unsigned longs. */
#define BOUNDS_SIZE (2 * sizeof(unsigned long))

/* The reference: all digits, no overflow, in range. */
static bool
reference(const char *s, unsigned long min, unsigned long max,
	  unsigned long *out)
{
	unsigned long v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (*s < '0' || *s > '9')
			return false;
		if (v > (ULONG_MAX - d) / 10)
			return false; /* does not fit */
		v = v * 10 + d;
	}
	*out = v;
	return v >= min && v <= max;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long min = 0, max = ULONG_MAX, got = 0, want = 0;
	bool ok, ref;
	char *text;

	if (size >= BOUNDS_SIZE) {
		memcpy(&min, data, sizeof(min));
		memcpy(&max, data + sizeof(min), sizeof(max));
		data += BOUNDS_SIZE;
		size -= BOUNDS_SIZE;
	}
	/* A C string of exactly the input, as argv would hold it. */
	text = malloc(size + 1);
	if (text == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	if (strlen(text) != size) { /* argv strings hold no NUL */
		free(text);
		return 0;
	}

	ok = parse_number(text, "fuzz", min, max, &got) == 0;
	ref = reference(text, min, max, &want);
	if (ok != ref || (ok && got != want)) {
		fprintf(stderr,
			"parse_number(\"%s\", %lu..%lu) %s %lu; "
			"the reference %s %lu\n",
			text, min, max, ok ? "accepts" : "refuses", got,
			ref ? "accepts" : "refuses", want);
		abort();
	}

	/* A port, as every program asks for one. */
	ok = parse_number(text, "port", 0, UINT16_MAX, &got) == 0;
	ref = reference(text, 0, UINT16_MAX, &want);
	if (ok != ref || (ok && got != want)) {
		fprintf(stderr, "port \"%s\": %s %lu; the reference %s %lu\n",
			text, ok ? "accepts" : "refuses", got,
			ref ? "accepts" : "refuses", want);
		abort();
	}
	free(text);
	return 0;
}
