/*
 * decode.h - one SCTP notification in, one line of words out.
 *
 * sn_decode() is a pure function: it reads only the LEN bytes at BUF,
 * writes only OUT, keeps no state and makes no system call, so the
 * program (sctp_events.c), its unit test (decode_test.c) and a fuzzer
 * all link the very same code.
 *
 * It checks every length before it reads the bytes behind it. A
 * notification can arrive cut short (a receive buffer that was too
 * small, a reader that stopped before MSG_EOR), and its own length
 * fields may disagree with what arrived: a decoder that trusts
 * sn_length reads past the end of its buffer.
 *
 * The line it writes (no time stamp, no newline) starts with the type
 * name, then "assoc=ID", then every field as name=value, for example
 *   ASSOC_CHANGE assoc=3 state=COMM_UP error=0 outbound=10 inbound=10
 * A type it does not know is shown with its number, never dropped:
 *   UNKNOWN type=32790 flags=0x0000 length=8
 * A buffer too short for what it claims to be is reported as such:
 *   ASSOC_CHANGE malformed: 12 bytes, the structure needs 20
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
 * with MSG_NOTIFICATION, reassembled up to MSG_EOR) into OUT, which is
 * always NUL-terminated when OUTLEN > 0 and cut short if OUTLEN is less
 * than SN_LINE_MAX.
 */
enum sn_status sn_decode(const void *buf, size_t len, char *out, size_t outlen);

#endif /* SCTP_SAMPLES_DECODE_H */
