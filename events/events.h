/* SPDX-License-Identifier: 0BSD */
/*
 * events.h - what the two programs of this lesson share (sctp_events.c
 * watches, provoke.c makes things happen and watches its own end): the
 * subscription to the notifications, the AUTH keys, receiving a whole
 * message or notification, and printing it as one line.
 */
#ifndef SCTP_SAMPLES_EVENTS_H
#define SCTP_SAMPLES_EVENTS_H

#include <inttypes.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <netinet/sctp.h>

#include "util.h"
#include "decode.h"

/*
 * The biggest notification Linux sends is a SEND_FAILED carrying one DATA
 * chunk (under 64 KiB) or a STREAM_RESET listing 65535 streams: a buffer
 * this big holds either whole.
 */
#define MSG_MAX (1 << 18)
/*
 * One recvmsg() reads at most this much, so that a notification or a
 * message bigger than that comes in parts, and the lines show them joined.
 */
#define PART_MAX 32768
#define KEYS_MAX 8
/* Bytes per line of the -v hex dump. */
#define DUMP_WIDTH 16
/* The chunk type of DATA, for SCTP_AUTH_CHUNK (RFC 9260 3.2). */
#define CHUNK_DATA 0

/*
 * Every association this socket will have: data with its stream
 * (SCTP_RCVINFO), a peer's stream reset requests accepted (Linux denies
 * them unless told, and refuses our own), and one SCTP_EVENT call per
 * notification type whose bit (type - SCTP_ASSOC_CHANGE) WANT has.
 */
static void
subscribe(int fd, unsigned long want)
{
	struct sctp_assoc_value av = { SCTP_FUTURE_ASSOC,
				       SCTP_ENABLE_STRRESET_MASK };
	int on = 1;

	if (setsockopt(fd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on)) < 0)
		err(1, "setsockopt SCTP_RECVRCVINFO");
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, &av,
		       sizeof(av)) < 0)
		err(1, "setsockopt SCTP_ENABLE_STREAM_RESET");
	printf("subscribed:");
	for (unsigned t = SCTP_ASSOC_CHANGE; t <= SCTP_SN_TYPE_MAX; t++) {
		struct sctp_event ev = { .se_assoc_id = SCTP_FUTURE_ASSOC,
					 .se_type = (uint16_t)t,
					 .se_on = 1 };

		if (!(want & 1UL << (t - SCTP_ASSOC_CHANGE)))
			continue;
		/* A kernel older than these headers refuses new types. */
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev)) <
		    0)
			warn("setsockopt SCTP_EVENT %s (not subscribed)",
			     sn_type_name(t));
		else
			printf(" %s", sn_type_name(t));
	}
	printf("\n");
}

/* -k KEY:SECRET, checked before any socket exists; SPEC is cut at ':'. */
static char *
key_arg(char *spec, const char *options)
{
	char *colon = strchr(spec, ':');

	if (!colon || strlen(colon + 1) > UINT16_MAX)
		usage_error(options, "-k", "takes KEY:SECRET");
	*colon = '\0';
	number_arg(spec, "-k", 0, UINT16_MAX, options);
	return spec;
}

/*
 * AUTH (RFC 4895, sysctl net.sctp.auth_enable=1): add the shared keys
 * key_arg() cut, and ask the peer to sign every DATA chunk it sends, each
 * AUTH chunk naming the key it chose.
 */
