/* SPDX-License-Identifier: 0BSD */
/*
 * decode_test.c - unit tests for the notification decoder (decode.c).
 *
 * Every notification type is built by hand, byte for byte, and the line
 * sn_decode() writes is compared with the expected one. Then the same
 * buffers are cut short at every length, and their length fields made
 * to lie: each must come back SN_MALFORMED, never read past the end.
 * Each buffer is handed over in a heap block of exactly its length, so
 * `make SANITIZE=1` or valgrind catches a single byte read too far.
 *
 * Try:
 *   $ make tests/decode_test && tests/decode_test
 *   ok 1 - ASSOC_CHANGE COMM_UP
 *   ...
 *   decode_test: 66 passed, 0 failed
 *
 * Read: events/decode.h, RFC 6458 section 6.1, /usr/include/linux/sctp.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/sctp.h>

#include "../events/decode.h"

/* Room for any notification built here. */
#define BUILD_MAX 512
/* A sentinel the decoder must not write over. */
#define CANARY 0x5a

static int passed, failed;

/*
 * Decode LEN bytes of BUF (copied to a block of exactly LEN bytes) and
 * compare: WANT must match the whole line, or only its start when it
 * ends with '*'.
 */
static void
expect(const char *what, const void *buf, size_t len, enum sn_status want_st,
       const char *want)
{
	char out[SN_LINE_MAX];
	unsigned char *copy = malloc(len ? len : 1);
	enum sn_status st;
	size_t wlen = strlen(want);
	bool ok;

	if (!copy) {
		perror("malloc");
		exit(1);
	}
	memcpy(copy, buf, len);
	st = sn_decode(copy, len, out, sizeof(out));
	free(copy);
	if (wlen && want[wlen - 1] == '*')
		ok = strncmp(out, want, wlen - 1) == 0;
	else
		ok = strcmp(out, want) == 0;
	ok = ok && st == want_st;
	if (ok) {
		passed++;
		printf("ok %d - %s\n", passed + failed, what);
	} else {
		failed++;
		printf("not ok %d - %s\n#   want (%d) %s\n#   got  (%d) %s\n",
		       passed + failed, what, want_st, want, st, out);
	}
}

/* A plain pass/fail line for checks that are not a decode. */
static void
verdict(const char *what, bool ok)
{
	if (ok)
		passed++;
	else
		failed++;
	printf("%sok %d - %s\n", ok ? "" : "not ", passed + failed, what);
}

/* The header every notification starts with. */
static void
header(unsigned char *b, uint16_t type, uint32_t length)
{
	uint16_t flags = 0;

	memcpy(b, &type, sizeof(type));
	memcpy(b + 2, &flags, sizeof(flags));
	memcpy(b + 4, &length, sizeof(length));
}

/* Set sn_length after the buffer was built. */
static void
set_length(unsigned char *b, uint32_t length)
{
	memcpy(b + 4, &length, sizeof(length));
}

/* Every length from 0 to LEN - 1, with sn_length saying LEN: the decoder
 * must see that the bytes it was promised did not all arrive. */
static void
cut_everywhere(const char *name, const unsigned char *b, size_t len)
{
	char what[128];
	int bad = 0;

	for (size_t n = 0; n < len; n++) {
		char out[SN_LINE_MAX];
		unsigned char *copy = malloc(n ? n : 1);

		if (!copy) {
			perror("malloc");
			exit(1);
		}
		memcpy(copy, b, n);
		if (sn_decode(copy, n, out, sizeof(out)) != SN_MALFORMED ||
		    !strstr(out, "malformed: ")) {
			printf("#   %s cut at %zu: %s\n", name, n, out);
			bad++;
		}
		free(copy);
	}
	snprintf(what, sizeof(what), "%s cut at every length is malformed",
		 name);
	verdict(what, bad == 0);
}

/* sn_length and the buffer agree, but are too short for the structure. */
static void
short_struct(const char *name, uint16_t type, size_t size)
{
	unsigned char b[BUILD_MAX];
	char want[128], what[128];

	memset(b, 0, sizeof(b));
	header(b, type, (uint32_t)(size - 1));
	snprintf(want, sizeof(want), "%s malformed: sn_length %zu, *", name,
		 size - 1);
	snprintf(what, sizeof(what), "%s one byte short of its structure",
		 name);
	expect(what, b, size - 1, SN_MALFORMED, want);
}

