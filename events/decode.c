/* SPDX-License-Identifier: 0BSD */
/*
 * decode.c - turn one SCTP notification into one line of words (decode.h).
 *
 * A notification can arrive cut short, and its length fields may lie: a
 * decoder that trusts sn_length reads past its buffer. So sn_decode()
 * checks the header and the size of the type's structure, copies the bytes
 * into union sctp_notification (a receive buffer owes us no alignment),
 * then prints each field by name. The variable parts (abort causes, stream
 * lists, the data of a failed send) are walked with their own length
 * checks. Type numbers differ between Linux and BSD: only names are used.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/sctp.h>

#include "decode.h"

/* How many stream numbers and data bytes a line shows at most. */
#define LIST_MAX 16
/* An error cause starts with code and length, a chunk with type, flags
 * and length: 4 bytes. The header of every notification: 8. */
#define TLV_HDR_LEN 4
#define SN_HDR_LEN sizeof(((union sctp_notification *)0)->sn_header)
#define MALFORMED " malformed: sn_length %" PRIu32

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Every type, at its distance from the first: its name, the size of its
 * structure and where the association id is in it. */
#define T(x, s, id)                                              \
	[SCTP_##x - SCTP_ASSOC_CHANGE] = { #x, sizeof(struct s), \
					   offsetof(struct s, id) }
static const struct type {
	const char *name;
	size_t size, id;
} types[] = {
	T(ASSOC_CHANGE, sctp_assoc_change, sac_assoc_id),
	T(PEER_ADDR_CHANGE, sctp_paddr_change, spc_assoc_id),
	T(SEND_FAILED, sctp_send_failed, ssf_assoc_id),
	T(REMOTE_ERROR, sctp_remote_error, sre_assoc_id),
	T(SHUTDOWN_EVENT, sctp_shutdown_event, sse_assoc_id),
	T(PARTIAL_DELIVERY_EVENT, sctp_pdapi_event, pdapi_assoc_id),
	T(ADAPTATION_INDICATION, sctp_adaptation_event, sai_assoc_id),
	T(AUTHENTICATION_EVENT, sctp_authkey_event, auth_assoc_id),
	T(SENDER_DRY_EVENT, sctp_sender_dry_event, sender_dry_assoc_id),
	T(STREAM_RESET_EVENT, sctp_stream_reset_event, strreset_assoc_id),
	T(ASSOC_RESET_EVENT, sctp_assoc_reset_event, assocreset_assoc_id),
	T(STREAM_CHANGE_EVENT, sctp_stream_change_event, strchange_assoc_id),
	T(SEND_FAILED_EVENT, sctp_send_failed_event, ssf_assoc_id),
};

/* Names, each at its value: N(COMM_UP) is [SCTP_COMM_UP] = "COMM_UP", as
 * linux/sctp.h names it; NP(AUTH_, NO_AUTH) leaves out the prefix. */
#define N(x) [SCTP_##x] = #x
#define NP(prefix, x) [SCTP_##prefix##x] = #x
static const char *const assoc_states[] = { N(COMM_UP), N(COMM_LOST),
					    N(RESTART), N(SHUTDOWN_COMP),
					    N(CANT_STR_ASSOC) };
static const char *const paddr_states[] = {
	N(ADDR_AVAILABLE),	   N(ADDR_UNREACHABLE),
	N(ADDR_REMOVED),	   N(ADDR_ADDED),
	N(ADDR_MADE_PRIM),	   N(ADDR_CONFIRMED),
	N(ADDR_POTENTIALLY_FAILED)
};
/* spc_error: why Linux says a path changed. */
static const char *const paddr_errors[] = {
	N(FAILED_THRESHOLD),	 N(RECEIVED_SACK),  N(HEARTBEAT_SUCCESS),
	N(RESPONSE_TO_USER_REQ), N(INTERNAL_ERROR), N(SHUTDOWN_GUARD_EXPIRES),
	N(PEER_FAULTY)
};
static const char *const pd_indications[] = { N(PARTIAL_DELIVERY_ABORTED) };
static const char *const auth_indications[] = { NP(AUTH_, NEW_KEY),
						NP(AUTH_, FREE_KEY),
						NP(AUTH_, NO_AUTH) };
/* Linux's ssf_flags (0 and 1; RFC 6458 says 1 and 2). */
static const char *const send_failed_flags[] = { NP(DATA_, UNSENT),
						 NP(DATA_, SENT) };

