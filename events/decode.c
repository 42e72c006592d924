/* SPDX-License-Identifier: 0BSD */
/*
 * decode.c - turn one SCTP notification into one line of words (decode.h).
 *
 * sn_decode() checks the header and the size of the type's structure,
 * copies the bytes into union sctp_notification (a receive buffer owes us
 * no alignment), then prints each field by name. The variable parts
 * (abort causes, stream lists, the data of a failed send) are walked with
 * their own length checks. Type numbers differ between Linux and BSD: the
 * code only ever uses the names.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/sctp.h>

#include "decode.h"

/* How many stream numbers and data bytes a line shows at most. */
#define LIST_MAX 16
#define HEX_MAX 16
/* An error cause starts with code and length, a chunk with type, flags
 * and length: 4 bytes. */
#define TLV_HDR_LEN 4
/* The header every notification starts with: type, flags, length. */
#define SN_HDR_LEN sizeof(((union sctp_notification *)0)->sn_header)

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Every type: its name and the size of its structure. */
static const struct {
	unsigned type;
	const char *name;
	size_t size;
} types[] = {
#define T(x, s)                                \
	{                                      \
		SCTP_##x, #x, sizeof(struct s) \
	}
	T(ASSOC_CHANGE, sctp_assoc_change),
	T(PEER_ADDR_CHANGE, sctp_paddr_change),
	T(SEND_FAILED, sctp_send_failed),
	T(REMOTE_ERROR, sctp_remote_error),
	T(SHUTDOWN_EVENT, sctp_shutdown_event),
	T(PARTIAL_DELIVERY_EVENT, sctp_pdapi_event),
	T(ADAPTATION_INDICATION, sctp_adaptation_event),
	T(AUTHENTICATION_EVENT, sctp_authkey_event),
	T(SENDER_DRY_EVENT, sctp_sender_dry_event),
	T(STREAM_RESET_EVENT, sctp_stream_reset_event),
	T(ASSOC_RESET_EVENT, sctp_assoc_reset_event),
	T(STREAM_CHANGE_EVENT, sctp_stream_change_event),
	T(SEND_FAILED_EVENT, sctp_send_failed_event),
#undef T
};

/* A value and its name, for the tables of states, causes and flags. */
struct name {
	unsigned value;
	const char *name;
};

/* N(COMM_UP) is { SCTP_COMM_UP, "COMM_UP" }, as linux/sctp.h names it. */
#define N(x)                 \
	{                    \
		SCTP_##x, #x \
	}

static const struct name assoc_states[] = { N(COMM_UP), N(COMM_LOST),
					    N(RESTART), N(SHUTDOWN_COMP),
					    N(CANT_STR_ASSOC) };

static const struct name paddr_states[] = {
	N(ADDR_AVAILABLE),	   N(ADDR_UNREACHABLE),
	N(ADDR_REMOVED),	   N(ADDR_ADDED),
	N(ADDR_MADE_PRIM),	   N(ADDR_CONFIRMED),
	N(ADDR_POTENTIALLY_FAILED)
};

/* spc_error: why Linux says a path changed. */
static const struct name paddr_errors[] = {
	N(FAILED_THRESHOLD),	 N(RECEIVED_SACK),  N(HEARTBEAT_SUCCESS),
	N(RESPONSE_TO_USER_REQ), N(INTERNAL_ERROR), N(SHUTDOWN_GUARD_EXPIRES),
	N(PEER_FAULTY)
};

static const struct name pd_indications[] = { N(PARTIAL_DELIVERY_ABORTED) };

static const struct name auth_indications[] = {
	{ SCTP_AUTH_NEW_KEY, "NEW_KEY" },
	{ SCTP_AUTH_FREE_KEY, "FREE_KEY" },
	{ SCTP_AUTH_NO_AUTH, "NO_AUTH" },
};

/* Linux's ssf_flags (0 and 1; RFC 6458 says 1 and 2). */
static const struct name send_failed_flags[] = {
	{ SCTP_DATA_UNSENT, "UNSENT" },
	{ SCTP_DATA_SENT, "SENT" },
};

/* Error cause codes (RFC 9260 3.3.10). */
static const struct name causes[] = {
	{ 1, "INVALID_STREAM_IDENTIFIER" },
	{ 2, "MISSING_MANDATORY_PARAMETER" },
	{ 3, "STALE_COOKIE" },
	{ 4, "OUT_OF_RESOURCE" },
	{ 5, "UNRESOLVABLE_ADDRESS" },
	{ 6, "UNRECOGNIZED_CHUNK_TYPE" },
	{ 7, "INVALID_MANDATORY_PARAMETER" },
	{ 8, "UNRECOGNIZED_PARAMETERS" },
	{ 9, "NO_USER_DATA" },
	{ 10, "COOKIE_RECEIVED_WHILE_SHUTTING_DOWN" },
	{ 11, "RESTART_WITH_NEW_ADDRESSES" },
	{ 12, "USER_INITIATED_ABORT" },
	{ 13, "PROTOCOL_VIOLATION" },
};