static void
test_assoc_change(void)
{
	unsigned char b[BUILD_MAX];
	struct sctp_assoc_change sac;
	/* An ABORT's causes: User-Initiated Abort "bye" (7 bytes + 1 pad),
	 * then Protocol Violation with no text. */
	static const unsigned char causes[] = { 0x00, 0x0c, 0x00, 0x07,
						'b',  'y',  'e',  0x00,
						0x00, 0x0d, 0x00, 0x04 };

	memset(&sac, 0, sizeof(sac));
	sac.sac_type = SCTP_ASSOC_CHANGE;
	sac.sac_length = sizeof(sac);
	sac.sac_state = SCTP_COMM_UP;
	sac.sac_outbound_streams = 10;
	sac.sac_inbound_streams = 5;
	sac.sac_assoc_id = 3;
	memcpy(b, &sac, sizeof(sac));
	expect("ASSOC_CHANGE COMM_UP", b, sizeof(sac), SN_OK,
	       "ASSOC_CHANGE assoc=3 state=COMM_UP error=0 outbound=10 "
	       "inbound=5");
	cut_everywhere("ASSOC_CHANGE", b, sizeof(sac));
	short_struct("ASSOC_CHANGE", SCTP_ASSOC_CHANGE, sizeof(sac));

	sac.sac_state = SCTP_COMM_LOST;
	sac.sac_error = htons(12); /* as Linux stores it */
	sac.sac_outbound_streams = sac.sac_inbound_streams = 0;
	sac.sac_length = sizeof(sac) + sizeof(causes);
	memcpy(b, &sac, sizeof(sac));
	memcpy(b + sizeof(sac), causes, sizeof(causes));
	expect("ASSOC_CHANGE COMM_LOST with the ABORT's causes", b,
	       sac.sac_length, SN_OK,
	       "ASSOC_CHANGE assoc=3 state=COMM_LOST "
	       "error=USER_INITIATED_ABORT "
	       "outbound=0 inbound=0 causes=USER_INITIATED_ABORT"
	       "[info=627965],PROTOCOL_VIOLATION");
	cut_everywhere("ASSOC_CHANGE with causes", b, sac.sac_length);

	/* The second cause claims 8 bytes where 4 remain. */
	b[sizeof(sac) + 11] = 8;
	expect("ASSOC_CHANGE whose cause overruns is malformed", b,
	       sac.sac_length, SN_MALFORMED,
	       "ASSOC_CHANGE malformed: its variable part*");
	/* A cause length below its own header. */
	b[sizeof(sac) + 11] = 2;
	expect("ASSOC_CHANGE with a cause length of 2 is malformed", b,
	       sac.sac_length, SN_MALFORMED, "ASSOC_CHANGE malformed: *");
	/* Two stray bytes after the causes. */
	b[sizeof(sac) + 11] = 4;
	set_length(b, sac.sac_length + 2);
	expect("ASSOC_CHANGE with 2 stray bytes is malformed", b,
	       sac.sac_length + 2, SN_MALFORMED, "ASSOC_CHANGE malformed: *");

	sac.sac_state = 99;
	sac.sac_error = 0;
	sac.sac_length = sizeof(sac);
	memcpy(b, &sac, sizeof(sac));
	expect("ASSOC_CHANGE with an unknown state shows its number", b,
	       sizeof(sac), SN_OK,
	       "ASSOC_CHANGE assoc=3 state=99 error=0 outbound=0 inbound=0");
}