/* Error cause codes (RFC 9260 3.3.10). */
static const char *const causes[] = {
	[1] = "INVALID_STREAM_IDENTIFIER",
	"MISSING_MANDATORY_PARAMETER",
	"STALE_COOKIE",
	"OUT_OF_RESOURCE",
	"UNRESOLVABLE_ADDRESS",
	"UNRECOGNIZED_CHUNK_TYPE",
	"INVALID_MANDATORY_PARAMETER",
	"UNRECOGNIZED_PARAMETERS",
	"NO_USER_DATA",
	"COOKIE_RECEIVED_WHILE_SHUTTING_DOWN",
	"RESTART_WITH_NEW_ADDRESSES",
	"USER_INITIATED_ABORT",
	"PROTOCOL_VIOLATION",
};

/* Bit flags, in the order a line shows them. A failed send has its DATA
 * chunk's (RFC 9260 3.3.1): which fragment came back. */
static const struct flag {
	unsigned bit;
	const char *name;
} chunk_flags[] = {
	{ 0x02, "FIRST_FRAG" },	      /* B bit */
	{ 0x01, "LAST_FRAG" },	      /* E bit */
	{ 0x04, "UNORDERED" },	      /* U bit */
	{ 0x08, "SACK_IMMEDIATELY" }, /* I bit */
};
static const struct flag reset_flags[] = {
	{ SCTP_STREAM_RESET_INCOMING_SSN, "INCOMING_SSN" },
	{ SCTP_STREAM_RESET_OUTGOING_SSN, "OUTGOING_SSN" },
	{ SCTP_STREAM_RESET_DENIED, "DENIED" },
	{ SCTP_STREAM_RESET_FAILED, "FAILED" },
};
/* The same two bits for ASSOC_RESET and STREAM_CHANGE. */
static const struct flag denied_flags[] = {
	{ SCTP_ASSOC_RESET_DENIED, "DENIED" },
	{ SCTP_ASSOC_RESET_FAILED, "FAILED" },
};

/* The name of VALUE in TABLE, NULL if it has none. */
#define NAME(table, value) ((value) < COUNT(table) ? (table)[value] : NULL)

const char *
sn_type_name(unsigned type)
{
	unsigned i = type - SCTP_ASSOC_CHANGE; /* below it: a big number */

	return i < COUNT(types) ? types[i].name : NULL;
}

/* An output line being built: never overflows, may be cut short. */
struct line {
	char *buf;
	size_t size, used;
};

static void __attribute__((format(printf, 2, 3)))
put(struct line *l, const char *fmt, ...)
{
	size_t room = l->size - l->used; /* used < size, or both are 0 */
	va_list ap;
	int n;

	if (room == 0)
		return; /* with 1, vsnprintf() writes the NUL, as it must */
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->used, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->used += (size_t)n < room ? (size_t)n : room - 1;
}

/* " FIELD=NAME" from TABLE, or the number when it has no name. */
#define PUT_NAME(l, field, table, v) put_name(l, field, NAME(table, v), v)
static void
put_name(struct line *l, const char *field, const char *name, unsigned v)
{
	if (name)
		put(l, " %s=%s", field, name);
	else
		put(l, " %s=%u", field, v);
}

/* " FIELD=A|B" from TABLE, the bits it does not know in hex; 0: "none". */
#define PUT_FLAGS(l, field, t, v) put_flags(l, field, t, COUNT(t), v)
static void
put_flags(struct line *l, const char *field, const struct flag *t, size_t count,
	  unsigned v)
{
	const char *sep = "";

	put(l, " %s=%s", field, v ? "" : "none");
	for (size_t i = 0; i < count; i++) {
		if (v & t[i].bit) {
			put(l, "%s%s", sep, t[i].name);
			v &= ~t[i].bit;
			sep = "|";
		}
	}
	if (v)
		put(l, "%s0x%x", sep, v);
}

/* BEFORE, the first LIST_MAX of the N bytes at P in hex, AFTER. */
static void
put_hex(struct line *l, const char *before, const unsigned char *p, size_t n,
	const char *after)
{
	put(l, "%s", before);
	for (size_t i = 0; i < n && i < LIST_MAX; i++)
		put(l, "%02x", p[i]);
	put(l, "%s%s", n > LIST_MAX ? "..." : "", after);
}

static unsigned
get16be(const unsigned char *p)
{
	return (unsigned)(p[0] << 8 | p[1]);
}

/* One error cause, then the N bytes of its body in brackets. */
static void
put_cause(struct line *l, unsigned code, const unsigned char *body, size_t n)
{
	const char *name = NAME(causes, code);

	if (name)
		put(l, "%s", name);
	else
		put(l, "CAUSE_%u", code);
	if (code == 6 && n >= TLV_HDR_LEN) /* the chunk it did not know */
		put(l, "[chunk=0x%02x,flags=0x%02x,length=%u]", body[0],
		    body[1], get16be(body + 2));
	else if (n)
		put_hex(l, "[info=", body, n, "]");
}

/* The error causes of an ABORT chunk, each padded to 4 bytes, its length
 * not counting the padding. False when a length does not fit. */
