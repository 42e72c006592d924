/* SPDX-License-Identifier: 0BSD */
/*
 * decode.h - one SCTP notification in, one line of words out.
 *
 * Pure functions: they read only the LEN bytes at BUF, write only OUT,
 * keep no state and make no system call, so the programs (sctp_events.c,
 * provoke.c), the unit test (tests/decode_test.c) and the fuzzer
 * (fuzz/decode_fuzz.c) all link the very same code.
 *
 * The line (no time stamp, no newline) starts with the type name, then
 * "assoc=ID", then every field as name=value, for example
 *   ASSOC_CHANGE assoc=3 state=COMM_UP error=0 outbound=10 inbound=10
 * A type it does not know is shown with its number, never dropped:
 *   UNKNOWN type=32790 flags=0x0000 length=8
 * A buffer too short for what it claims to be is reported as such:
 *   ASSOC_CHANGE malformed: sn_length 20 but 12 bytes arrived
 *
 * Read: RFC 6458 section 6 (notifications), sctp(7), linux/sctp.h.
 */
#ifndef SCTP_SAMPLES_DECODE_H
#define SCTP_SAMPLES_DECODE_H

#include <stddef.h>

/* A buffer this big always holds the whole line (lists are capped). */
#define SN_LINE_MAX 1024

enum sn_status {
	SN_OK,	      /* a type this decoder knows, every field decoded */
	SN_UNKNOWN,   /* a sound header, but a type it does not know */
	SN_MALFORMED, /* shorter than its type or its own length says */
};

/*
 * Decode the notification in BUF (LEN bytes, as recvmsg() returned it
 * with MSG_NOTIFICATION, joined up to MSG_EOR) into OUT, always
 * NUL-terminated when OUTLEN > 0, cut short below SN_LINE_MAX.
 */
enum sn_status sn_decode(const void *buf, size_t len, char *out, size_t outlen);

/* The name of notification type TYPE ("ASSOC_CHANGE"), NULL if unknown. */
const char *sn_type_name(unsigned type);

#endif /* SCTP_SAMPLES_DECODE_H */