static void
test_paddr_change(void)
{
	unsigned char b[BUILD_MAX];
	struct sctp_paddr_change spc;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(&spc, 0, sizeof(spc));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(5000);
	inet_pton(AF_INET, "127.0.0.2", &sin.sin_addr);
	spc.spc_type = SCTP_PEER_ADDR_CHANGE;
	spc.spc_length = sizeof(spc);
	memcpy(&spc.spc_aaddr, &sin, sizeof(sin));
	spc.spc_state = SCTP_ADDR_UNREACHABLE;
	spc.spc_error = SCTP_FAILED_THRESHOLD;
	spc.spc_assoc_id = 7;
	memcpy(b, &spc, sizeof(spc));
	expect("PEER_ADDR_CHANGE ADDR_UNREACHABLE, IPv4", b, sizeof(spc), SN_OK,
	       "PEER_ADDR_CHANGE assoc=7 addr=127.0.0.2 port=5000 "
	       "state=ADDR_UNREACHABLE error=FAILED_THRESHOLD");
	cut_everywhere("PEER_ADDR_CHANGE", b, sizeof(spc));
	short_struct("PEER_ADDR_CHANGE", SCTP_PEER_ADDR_CHANGE, sizeof(spc));

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(6000);
	inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr);
	memcpy(&spc.spc_aaddr, &sin6, sizeof(sin6));
	spc.spc_state = SCTP_ADDR_POTENTIALLY_FAILED;
	spc.spc_error = 42;
	memcpy(b, &spc, sizeof(spc));
	expect("PEER_ADDR_CHANGE ADDR_POTENTIALLY_FAILED, IPv6", b, sizeof(spc),
	       SN_OK,
	       "PEER_ADDR_CHANGE assoc=7 addr=2001:db8::1 port=6000 "
	       "state=ADDR_POTENTIALLY_FAILED error=42");

	spc.spc_aaddr.ss_family = AF_UNIX;
	memcpy(b, &spc, sizeof(spc));
	expect("PEER_ADDR_CHANGE with a foreign address family", b, sizeof(spc),
	       SN_OK,
	       "PEER_ADDR_CHANGE assoc=7 addr=? port=0 "
	       "state=ADDR_POTENTIALLY_FAILED error=42");
}

static void
test_remote_error(void)
{
	unsigned char b[BUILD_MAX];
	struct sctp_remote_error sre;
	static const unsigned char chunk[] = { 0x7f, 0x00, 0x00, 0x04 };
	static const unsigned char stream[] = { 0x00, 0x09, 0x00, 0x00 };

	memset(&sre, 0, sizeof(sre));
	sre.sre_type = SCTP_REMOTE_ERROR;
	sre.sre_length = sizeof(sre) + sizeof(chunk);
	sre.sre_error = htons(6); /* on the wire: network order */
	sre.sre_assoc_id = 4;
	memcpy(b, &sre, sizeof(sre));
	memcpy(b + sizeof(sre), chunk, sizeof(chunk));
	expect("REMOTE_ERROR Unrecognized Chunk Type", b, sre.sre_length, SN_OK,
	       "REMOTE_ERROR assoc=4 error=UNRECOGNIZED_CHUNK_TYPE"
	       "[chunk=0x7f,flags=0x00,length=4]");
	cut_everywhere("REMOTE_ERROR", b, sre.sre_length);
	short_struct("REMOTE_ERROR", SCTP_REMOTE_ERROR, sizeof(sre));

	sre.sre_error = htons(1);
	memcpy(b, &sre, sizeof(sre));
	memcpy(b + sizeof(sre), stream, sizeof(stream));
	expect("REMOTE_ERROR Invalid Stream Identifier", b, sre.sre_length,
	       SN_OK,
	       "REMOTE_ERROR assoc=4 error=INVALID_STREAM_IDENTIFIER"
	       "[info=00090000]");

	sre.sre_error = htons(0x1234);
	memcpy(b, &sre, sizeof(sre));
	expect("REMOTE_ERROR with an unknown cause shows its code", b,
	       sre.sre_length, SN_OK,
	       "REMOTE_ERROR assoc=4 error=CAUSE_4660[info=00090000]");
}