static bool
put_causes(struct line *l, const unsigned char *p, size_t n)
{
	const char *sep = "";
	size_t off = 0;

	put(l, " causes=%s", n ? "" : "none");
	while (n - off >= TLV_HDR_LEN) {
		size_t clen = get16be(p + off + 2);

		if (clen < TLV_HDR_LEN || clen > n - off)
			return false;
		put(l, "%s", sep);
		put_cause(l, get16be(p + off), p + off + TLV_HDR_LEN,
			  clen - TLV_HDR_LEN);
		sep = ",";
		off += (clen + 3) & ~(size_t)3;
		if (off > n)
			off = n; /* the last cause's padding may be left off */
	}
	return off == n; /* 1 to 3 bytes left cannot be a cause */
}

/* The streams reset, after the structure; none listed means all. */
static bool
put_streams(struct line *l, const unsigned char *p, size_t n)
{
	size_t count = n / sizeof(uint16_t);

	put(l, " streams=%s", count ? "" : "all");
	for (size_t i = 0; i < count && i < LIST_MAX; i++) {
		uint16_t sid;

		memcpy(&sid, p + i * sizeof(sid), sizeof(sid));
		put(l, "%s%u", i ? "," : "", sid);
	}
	if (count > LIST_MAX)
		put(l, ",...(%zu in all)", count);
	return n % sizeof(uint16_t) == 0; /* no half a stream number */
}

/* The fields of SN after its association id, one case per type; MORE is
 * the N bytes after its structure. False when those do not add up. */
static bool
fields(struct line *l, const union sctp_notification *sn,
       const unsigned char *more, size_t n)
{
	const struct sctp_assoc_change *sac = &sn->sn_assoc_change;
	const struct sctp_paddr_change *spc = &sn->sn_paddr_change;
	const struct sockaddr_in *sin = (const void *)&spc->spc_aaddr;
	const struct sockaddr_in6 *sin6 = (const void *)&spc->spc_aaddr;
	const struct sctp_send_failed_event *ssf = &sn->sn_send_failed_event;
	const struct sctp_sndrcvinfo *old = &sn->sn_send_failed.ssf_info;
	const struct sctp_pdapi_event *pd = &sn->sn_pdapi_event;
	const struct sctp_authkey_event *ak = &sn->sn_authkey_event;
	const struct sctp_assoc_reset_event *ar = &sn->sn_assocreset_event;
	const struct sctp_stream_change_event *sc = &sn->sn_strchange_event;
	bool lost = sac->sac_state == SCTP_COMM_LOST, v6, ip, is_old;
	char addr[INET6_ADDRSTRLEN] = "?";

	switch (sn->sn_header.sn_type) {
	case SCTP_ASSOC_CHANGE:
		PUT_NAME(l, "state", assoc_states, sac->sac_state);
		/* On COMM_LOST, Linux (6.1) stores a cause code here in
		 * network byte order (User-Initiated Abort, 12, reads 3072 on
		 * x86). Other states carry a plain number. */
		put_name(l, "error",
			 lost && sac->sac_error
				 ? NAME(causes, ntohs(sac->sac_error))
				 : NULL,
			 sac->sac_error);
		put(l, " outbound=%u inbound=%u", sac->sac_outbound_streams,
		    sac->sac_inbound_streams);
		if (sac->sac_flags)
			put(l, " flags=0x%x", sac->sac_flags);
		/* After an ABORT, sac_info holds its chunk's error causes. */
		if (n && (lost || sac->sac_state == SCTP_CANT_STR_ASSOC))
			return put_causes(l, more, n);
		if (n)
			put_hex(l, " info=", more, n, "");
		break;
	case SCTP_PEER_ADDR_CHANGE:
		v6 = sin->sin_family == AF_INET6;
		ip = v6 || sin->sin_family == AF_INET;
		/* Not IP: "?" and port 0. sin_port is where sin6_port is. */
		if (ip)
			inet_ntop(sin->sin_family,
				  v6 ? (const void *)&sin6->sin6_addr
				     : &sin->sin_addr,
				  addr, sizeof(addr));
		put(l, " addr=%s port=%u", addr, ip ? ntohs(sin->sin_port) : 0);
		PUT_NAME(l, "state", paddr_states, (unsigned)spc->spc_state);
		PUT_NAME(l, "error", paddr_errors, (unsigned)spc->spc_error);
		if (spc->spc_flags)
			put(l, " flags=0x%x", spc->spc_flags);
		break;
	case SCTP_REMOTE_ERROR:
		/* Its cause code is the ERROR chunk's, in network order. */
		put(l, " error=");
		put_cause(l, ntohs(sn->sn_remote_error.sre_error), more, n);
		break;
	case SCTP_SEND_FAILED:
	case SCTP_SEND_FAILED_EVENT:
		/* SEND_FAILED, the old form (RFC 6458 deprecates it), has the
		 * same fields up to its sndrcvinfo. Then the data not sent. */
		is_old = sn->sn_header.sn_type == SCTP_SEND_FAILED;
		PUT_NAME(l, "flags", send_failed_flags, ssf->ssf_flags);
		put(l, " error=%" PRIu32, ssf->ssf_error);
		if (is_old)
			put(l, " stream=%u ssn=%u", old->sinfo_stream,
			    old->sinfo_ssn);
		else
			put(l, " stream=%u", ssf->ssfe_info.snd_sid);
		PUT_FLAGS(l, "chunk_flags", chunk_flags,
			  is_old ? old->sinfo_flags : ssf->ssfe_info.snd_flags);
		put(l, " ppid=%" PRIu32 " context=%" PRIu32,
		    ntohl(is_old ? old->sinfo_ppid : ssf->ssfe_info.snd_ppid),
		    is_old ? old->sinfo_context : ssf->ssfe_info.snd_context);
		if (is_old)
			put(l, " ttl=%" PRIu32 " tsn=%" PRIu32,
			    old->sinfo_timetolive, old->sinfo_tsn);
		put(l, " bytes=%zu", n);
		if (n)
			put_hex(l, " data=", more, n, "");
		break;
	case SCTP_PARTIAL_DELIVERY_EVENT:
		PUT_NAME(l, "indication", pd_indications, pd->pdapi_indication);
		put(l, " stream=%" PRIu32 " seq=%" PRIu32, pd->pdapi_stream,
		    pd->pdapi_seq);
		break;
	case SCTP_ADAPTATION_INDICATION:
		put(l, " indication=%" PRIu32,
		    sn->sn_adaptation_event.sai_adaptation_ind);
		break;
	case SCTP_AUTHENTICATION_EVENT:
		PUT_NAME(l, "indication", auth_indications,
			 ak->auth_indication);
		put(l, " key=%u altkey=%u", ak->auth_keynumber,
		    ak->auth_altkeynumber);
		break;
	case SCTP_STREAM_RESET_EVENT:
		PUT_FLAGS(l, "flags", reset_flags,
			  sn->sn_strreset_event.strreset_flags);
		return put_streams(l, more, n);
	case SCTP_ASSOC_RESET_EVENT:
		PUT_FLAGS(l, "flags", denied_flags, ar->assocreset_flags);
		put(l, " local_tsn=%" PRIu32 " remote_tsn=%" PRIu32,
		    ar->assocreset_local_tsn, ar->assocreset_remote_tsn);
		break;
	case SCTP_STREAM_CHANGE_EVENT:
		PUT_FLAGS(l, "flags", denied_flags, sc->strchange_flags);
		put(l, " instreams=%u outstreams=%u", sc->strchange_instrms,
		    sc->strchange_outstrms);
		break;
	}
	return true;
}