/*
 * Bit flags. Those of a failed send are its DATA chunk's (RFC 9260
 * 3.3.1): an application can tell which fragment came back.
 */
static const struct name chunk_flags[] = {
	{ 0x02, "FIRST_FRAG" },	      /* B bit */
	{ 0x01, "LAST_FRAG" },	      /* E bit */
	{ 0x04, "UNORDERED" },	      /* U bit */
	{ 0x08, "SACK_IMMEDIATELY" }, /* I bit */
};

static const struct name reset_flags[] = {
	{ SCTP_STREAM_RESET_INCOMING_SSN, "INCOMING_SSN" },
	{ SCTP_STREAM_RESET_OUTGOING_SSN, "OUTGOING_SSN" },
	{ SCTP_STREAM_RESET_DENIED, "DENIED" },
	{ SCTP_STREAM_RESET_FAILED, "FAILED" },
};

/* The same two bits for ASSOC_RESET and STREAM_CHANGE. */
static const struct name denied_flags[] = {
	{ SCTP_ASSOC_RESET_DENIED, "DENIED" },
	{ SCTP_ASSOC_RESET_FAILED, "FAILED" },
};

static const char *
lookup(const struct name *t, size_t count, unsigned value)
{
	for (size_t i = 0; i < count; i++)
		if (t[i].value == value)
			return t[i].name;
	return NULL;
}

#define NAME(table, value) lookup(table, COUNT(table), value)

const char *
sn_type_name(unsigned type)
{
	for (size_t i = 0; i < COUNT(types); i++)
		if (types[i].type == type)
			return types[i].name;
	return NULL;
}

/* An output line being built: never overflows, may be cut short. */
struct line {
	char *buf;
	size_t size, used;
};

static void put(struct line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->size == 0 || l->used >= l->size - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->used, l->size - l->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->used += (size_t)n;
	if (l->used > l->size - 1)
		l->used = l->size - 1;
}

/* " FIELD=NAME" from TABLE, or the number when it has no name. */
static void
put_name(struct line *l, const char *field, const struct name *t, size_t count,
	 unsigned v)
{
	const char *name = lookup(t, count, v);

	if (name)
		put(l, " %s=%s", field, name);
	else
		put(l, " %s=%u", field, v);
}

/* " FIELD=A|B" from TABLE, the bits it does not know in hex; 0: "none". */
static void
put_flags(struct line *l, const char *field, const struct name *t, size_t count,
	  unsigned v)
{
	const char *sep = "";

	put(l, " %s=%s", field, v ? "" : "none");
	for (size_t i = 0; i < count; i++) {
		if (v & t[i].value) {
			put(l, "%s%s", sep, t[i].name);
			v &= ~t[i].value;
			sep = "|";
		}
	}
	if (v)
		put(l, "%s0x%x", sep, v);
}

#define PUT_NAME(l, field, table, v) put_name(l, field, table, COUNT(table), v)
#define PUT_FLAGS(l, field, table, v) \
	put_flags(l, field, table, COUNT(table), v)

static void
put_hex(struct line *l, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n && i < HEX_MAX; i++)
		put(l, "%02x", p[i]);
	if (n > HEX_MAX)
		put(l, "...");
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
	if (n == 0)
		return;
	if (code == 6 && n >= TLV_HDR_LEN) /* the chunk it did not know */
		put(l, "[chunk=0x%02x,flags=0x%02x,length=%u]", body[0],
		    body[1], get16be(body + 2));
	else {
		put(l, "[info=");
		put_hex(l, body, n);
		put(l, "]");
	}
}

/*
 * The error causes of an ABORT chunk. Each cause's length counts its
 * header; causes are padded to 4 bytes, the padding not counted. False
 * when a length does not fit. A long list is cut with the line.
 */
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