static void
test_send_failed(void)
{
	unsigned char b[BUILD_MAX];
	struct sctp_send_failed ssf;
	struct sctp_send_failed_event ssfe;

	memset(&ssf, 0, sizeof(ssf));
	ssf.ssf_type = SCTP_SEND_FAILED;
	ssf.ssf_length = sizeof(ssf) + 2;
	ssf.ssf_flags = SCTP_DATA_SENT;
	ssf.ssf_info.sinfo_stream = 2;
	ssf.ssf_info.sinfo_flags = 0x03; /* B and E: a whole message */
	ssf.ssf_info.sinfo_ppid = htonl(7);
	ssf.ssf_info.sinfo_context = 9;
	ssf.ssf_info.sinfo_timetolive = 300;
	ssf.ssf_assoc_id = 6;
	memcpy(b, &ssf, sizeof(ssf));
	memcpy(b + sizeof(ssf), "hi", 2);
	expect("SEND_FAILED, sent", b, ssf.ssf_length, SN_OK,
	       "SEND_FAILED assoc=6 flags=SENT error=0 stream=2 ssn=0 "
	       "chunk_flags=FIRST_FRAG|LAST_FRAG ppid=7 context=9 ttl=300 "
	       "tsn=0 bytes=2 data=6869");
	cut_everywhere("SEND_FAILED", b, ssf.ssf_length);
	short_struct("SEND_FAILED", SCTP_SEND_FAILED, sizeof(ssf));

	memset(&ssfe, 0, sizeof(ssfe));
	ssfe.ssf_type = SCTP_SEND_FAILED_EVENT;
	ssfe.ssf_length = sizeof(ssfe) + 20;
	ssfe.ssf_flags = SCTP_DATA_UNSENT;
	ssfe.ssf_error = 5;
	ssfe.ssfe_info.snd_sid = 1;
	ssfe.ssfe_info.snd_flags = 0x01 | 0x04 | 0x40; /* E, U, unknown */
	ssfe.ssf_assoc_id = 6;
	memcpy(b, &ssfe, sizeof(ssfe));
	memcpy(b + sizeof(ssfe), "abcdefghijklmnopqrst", 20);
	expect("SEND_FAILED_EVENT, unsent, long data", b, ssfe.ssf_length,
	       SN_OK,
	       "SEND_FAILED_EVENT assoc=6 flags=UNSENT error=5 stream=1 "
	       "chunk_flags=LAST_FRAG|UNORDERED|0x40 ppid=0 context=0 bytes=20 "
	       "data=6162636465666768696a6b6c6d6e6f70...");
	cut_everywhere("SEND_FAILED_EVENT", b, ssfe.ssf_length);
	short_struct("SEND_FAILED_EVENT", SCTP_SEND_FAILED_EVENT, sizeof(ssfe));
}

/* The types with nothing but an association id after the header. */
static void
test_bare(void)
{
	unsigned char b[BUILD_MAX];
	struct sctp_shutdown_event sse = { .sse_type = SCTP_SHUTDOWN_EVENT,
					   .sse_length = sizeof(sse),
					   .sse_assoc_id = 8 };
	struct sctp_sender_dry_event sd = { .sender_dry_type =
						    SCTP_SENDER_DRY_EVENT,
					    .sender_dry_length = sizeof(sd),
					    .sender_dry_assoc_id = 9 };

	memcpy(b, &sse, sizeof(sse));
	expect("SHUTDOWN_EVENT", b, sizeof(sse), SN_OK,
	       "SHUTDOWN_EVENT assoc=8");
	cut_everywhere("SHUTDOWN_EVENT", b, sizeof(sse));
	short_struct("SHUTDOWN_EVENT", SCTP_SHUTDOWN_EVENT, sizeof(sse));

	memcpy(b, &sd, sizeof(sd));
	expect("SENDER_DRY_EVENT", b, sizeof(sd), SN_OK,
	       "SENDER_DRY_EVENT assoc=9");
	cut_everywhere("SENDER_DRY_EVENT", b, sizeof(sd));
	short_struct("SENDER_DRY_EVENT", SCTP_SENDER_DRY_EVENT, sizeof(sd));
}