enum sn_status
sn_decode(const void *buf, size_t len, char *out, size_t outlen)
{
	struct line l = { out, outlen, 0 };
	union sctp_notification sn;
	const struct type *t = NULL;
	sctp_assoc_t id;
	uint32_t length;
	unsigned i;

	memset(&sn, 0, sizeof(sn));
	memcpy(&sn, buf, len < sizeof(sn) ? len : sizeof(sn));
	length = sn.sn_header.sn_length; /* header included */
	i = sn.sn_header.sn_type - SCTP_ASSOC_CHANGE;
	if (len >= SN_HDR_LEN && i < COUNT(types))
		t = &types[i];
	if (!t && length >= SN_HDR_LEN && length <= len) {
		put(&l, "UNKNOWN type=%u flags=0x%04x length=%" PRIu32,
		    sn.sn_header.sn_type, sn.sn_header.sn_flags, length);
		return SN_UNKNOWN;
	}
	put(&l, "%s", t ? t->name : "notification");
	if (len < SN_HDR_LEN)
		put(&l, " malformed: %zu bytes, the header needs %zu", len,
		    SN_HDR_LEN);
	else if (length > len)
		put(&l, MALFORMED " but %zu bytes arrived", length, len);
	else if (length < SN_HDR_LEN)
		put(&l, MALFORMED " is shorter than the header", length);
	else if (length < t->size)
		put(&l, MALFORMED ", the structure needs %zu", length, t->size);
	else {
		memcpy(&id, (const char *)&sn + t->id, sizeof(id));
		put(&l, " assoc=%d", id);
		if (fields(&l, &sn, (const unsigned char *)buf + t->size,
			   length - t->size))
			return SN_OK;
		/* Start again: a malformed buffer gets a line of its own. */
		l.used = 0;
		put(&l,
		    "%s malformed: its variable part does not add up "
		    "(sn_length %" PRIu32 ")",
		    t->name, length);
	}
	return SN_MALFORMED;
}