static bool
assoc_change(struct line *l, const struct sctp_assoc_change *sac,
	     const unsigned char *info, size_t n)
{
	const char *cause = NAME(causes, ntohs(sac->sac_error));

	put(l, " assoc=%d", sac->sac_assoc_id);
	PUT_NAME(l, "state", assoc_states, sac->sac_state);
	/*
	 * On COMM_LOST, Linux (6.1) stores an error cause code here as it
	 * travels in the chunk, in network byte order (User-Initiated
	 * Abort, 12, reads 3072 on x86). Other states carry a plain number.
	 */
	if (sac->sac_state == SCTP_COMM_LOST && sac->sac_error && cause)
		put(l, " error=%s", cause);
	else
		put(l, " error=%u", sac->sac_error);
	put(l, " outbound=%u inbound=%u", sac->sac_outbound_streams,
	    sac->sac_inbound_streams);
	if (sac->sac_flags)
		put(l, " flags=0x%x", sac->sac_flags);
	/* After an ABORT, sac_info holds the ABORT chunk's error causes. */
	if (n && (sac->sac_state == SCTP_COMM_LOST ||
		  sac->sac_state == SCTP_CANT_STR_ASSOC))
		return put_causes(l, info, n);
	if (n) {
		put(l, " info=");
		put_hex(l, info, n);
	}
	return true;
}

