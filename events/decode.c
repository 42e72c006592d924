/*
 * decode.c - turn one SCTP notification into one line of words.
 *
 * Every decoder below follows the same three steps: check that the
 * bytes are there, copy them into the structure from linux/sctp.h
 * (memcpy, because a receive buffer owes us no alignment), then print
 * each field by name. Variable parts (abort causes, stream lists, the
 * data of a failed send) are walked with their own length checks.
 *
 * The type numbers are Linux's (linux/sctp.h): they differ from the BSD
 * ones, so the code only ever uses the names.
 */
#include <stdarg.h>
#include <stdbool.h>

#include "util_old.h"
#include "decode.h"

/* How many stream numbers, causes and data bytes a line shows at most. */
#define LIST_MAX 16
#define CAUSES_MAX 8
#define HEX_MAX 16
/* Longest reason text (User-Initiated Abort, Protocol Violation) shown. */
#define TEXT_MAX 48

/* Sizes of the on-wire headers found inside some notifications. */
#define CAUSE_HDR_LEN 4 /* error cause: code (16 bits), length (16 bits) */
#define CHUNK_HDR_LEN 4 /* chunk: type, flags, length (16 bits) */

/* An output line being built; never overflows, may be cut short. */
struct line {
	char *buf;
	size_t size;
	size_t used;
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
	if (n < 0)
		return;
	l->used += (size_t)n;
	if (l->used > l->size - 1)
		l->used = l->size - 1;
}