static void
add_keys(int fd, char *const *keys, int nkeys)
{
	struct sctp_authchunk ac = { .sauth_chunk = CHUNK_DATA };

	for (int i = 0; i < nkeys; i++) {
		const char *secret = keys[i] + strlen(keys[i]) + 1;
		size_t len = strlen(secret);
		struct sctp_authkey *key = calloc(1, sizeof(*key) + len);

		if (!key)
			err(1, "calloc");
		key->sca_assoc_id = SCTP_FUTURE_ASSOC;
		key->sca_keynumber = (uint16_t)strtoul(keys[i], NULL, 10);
		key->sca_keylength = (uint16_t)len;
		memcpy(key->sca_key, secret, len);
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_KEY, key,
			       (socklen_t)(sizeof(*key) + len)) < 0)
			err(1, "setsockopt SCTP_AUTH_KEY");
		free(key);
	}
	if (nkeys &&
	    setsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_CHUNK, &ac, sizeof(ac)) < 0)
		err(1, "setsockopt SCTP_AUTH_CHUNK");
}

/*
 * One whole message or notification into BUF: recvmsg() hands a big one
 * over in parts, only the last with MSG_EOR. Returns its length (*FLAGS:
 * MSG_NOTIFICATION, and MSG_EOR once whole), 0 at EOF, -1 with errno. A
 * message longer than CAP comes in pieces of CAP bytes, the last with
 * MSG_EOR. The one thing that can come between two parts is the
 * PARTIAL_DELIVERY_EVENT saying the rest never will: a look (MSG_PEEK)
 * before each further part sees it, and the parts so far are returned
 * without MSG_EOR, the notification by the next call.
 */
static ssize_t
recv_msg(int fd, void *buf, size_t cap, struct sctp_rcvinfo *info, int *flags)
{
	size_t len = 0;

	*flags = 0;
	memset(info, 0, sizeof(*info));
	while (len < cap && !(*flags & MSG_EOR)) {
		union {
			char buf[CMSG_SPACE(sizeof(*info))];
			struct cmsghdr align;
		} ctl;
		struct iovec iov = { (char *)buf + len, cap - len < PART_MAX
								? cap - len
								: PART_MAX };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (len > 0 && (recvmsg(fd, &m, MSG_PEEK) < 0 ||
				(m.msg_flags ^ *flags) & MSG_NOTIFICATION))
			break; /* or a signal: what arrived so far */
		m.msg_control = ctl.buf;
		m.msg_controllen = sizeof(ctl.buf);
		n = recvmsg(fd, &m, 0);
		if (n < 0)
			return len ? (ssize_t)len : -1;
		if (n == 0 && !(m.msg_flags & MSG_NOTIFICATION))
			break; /* EOF */
		*flags = m.msg_flags;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c;
		     c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == IPPROTO_SCTP &&
			    c->cmsg_type == SCTP_RCVINFO)
				memcpy(info, CMSG_DATA(c), sizeof(*info));
		len += (size_t)n;
	}
	return (ssize_t)len;
}

/*
 * One line with the time: a notification decoded (a hex dump under it
 * with VERBOSE, or when it is malformed), or the data that arrived, with
 * "eor" when it is a whole message and "partial" when it is not.
 */
static void
print_msg(const unsigned char *buf, size_t n, int flags,
	  const struct sctp_rcvinfo *info, bool verbose)
{
	char ts[32], line[SN_LINE_MAX];

	clock_str(ts, sizeof(ts));
	if (!(flags & MSG_NOTIFICATION)) {
		printf("%s DATA assoc=%d stream=%u ssn=%u ppid=%" PRIu32
		       " bytes=%zu %s\n",
		       ts, info->rcv_assoc_id, info->rcv_sid, info->rcv_ssn,
		       ntohl(info->rcv_ppid), n,
		       flags & MSG_EOR ? "eor" : "partial");
		return;
	}
	if (sn_decode(buf, n, line, sizeof(line)) == SN_MALFORMED)
		verbose = true;
	printf("%s %s\n", ts, line);
	for (size_t i = 0; verbose && i < n; i += DUMP_WIDTH) {
		printf("    %04zx ", i);
		for (size_t j = i; j < n && j < i + DUMP_WIDTH; j++)
			printf(" %02x", buf[j]);
		printf("\n");
	}
}

#endif /* SCTP_SAMPLES_EVENTS_H */