static void
paddr_change(struct line *l, const struct sctp_paddr_change *spc)
{
	const struct sockaddr_in *sin = (const void *)&spc->spc_aaddr;
	const struct sockaddr_in6 *sin6 = (const void *)&spc->spc_aaddr;
	int v6 = sin->sin_family == AF_INET6;
	char addr[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (sin->sin_family == AF_INET || v6) {
		inet_ntop(sin->sin_family,
			  v6 ? (const void *)&sin6->sin6_addr
			     : (const void *)&sin->sin_addr,
			  addr, sizeof(addr));
		port = ntohs(v6 ? sin6->sin6_port : sin->sin_port);
	}
	put(l, " assoc=%d addr=%s port=%u", spc->spc_assoc_id, addr, port);
	PUT_NAME(l, "state", paddr_states, (unsigned)spc->spc_state);
	PUT_NAME(l, "error", paddr_errors, (unsigned)spc->spc_error);
	if (spc->spc_flags)
		put(l, " flags=0x%x", spc->spc_flags);
}

/*
 * SEND_FAILED_EVENT, and SEND_FAILED, its older form (RFC 6458 deprecates
 * it), which has the same fields in the same places up to its sndrcvinfo.
 * The data that could not be sent follows.
 */
static void
send_failed(struct line *l, const union sctp_notification *sn,
	    const unsigned char *data, size_t n)
{
	const struct sctp_send_failed_event *ssf = &sn->sn_send_failed_event;
	const struct sctp_sndrcvinfo *old = &sn->sn_send_failed.ssf_info;
	bool is_old = sn->sn_header.sn_type == SCTP_SEND_FAILED;

	put(l, " assoc=%d",
	    is_old ? sn->sn_send_failed.ssf_assoc_id : ssf->ssf_assoc_id);
	PUT_NAME(l, "flags", send_failed_flags, ssf->ssf_flags);
	put(l, " error=%" PRIu32, ssf->ssf_error);
	if (is_old)
		put(l, " stream=%u ssn=%u", old->sinfo_stream, old->sinfo_ssn);
	else
		put(l, " stream=%u", ssf->ssfe_info.snd_sid);
	PUT_FLAGS(l, "chunk_flags", chunk_flags,
		  is_old ? old->sinfo_flags : ssf->ssfe_info.snd_flags);
	put(l, " ppid=%" PRIu32 " context=%" PRIu32,
	    ntohl(is_old ? old->sinfo_ppid : ssf->ssfe_info.snd_ppid),
	    is_old ? old->sinfo_context : ssf->ssfe_info.snd_context);
	if (is_old)
		put(l, " ttl=%" PRIu32 " tsn=%" PRIu32, old->sinfo_timetolive,
		    old->sinfo_tsn);
	put(l, " bytes=%zu", n);
	if (n) {
		put(l, " data=");
		put_hex(l, data, n);
	}
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

/*
 * " assoc=ID" and the fields of SN, whose structure was copied whole; MORE
 * points at the N bytes after it. False when those do not add up.
 */
static bool
fields(struct line *l, const union sctp_notification *sn,
       const unsigned char *more, size_t n)
{
	const struct sctp_pdapi_event *pd = &sn->sn_pdapi_event;
	const struct sctp_authkey_event *ak = &sn->sn_authkey_event;
	const struct sctp_stream_reset_event *sr = &sn->sn_strreset_event;
	const struct sctp_assoc_reset_event *ar = &sn->sn_assocreset_event;
	const struct sctp_stream_change_event *sc = &sn->sn_strchange_event;

	switch (sn->sn_header.sn_type) {
	case SCTP_ASSOC_CHANGE:
		return assoc_change(l, &sn->sn_assoc_change, more, n);
	case SCTP_PEER_ADDR_CHANGE:
		paddr_change(l, &sn->sn_paddr_change);
		break;
	case SCTP_REMOTE_ERROR:
		/* Its cause code is the ERROR chunk's, in network order. */
		put(l, " assoc=%d error=", sn->sn_remote_error.sre_assoc_id);
		put_cause(l, ntohs(sn->sn_remote_error.sre_error), more, n);
		break;
	case SCTP_SEND_FAILED:
	case SCTP_SEND_FAILED_EVENT:
		send_failed(l, sn, more, n);
		break;
	case SCTP_SHUTDOWN_EVENT:
		put(l, " assoc=%d", sn->sn_shutdown_event.sse_assoc_id);
		break;
	case SCTP_SENDER_DRY_EVENT:
		put(l, " assoc=%d",
		    sn->sn_sender_dry_event.sender_dry_assoc_id);
		break;
	case SCTP_PARTIAL_DELIVERY_EVENT:
		put(l, " assoc=%d", pd->pdapi_assoc_id);
		PUT_NAME(l, "indication", pd_indications, pd->pdapi_indication);
		put(l, " stream=%" PRIu32 " seq=%" PRIu32, pd->pdapi_stream,
		    pd->pdapi_seq);
		break;
	case SCTP_ADAPTATION_INDICATION:
		put(l, " assoc=%d indication=%" PRIu32,
		    sn->sn_adaptation_event.sai_assoc_id,
		    sn->sn_adaptation_event.sai_adaptation_ind);
		break;
	case SCTP_AUTHENTICATION_EVENT:
		put(l, " assoc=%d", ak->auth_assoc_id);
		PUT_NAME(l, "indication", auth_indications,
			 ak->auth_indication);
		put(l, " key=%u altkey=%u", ak->auth_keynumber,
		    ak->auth_altkeynumber);
		break;
	case SCTP_STREAM_RESET_EVENT:
		put(l, " assoc=%d", sr->strreset_assoc_id);
		PUT_FLAGS(l, "flags", reset_flags, sr->strreset_flags);
		return put_streams(l, more, n);
	case SCTP_ASSOC_RESET_EVENT:
		put(l, " assoc=%d", ar->assocreset_assoc_id);
		PUT_FLAGS(l, "flags", denied_flags, ar->assocreset_flags);
		put(l, " local_tsn=%" PRIu32 " remote_tsn=%" PRIu32,
		    ar->assocreset_local_tsn, ar->assocreset_remote_tsn);
		break;
	case SCTP_STREAM_CHANGE_EVENT:
		put(l, " assoc=%d", sc->strchange_assoc_id);
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
	uint32_t length;
	size_t i;

	if (outlen > 0)
		out[0] = '\0';
	if (len < SN_HDR_LEN) {
		put(&l,
		    "notification malformed: %zu bytes, the header needs %zu",
		    len, SN_HDR_LEN);
		return SN_MALFORMED;
	}
	memset(&sn, 0, sizeof(sn));
	memcpy(&sn, buf, len < sizeof(sn) ? len : sizeof(sn));
	length = sn.sn_header.sn_length; /* header included */
	for (i = 0; i < COUNT(types); i++)
		if (types[i].type == sn.sn_header.sn_type)
			break;
	if (i == COUNT(types) && length >= SN_HDR_LEN && length <= len) {
		put(&l, "UNKNOWN type=%u flags=0x%04x length=%" PRIu32,
		    sn.sn_header.sn_type, sn.sn_header.sn_flags, length);
		return SN_UNKNOWN;
	}
	put(&l, "%s", i < COUNT(types) ? types[i].name : "notification");
	if (length > len)
		put(&l,
		    " malformed: sn_length %" PRIu32 " but %zu bytes arrived",
		    length, len);
	else if (length < SN_HDR_LEN)
		put(&l,
		    " malformed: sn_length %" PRIu32
		    " is shorter than the header",
		    length);
	else if (length < types[i].size)
		put(&l,
		    " malformed: sn_length %" PRIu32
		    ", the structure needs %zu",
		    length, types[i].size);
	else if (fields(&l, &sn, (const unsigned char *)buf + types[i].size,
			length - types[i].size))
		return SN_OK;
	else {
		/* Start again: a malformed buffer gets a line of its own. */
		l.used = 0;
		put(&l,
		    "%s malformed: its variable part does not add up "
		    "(sn_length %" PRIu32 ")",
		    types[i].name, length);
	}
	return SN_MALFORMED;
}

bool
sn_assoc_over(const void *buf, size_t len)
{
	struct sctp_assoc_change sac;

	if (len < sizeof(sac))
		return false;
	memcpy(&sac, buf, sizeof(sac));
	return sac.sac_type == SCTP_ASSOC_CHANGE &&
	       (sac.sac_state == SCTP_COMM_LOST ||
		sac.sac_state == SCTP_SHUTDOWN_COMP ||
		sac.sac_state == SCTP_CANT_STR_ASSOC);
}