/* Start the line again: a malformed buffer gets a line of its own. */
static enum sn_status malformed(struct line *l, const char *name,
				const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum sn_status
malformed(struct line *l, const char *name, const char *fmt, ...)
{
	va_list ap;
	int n;

	l->used = 0;
	if (l->size > 0)
		l->buf[0] = '\0';
	put(l, "%s malformed: ", name);
	if (l->size == 0 || l->used >= l->size - 1)
		return SN_MALFORMED;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->used, l->size - l->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->used += (size_t)n;
	if (l->used > l->size - 1)
		l->used = l->size - 1;
	return SN_MALFORMED;
}

static uint16_t
get16be(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32be(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void
put_hex(struct line *l, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < HEX_MAX; i++)
		put(l, "%02x", p[i]);
	if (n > HEX_MAX)
		put(l, "...");
}

/* Peer-supplied text, quoted, printable ASCII only. */
static void
put_text(struct line *l, const unsigned char *p, size_t n)
{
	size_t i;

	put(l, "\"");
	for (i = 0; i < n && i < TEXT_MAX; i++) {
		if (p[i] == '\0' && i + 1 == n)
			break; /* a C string's terminator, sent along */
		put(l, "%c",
		    p[i] >= ' ' && p[i] <= '~' && p[i] != '"' && p[i] != '\\'
			    ? p[i]
			    : '.');
	}
	put(l, n > TEXT_MAX ? "...\"" : "\"");
}

/* Error cause codes: RFC 9260 3.3.10, RFC 5061 (ASCONF), RFC 4895. */
static const char *
cause_name(unsigned code)
{
	switch (code) {
	case 1:
		return "INVALID_STREAM_IDENTIFIER";
	case 2:
		return "MISSING_MANDATORY_PARAMETER";
	case 3:
		return "STALE_COOKIE";
	case 4:
		return "OUT_OF_RESOURCE";
	case 5:
		return "UNRESOLVABLE_ADDRESS";
	case 6:
		return "UNRECOGNIZED_CHUNK_TYPE";
	case 7:
		return "INVALID_MANDATORY_PARAMETER";
	case 8:
		return "UNRECOGNIZED_PARAMETERS";
	case 9:
		return "NO_USER_DATA";
	case 10:
		return "COOKIE_RECEIVED_WHILE_SHUTTING_DOWN";
	case 11:
		return "RESTART_WITH_NEW_ADDRESSES";
	case 12:
		return "USER_INITIATED_ABORT";
	case 13:
		return "PROTOCOL_VIOLATION";
	case 0x00a0:
		return "DELETE_LAST_REMAINING_ADDRESS";
	case 0x00a1:
		return "RESOURCE_SHORTAGE";
	case 0x00a2:
		return "DELETE_SOURCE_ADDRESS";
	case 0x00a3:
		return "ILLEGAL_ASCONF_ACK";
	case 0x00a4:
		return "NO_AUTHORIZATION";
	case 0x0105:
		return "UNSUPPORTED_HMAC_IDENTIFIER";
	}
	return NULL;
}

/*
 * One error cause: its name, then what its body says, in brackets. BODY
 * is the cause-specific information, without the 4-byte cause header.
 */
static void
put_cause(struct line *l, unsigned code, const unsigned char *body, size_t n)
{
	const char *name = cause_name(code);

	if (name)
		put(l, "%s", name);
	else
		put(l, "CAUSE_%u", code);
	if (n == 0)
		return;
	put(l, "[");
	switch (code) {
	case 1: /* stream identifier, 16 reserved bits */
		if (n >= 2)
			put(l, "stream=%u", get16be(body));
		else
			put_hex(l, body, n);
		break;
	case 3: /* measure of staleness, microseconds */
		if (n >= 4)
			put(l, "staleness_us=%" PRIu32, get32be(body));
		else
			put_hex(l, body, n);
		break;
	case 6: /* the unrecognized chunk itself */
		if (n >= CHUNK_HDR_LEN)
			put(l, "chunk=0x%02x,flags=0x%02x,length=%u", body[0],
			    body[1], get16be(body + 2));
		else
			put_hex(l, body, n);
		break;
	case 12: /* upper layer abort reason */
	case 13: /* additional information */
		put(l, "reason=");
		put_text(l, body, n);
		break;
	default:
		put(l, "info=");
		put_hex(l, body, n);
	}
	put(l, "]");
}

/*
 * A list of error causes, as an ABORT chunk carries them. Each cause's
 * length counts its header; causes are padded to 4 bytes, the padding
 * not counted. Returns false when a length does not fit.
 */
static bool
put_causes(struct line *l, const unsigned char *p, size_t n)
{
	size_t off = 0, shown = 0;

	put(l, " causes=");
	while (n - off >= CAUSE_HDR_LEN) {
		unsigned code = get16be(p + off);
		size_t clen = get16be(p + off + 2);

		if (clen < CAUSE_HDR_LEN || clen > n - off)
			return false;
		if (shown > 0 && shown <= CAUSES_MAX)
			put(l, ",");
		if (shown < CAUSES_MAX)
			put_cause(l, code, p + off + CAUSE_HDR_LEN,
				  clen - CAUSE_HDR_LEN);
		else if (shown == CAUSES_MAX)
			put(l, "...");
		shown++;
		off += (clen + 3) & ~(size_t)3;
		if (off > n)
			off = n; /* the last cause's padding may be left off */
	}
	if (n - off != 0)
		return false; /* 1 to 3 bytes that cannot be a cause */
	if (shown == 0)
		put(l, "none");
	return true;
}

/* Flags that a table names; the bits it does not know shown in hex. */
struct flag {
	unsigned bit;
	const char *name;
};

static void
put_flags(struct line *l, unsigned v, const struct flag *t, size_t count)
{
	size_t i;
	bool first = true;

	if (v == 0) {
		put(l, "none");
		return;
	}
	for (i = 0; i < count; i++) {
		if (v & t[i].bit) {
			put(l, "%s%s", first ? "" : "|", t[i].name);
			v &= ~t[i].bit;
			first = false;
		}
	}
	if (v)
		put(l, "%s0x%x", first ? "" : "|", v);
}

/*
 * SEND_FAILED's sinfo_flags and SEND_FAILED_EVENT's snd_flags: Linux
 * fills them with the flags of the DATA chunk that failed (RFC 9260
 * 3.3.1), so that an application can tell which fragment it got back.
 */
static const struct flag data_chunk_flags[] = {
	{ 0x02, "FIRST_FRAG" },	      /* B bit */
	{ 0x01, "LAST_FRAG" },	      /* E bit */
	{ 0x04, "UNORDERED" },	      /* U bit */
	{ 0x08, "SACK_IMMEDIATELY" }, /* I bit */
};

static const struct flag stream_reset_flags[] = {
	{ SCTP_STREAM_RESET_INCOMING_SSN, "INCOMING_SSN" },
	{ SCTP_STREAM_RESET_OUTGOING_SSN, "OUTGOING_SSN" },
	{ SCTP_STREAM_RESET_DENIED, "DENIED" },
	{ SCTP_STREAM_RESET_FAILED, "FAILED" },
};

static const struct flag assoc_reset_flags[] = {
	{ SCTP_ASSOC_RESET_DENIED, "DENIED" },
	{ SCTP_ASSOC_RESET_FAILED, "FAILED" },
};

static const struct flag stream_change_flags[] = {
	{ SCTP_STREAM_CHANGE_DENIED, "DENIED" },
	{ SCTP_STREAM_CHANGE_FAILED, "FAILED" },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A name from a table, or the number when the table has none. */
static void
put_name(struct line *l, const char *field, const char *name, long v)
{
	if (name)
		put(l, " %s=%s", field, name);
	else
		put(l, " %s=%ld", field, v);
}

/* spc_error and friends: the reason Linux gives for an address change. */
static const char *
sn_error_name(int error)
{
	switch (error) {
	case SCTP_FAILED_THRESHOLD:
		return "FAILED_THRESHOLD";
	case SCTP_RECEIVED_SACK:
		return "RECEIVED_SACK";
	case SCTP_HEARTBEAT_SUCCESS:
		return "HEARTBEAT_SUCCESS";
	case SCTP_RESPONSE_TO_USER_REQ:
		return "RESPONSE_TO_USER_REQ";
	case SCTP_INTERNAL_ERROR:
		return "INTERNAL_ERROR";
	case SCTP_SHUTDOWN_GUARD_EXPIRES:
		return "SHUTDOWN_GUARD_EXPIRES";
	case SCTP_PEER_FAULTY:
		return "PEER_FAULTY";
	}
	return NULL;
}

static const char *
send_failed_flag_name(unsigned flags)
{
	switch (flags) {
	case SCTP_DATA_UNSENT:
		return "UNSENT";
	case SCTP_DATA_SENT:
		return "SENT";
	}
	return NULL;
}

static const char *
auth_indication_name(unsigned ind)
{
	switch (ind) {
	case SCTP_AUTH_NEW_KEY:
		return "NEW_KEY";
	case SCTP_AUTH_FREE_KEY:
		return "FREE_KEY";
	case SCTP_AUTH_NO_AUTH:
		return "NO_AUTH";
	}
	return NULL;
}

/*
 * The decoders. P points at a notification of N bytes (its own length
 * field, already checked against what arrived), N at least the size of
 * the fixed structure. They return false when a variable part does not
 * add up.
 */

static bool
assoc_change(struct line *l, const unsigned char *p, size_t n)
{
	struct sctp_assoc_change sac;
	const unsigned char *info = p + sizeof(sac);
	size_t ilen = n - sizeof(sac);

	memcpy(&sac, p, sizeof(sac));
	put(l, " assoc=%d", sac.sac_assoc_id);
	put_name(l, "state", sctp_assoc_change_name(sac.sac_state),
		 sac.sac_state);
	/*
	 * On COMM_LOST, Linux (6.1) stores an error cause code here just as
	 * it travels in the chunk: in network byte order (User-Initiated
	 * Abort, 12, reads 3072 on x86). Other states carry a plain number.
	 */
	if (sac.sac_state == SCTP_COMM_LOST && sac.sac_error &&
	    cause_name(ntohs(sac.sac_error)))
		put(l, " error=%s", cause_name(ntohs(sac.sac_error)));
	else
		put(l, " error=%u", sac.sac_error);
	put(l, " outbound=%u inbound=%u", sac.sac_outbound_streams,
	    sac.sac_inbound_streams);
	if (sac.sac_flags)
		put(l, " flags=0x%x", sac.sac_flags);
	if (ilen == 0)
		return true;
	/* After an ABORT, sac_info holds the ABORT chunk's error causes. */
	if (sac.sac_state == SCTP_COMM_LOST ||
	    sac.sac_state == SCTP_CANT_STR_ASSOC)
		return put_causes(l, info, ilen);
	put(l, " info=");
	put_hex(l, info, ilen);
	return true;
}

static bool
paddr_change(struct line *l, const unsigned char *p, size_t n)
{
	struct sctp_paddr_change spc;
	struct sockaddr_storage ss;
	char addr[INET6_ADDRSTRLEN + 16];

	(void)n;
	memcpy(&spc, p, sizeof(spc));
	memcpy(&ss, &spc.spc_aaddr, sizeof(ss));
	put(l, " assoc=%d addr=%s port=%u", spc.spc_assoc_id,
	    addr_str((struct sockaddr *)&ss, addr, sizeof(addr)),
	    addr_port((struct sockaddr *)&ss));
	put_name(l, "state", sctp_paddr_change_name((unsigned)spc.spc_state),
		 spc.spc_state);
	put_name(l, "error", sn_error_name(spc.spc_error), spc.spc_error);
	if (spc.spc_flags)
		put(l, " flags=0x%x", spc.spc_flags);
	return true;
}

static bool
remote_error(struct line *l, const unsigned char *p, size_t n)
{
	struct sctp_remote_error sre;

	memcpy(&sre, p, sizeof(sre));
	put(l, " assoc=%d error=", sre.sre_assoc_id);
	/* The cause code is copied from the ERROR chunk: network order. */
	put_cause(l, ntohs(sre.sre_error), p + sizeof(sre), n - sizeof(sre));
	if (sre.sre_flags)
		put(l, " flags=0x%x", sre.sre_flags);
	return true;
}

static void
put_data(struct line *l, const unsigned char *p, size_t n)
{
	put(l, " bytes=%zu", n);
	if (n) {
		put(l, " data=");
		put_hex(l, p, n);
	}
}

static bool
send_failed(struct line *l, const unsigned char *p, size_t n)
{
	struct sctp_send_failed ssf;

	memcpy(&ssf, p, sizeof(ssf));
	put(l, " assoc=%d", ssf.ssf_assoc_id);
	put_name(l, "flags", send_failed_flag_name(ssf.ssf_flags),
		 ssf.ssf_flags);
	put(l,
	    " error=%" PRIu32 " stream=%u ssn=%u chunk_flags=", ssf.ssf_error,
	    ssf.ssf_info.sinfo_stream, ssf.ssf_info.sinfo_ssn);
	put_flags(l, ssf.ssf_info.sinfo_flags, data_chunk_flags,
		  COUNT(data_chunk_flags));
	put(l,
	    " ppid=%" PRIu32 " context=%" PRIu32 " ttl=%" PRIu32
	    " tsn=%" PRIu32,
	    ntohl(ssf.ssf_info.sinfo_ppid), ssf.ssf_info.sinfo_context,
	    ssf.ssf_info.sinfo_timetolive, ssf.ssf_info.sinfo_tsn);
	put_data(l, p + sizeof(ssf), n - sizeof(ssf));
	return true;
}

static bool
send_failed_event(struct line *l, const unsigned char *p, size_t n)
{
	struct sctp_send_failed_event ssf;

	memcpy(&ssf, p, sizeof(ssf));
	put(l, " assoc=%d", ssf.ssf_assoc_id);
	put_name(l, "flags", send_failed_flag_name(ssf.ssf_flags),
		 ssf.ssf_flags);
	put(l, " error=%" PRIu32 " stream=%u chunk_flags=", ssf.ssf_error,
	    ssf.ssfe_info.snd_sid);
	put_flags(l, ssf.ssfe_info.snd_flags, data_chunk_flags,
		  COUNT(data_chunk_flags));
	put(l, " ppid=%" PRIu32 " context=%" PRIu32,
	    ntohl(ssf.ssfe_info.snd_ppid), ssf.ssfe_info.snd_context);
	put_data(l, p + sizeof(ssf), n - sizeof(ssf));
	return true;
}

static bool
shutdown_event(struct line *l, const unsigned char *p, size_t n)
{
	struct sctp_shutdown_event sse;

	(void)n;
	memcpy(&sse, p, sizeof(sse));
	put(l, " assoc=%d", sse.sse_assoc_id);
	return true;
}

static bool
adaptation(struct line *l, const unsigned char *p, size_t n)
{
	struct sctp_adaptation_event sai;

	(void)n;
	memcpy(&sai, p, sizeof(sai));
	put(l, " assoc=%d indication=%" PRIu32, sai.sai_assoc_id,
	    sai.sai_adaptation_ind);
	return true;
}

static bool
partial_delivery(struct line *l, const unsigned char *p, size_t n)
{
	struct sctp_pdapi_event pd;

	(void)n;
	memcpy(&pd, p, sizeof(pd));
	put(l, " assoc=%d", pd.pdapi_assoc_id);
	put_name(l, "indication",
		 pd.pdapi_indication == SCTP_PARTIAL_DELIVERY_ABORTED
			 ? "PARTIAL_DELIVERY_ABORTED"
			 : NULL,
		 (long)pd.pdapi_indication);
	put(l, " stream=%" PRIu32 " seq=%" PRIu32, pd.pdapi_stream,
	    pd.pdapi_seq);
	return true;
}

static bool
authentication(struct line *l, const unsigned char *p, size_t n)
{
	struct sctp_authkey_event ak;

	(void)n;
	memcpy(&ak, p, sizeof(ak));
	put(l, " assoc=%d", ak.auth_assoc_id);
	put_name(l, "indication", auth_indication_name(ak.auth_indication),
		 (long)ak.auth_indication);
	put(l, " key=%u altkey=%u", ak.auth_keynumber, ak.auth_altkeynumber);
	return true;
}

static bool
sender_dry(struct line *l, const unsigned char *p, size_t n)
{
	struct sctp_sender_dry_event sd;

	(void)n;
	memcpy(&sd, p, sizeof(sd));
	put(l, " assoc=%d", sd.sender_dry_assoc_id);
	return true;
}

static bool
stream_reset(struct line *l, const unsigned char *p, size_t n)
{
	struct sctp_stream_reset_event sr;
	size_t i, count;

	memcpy(&sr, p, sizeof(sr));
	if ((n - sizeof(sr)) % sizeof(uint16_t))
		return false; /* half a stream number */
	count = (n - sizeof(sr)) / sizeof(uint16_t);
	put(l, " assoc=%d flags=", sr.strreset_assoc_id);
	put_flags(l, sr.strreset_flags, stream_reset_flags,
		  COUNT(stream_reset_flags));
	/* An empty list means every stream (RFC 6458 6.1.10). */
	put(l, " streams=");
	if (count == 0)
		put(l, "all");
	for (i = 0; i < count && i < LIST_MAX; i++) {
		uint16_t sid;

		memcpy(&sid, p + sizeof(sr) + i * sizeof(sid), sizeof(sid));
		put(l, "%s%u", i ? "," : "", sid);
	}
	if (count > LIST_MAX)
		put(l, ",...(%zu in all)", count);
	return true;
}

static bool
assoc_reset(struct line *l, const unsigned char *p, size_t n)
{
	struct sctp_assoc_reset_event ar;

	(void)n;
	memcpy(&ar, p, sizeof(ar));
	put(l, " assoc=%d flags=", ar.assocreset_assoc_id);
	put_flags(l, ar.assocreset_flags, assoc_reset_flags,
		  COUNT(assoc_reset_flags));
	put(l, " local_tsn=%" PRIu32 " remote_tsn=%" PRIu32,
	    ar.assocreset_local_tsn, ar.assocreset_remote_tsn);
	return true;
}

static bool
stream_change(struct line *l, const unsigned char *p, size_t n)
{
	struct sctp_stream_change_event sc;

	(void)n;
	memcpy(&sc, p, sizeof(sc));
	put(l, " assoc=%d flags=", sc.strchange_assoc_id);
	put_flags(l, sc.strchange_flags, stream_change_flags,
		  COUNT(stream_change_flags));
	put(l, " instreams=%u outstreams=%u", sc.strchange_instrms,
	    sc.strchange_outstrms);
	return true;
}

/* Each type: its fixed size and its decoder. */
static const struct {
	uint16_t type;
	size_t size;
	bool (*decode)(struct line *, const unsigned char *, size_t);
} decoders[] = {
	{ SCTP_ASSOC_CHANGE, sizeof(struct sctp_assoc_change), assoc_change },
	{ SCTP_PEER_ADDR_CHANGE, sizeof(struct sctp_paddr_change),
	  paddr_change },
	{ SCTP_REMOTE_ERROR, sizeof(struct sctp_remote_error), remote_error },
	{ SCTP_SEND_FAILED, sizeof(struct sctp_send_failed), send_failed },
	{ SCTP_SHUTDOWN_EVENT, sizeof(struct sctp_shutdown_event),
	  shutdown_event },
	{ SCTP_PARTIAL_DELIVERY_EVENT, sizeof(struct sctp_pdapi_event),
	  partial_delivery },
	{ SCTP_ADAPTATION_INDICATION, sizeof(struct sctp_adaptation_event),
	  adaptation },
	{ SCTP_AUTHENTICATION_EVENT, sizeof(struct sctp_authkey_event),
	  authentication },
	{ SCTP_SENDER_DRY_EVENT, sizeof(struct sctp_sender_dry_event),
	  sender_dry },
	{ SCTP_STREAM_RESET_EVENT, sizeof(struct sctp_stream_reset_event),
	  stream_reset },
	{ SCTP_ASSOC_RESET_EVENT, sizeof(struct sctp_assoc_reset_event),
	  assoc_reset },
	{ SCTP_STREAM_CHANGE_EVENT, sizeof(struct sctp_stream_change_event),
	  stream_change },
	{ SCTP_SEND_FAILED_EVENT, sizeof(struct sctp_send_failed_event),
	  send_failed_event },
};

enum sn_status
sn_decode(const void *buf, size_t len, char *out, size_t outlen)
{
	const unsigned char *p = buf;
	struct line l = { out, outlen, 0 };
	uint16_t type, flags;
	uint32_t length;
	const char *name;
	size_t i;

	if (outlen > 0)
		out[0] = '\0';
	/* The header every notification starts with: sn_type, sn_flags,
	 * sn_length, in host byte order. */
	if (len < sizeof(((union sctp_notification *)0)->sn_header))
		return malformed(
			&l, "notification", "%zu bytes, the header needs %zu",
			len, sizeof(((union sctp_notification *)0)->sn_header));
	memcpy(&type, p, sizeof(type));
	memcpy(&flags, p + sizeof(type), sizeof(flags));
	memcpy(&length, p + sizeof(type) + sizeof(flags), sizeof(length));
	name = sctp_sn_type_name(type);

	/* sn_length covers the whole notification, header included. */
	if (length > len)
		return malformed(&l, name ? name : "notification",
				 "sn_length %" PRIu32 " but %zu bytes arrived",
				 length, len);
	if (length < sizeof(((union sctp_notification *)0)->sn_header))
		return malformed(&l, name ? name : "notification",
				 "sn_length %" PRIu32
				 " is shorter than the header",
				 length);

	for (i = 0; i < COUNT(decoders); i++) {
		if (decoders[i].type != type)
			continue;
		if (length < decoders[i].size)
			return malformed(&l, name,
					 "sn_length %" PRIu32
					 ", the structure needs %zu",
					 length, decoders[i].size);
		put(&l, "%s", name);
		if (!decoders[i].decode(&l, p, length))
			return malformed(&l, name,
					 "its variable part does not add up "
					 "(sn_length %" PRIu32 ")",
					 length);
		return SN_OK;
	}
	put(&l, "UNKNOWN type=%u flags=0x%04x length=%" PRIu32, type, flags,
	    length);
	return SN_UNKNOWN;
}