static void
test_small_events(void)
{
	unsigned char b[BUILD_MAX];
	struct sctp_adaptation_event sai = { .sai_type =
						     SCTP_ADAPTATION_INDICATION,
					     .sai_length = sizeof(sai),
					     .sai_adaptation_ind = 1234,
					     .sai_assoc_id = 2 };
	struct sctp_pdapi_event pd = { .pdapi_type =
					       SCTP_PARTIAL_DELIVERY_EVENT,
				       .pdapi_length = sizeof(pd),
				       .pdapi_indication =
					       SCTP_PARTIAL_DELIVERY_ABORTED,
				       .pdapi_assoc_id = 2,
				       .pdapi_stream = 3,
				       .pdapi_seq = 4 };
	struct sctp_authkey_event ak = { .auth_type = SCTP_AUTHENTICATION_EVENT,
					 .auth_length = sizeof(ak),
					 .auth_keynumber = 2,
					 .auth_indication = SCTP_AUTH_NEW_KEY,
					 .auth_assoc_id = 2 };

	memcpy(b, &sai, sizeof(sai));
	expect("ADAPTATION_INDICATION", b, sizeof(sai), SN_OK,
	       "ADAPTATION_INDICATION assoc=2 indication=1234");
	cut_everywhere("ADAPTATION_INDICATION", b, sizeof(sai));
	short_struct("ADAPTATION_INDICATION", SCTP_ADAPTATION_INDICATION,
		     sizeof(sai));

	memcpy(b, &pd, sizeof(pd));
	expect("PARTIAL_DELIVERY_EVENT aborted", b, sizeof(pd), SN_OK,
	       "PARTIAL_DELIVERY_EVENT assoc=2 "
	       "indication=PARTIAL_DELIVERY_ABORTED stream=3 seq=4");
	cut_everywhere("PARTIAL_DELIVERY_EVENT", b, sizeof(pd));
	short_struct("PARTIAL_DELIVERY_EVENT", SCTP_PARTIAL_DELIVERY_EVENT,
		     sizeof(pd));

	memcpy(b, &ak, sizeof(ak));
	expect("AUTHENTICATION_EVENT NEW_KEY", b, sizeof(ak), SN_OK,
	       "AUTHENTICATION_EVENT assoc=2 indication=NEW_KEY key=2 "
	       "altkey=0");
	ak.auth_indication = SCTP_AUTH_FREE_KEY;
	memcpy(b, &ak, sizeof(ak));
	expect("AUTHENTICATION_EVENT FREE_KEY", b, sizeof(ak), SN_OK,
	       "AUTHENTICATION_EVENT assoc=2 indication=FREE_KEY key=2 "
	       "altkey=0");
	ak.auth_indication = SCTP_AUTH_NO_AUTH;
	ak.auth_keynumber = 0;
	memcpy(b, &ak, sizeof(ak));
	expect("AUTHENTICATION_EVENT NO_AUTH", b, sizeof(ak), SN_OK,
	       "AUTHENTICATION_EVENT assoc=2 indication=NO_AUTH key=0 "
	       "altkey=0");
	cut_everywhere("AUTHENTICATION_EVENT", b, sizeof(ak));
	short_struct("AUTHENTICATION_EVENT", SCTP_AUTHENTICATION_EVENT,
		     sizeof(ak));
}

static void
test_reconfig(void)
{
	unsigned char b[BUILD_MAX];
	struct sctp_stream_reset_event sr;
	struct sctp_assoc_reset_event ar = { .assocreset_type =
						     SCTP_ASSOC_RESET_EVENT,
					     .assocreset_length = sizeof(ar),
					     .assocreset_assoc_id = 1,
					     .assocreset_local_tsn = 100,
					     .assocreset_remote_tsn = 200 };
	struct sctp_stream_change_event sc = {
		.strchange_type = SCTP_STREAM_CHANGE_EVENT,
		.strchange_length = sizeof(sc),
		.strchange_flags = SCTP_STREAM_CHANGE_DENIED,
		.strchange_assoc_id = 1,
		.strchange_instrms = 10,
		.strchange_outstrms = 12
	};
	uint16_t sid;

	memset(&sr, 0, sizeof(sr));
	sr.strreset_type = SCTP_STREAM_RESET_EVENT;
	sr.strreset_length = sizeof(sr);
	sr.strreset_flags = SCTP_STREAM_RESET_INCOMING_SSN;
	sr.strreset_assoc_id = 1;
	memcpy(b, &sr, sizeof(sr));
	expect("STREAM_RESET_EVENT, every stream", b, sizeof(sr), SN_OK,
	       "STREAM_RESET_EVENT assoc=1 flags=INCOMING_SSN streams=all");
	cut_everywhere("STREAM_RESET_EVENT", b, sizeof(sr));
	short_struct("STREAM_RESET_EVENT", SCTP_STREAM_RESET_EVENT, sizeof(sr));

	sr.strreset_flags =
		SCTP_STREAM_RESET_OUTGOING_SSN | SCTP_STREAM_RESET_DENIED;
	sr.strreset_length = sizeof(sr) + 2 * sizeof(sid);
	memcpy(b, &sr, sizeof(sr));
	sid = 1;
	memcpy(b + sizeof(sr), &sid, sizeof(sid));
	sid = 2;
	memcpy(b + sizeof(sr) + sizeof(sid), &sid, sizeof(sid));
	expect("STREAM_RESET_EVENT denied, two streams", b, sr.strreset_length,
	       SN_OK,
	       "STREAM_RESET_EVENT assoc=1 flags=OUTGOING_SSN|DENIED "
	       "streams=1,2");
	cut_everywhere("STREAM_RESET_EVENT with streams", b,
		       sr.strreset_length);
	set_length(b, sr.strreset_length - 1);
	expect("STREAM_RESET_EVENT with half a stream number", b,
	       sr.strreset_length - 1, SN_MALFORMED,
	       "STREAM_RESET_EVENT malformed: its variable part*");

	sr.strreset_length = sizeof(sr) + 20 * sizeof(sid);
	memcpy(b, &sr, sizeof(sr));
	for (uint16_t i = 0; i < 20; i++)
		memcpy(b + sizeof(sr) + i * sizeof(sid), &i, sizeof(i));
	expect("STREAM_RESET_EVENT with a long list is capped", b,
	       sr.strreset_length, SN_OK,
	       "STREAM_RESET_EVENT assoc=1 flags=OUTGOING_SSN|DENIED "
	       "streams=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,...(20 in all)");

	memcpy(b, &ar, sizeof(ar));
	expect("ASSOC_RESET_EVENT", b, sizeof(ar), SN_OK,
	       "ASSOC_RESET_EVENT assoc=1 flags=none local_tsn=100 "
	       "remote_tsn=200");
	cut_everywhere("ASSOC_RESET_EVENT", b, sizeof(ar));
	short_struct("ASSOC_RESET_EVENT", SCTP_ASSOC_RESET_EVENT, sizeof(ar));

	memcpy(b, &sc, sizeof(sc));
	expect("STREAM_CHANGE_EVENT denied", b, sizeof(sc), SN_OK,
	       "STREAM_CHANGE_EVENT assoc=1 flags=DENIED instreams=10 "
	       "outstreams=12");
	cut_everywhere("STREAM_CHANGE_EVENT", b, sizeof(sc));
	short_struct("STREAM_CHANGE_EVENT", SCTP_STREAM_CHANGE_EVENT,
		     sizeof(sc));
}

static void
test_header(void)
{
	unsigned char b[BUILD_MAX];
	char out[SN_LINE_MAX];

	memset(b, 0, sizeof(b));
	/* 0x0001 is SCTP_ASSOC_CHANGE on BSD, nothing on Linux. */
	header(b, 0x0001, 8);
	expect("a BSD type number is unknown, shown with its number", b, 8,
	       SN_UNKNOWN, "UNKNOWN type=1 flags=0x0000 length=8");
	header(b, SCTP_DATA_IO_EVENT, 12);
	expect("SCTP_DATA_IO_EVENT is not a notification type", b, 12,
	       SN_UNKNOWN, "UNKNOWN type=32768 flags=0x0000 length=12");
	header(b, SCTP_SN_TYPE_MAX + 1, 8);
	expect("a type newer than these headers is unknown", b, 8, SN_UNKNOWN,
	       "UNKNOWN type=32782 flags=0x0000 length=8");
	cut_everywhere("an unknown type", b, 8);

	header(b, SCTP_SHUTDOWN_EVENT, 7);
	expect("sn_length below the header is malformed", b, 12, SN_MALFORMED,
	       "SHUTDOWN_EVENT malformed: sn_length 7 is shorter*");
	header(b, SCTP_SHUTDOWN_EVENT, 13);
	expect("sn_length beyond what arrived is malformed", b, 12,
	       SN_MALFORMED,
	       "SHUTDOWN_EVENT malformed: sn_length 13 but 12 bytes arrived");
	expect("an empty buffer is malformed", b, 0, SN_MALFORMED,
	       "notification malformed: 0 bytes, the header needs 8");

	/* Trailing bytes past sn_length are not part of it. */
	header(b, SCTP_SHUTDOWN_EVENT, 12);
	expect("bytes after sn_length are ignored", b, 20, SN_OK,
	       "SHUTDOWN_EVENT assoc=0");

	/* A short output buffer: cut, terminated, not overrun. */
	memset(out, CANARY, sizeof(out));
	sn_decode(b, 12, out, 10);
	verdict("a 10-byte output buffer gets 9 characters and a NUL",
		strlen(out) == 9 && (unsigned char)out[10] == CANARY);
	memset(out, CANARY, sizeof(out));
	verdict("a 0-byte output buffer is left alone",
		sn_decode(b, 12, out, 0) == SN_OK &&
			(unsigned char)out[0] == CANARY);
	memset(out, CANARY, sizeof(out));
	sn_decode(b, 3, out, 12);
	verdict("a malformed line is cut and terminated too",
		strlen(out) == 11 && (unsigned char)out[12] == CANARY);
}

int
main(void)
{
	test_assoc_change();
	test_paddr_change();
	test_remote_error();
	test_send_failed();
	test_bare();
	test_small_events();
	test_reconfig();
	test_header();
	printf("decode_test: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
