/* SPDX-License-Identifier: 0BSD */
/*
 * events.h - what the two programs of this lesson share (sctp_events.c
 * watches, provoke.c makes things happen and watches its own end): the
 * signals that stop them, the subscription to the notifications, the AUTH
 * keys, and reading a whole message or notification into one line.
 */
#ifndef SCTP_SAMPLES_EVENTS_H
#define SCTP_SAMPLES_EVENTS_H

#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <netinet/sctp.h>

#include "util.h"
#include "decode.h"

/* The biggest notification Linux sends, a SEND_FAILED with one DATA chunk
 * (under 64 KiB) or a STREAM_RESET of 65535 streams, fits whole. */
#define MSG_MAX (1 << 18)
/* One recvmsg() reads at most this much: bigger ones come in parts. */
#define PART_MAX 32768
#define KEYS_MAX 8
/* Bytes per line of the -v hex dump. */
#define DUMP_WIDTH 16
/* The chunk type of DATA, for SCTP_AUTH_CHUNK (RFC 9260 3.2). */
#define CHUNK_DATA 0

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Lines out as they are printed; SIGINT and SIGTERM set stop, without
 * SA_RESTART: a blocked recvmsg(), accept() or poll() returns EINTR. */
static void
catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

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
	struct sctp_event ev = { .se_assoc_id = SCTP_FUTURE_ASSOC, .se_on = 1 };
	int on = 1;

	if (setsockopt(fd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on)) < 0)
		err(1, "setsockopt SCTP_RECVRCVINFO");
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_ENABLE_STREAM_RESET, &av,
		       sizeof(av)) < 0)
		err(1, "setsockopt SCTP_ENABLE_STREAM_RESET");
	printf("subscribed:");
	for (unsigned t = SCTP_ASSOC_CHANGE; t <= SCTP_SN_TYPE_MAX; t++) {
		ev.se_type = (uint16_t)t;
		if (!(want & 1UL << (t - SCTP_ASSOC_CHANGE)))
			continue;
		/* A kernel older than these headers refuses new types. */
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev)))
			warn("setsockopt SCTP_EVENT %s (not subscribed)",
			     sn_type_name(t));
		else
			printf(" %s", sn_type_name(t));
	}
	printf("\n");
}

/* -k KEY:SECRET, checked before any socket exists, then cut at ':' and
 * added to KEYS, *N of them so far. */
static void
key_arg(char *spec, char **keys, int *n, const char *options)
{
	char *colon = strchr(spec, ':');

	if (*n == KEYS_MAX)
		usage_error(options, "-k", "too many");
	if (!colon || strlen(colon + 1) > UINT16_MAX)
		usage_error(options, "-k", "takes KEY:SECRET");
	*colon = '\0';
	number_arg(spec, "-k", 0, UINT16_MAX, options);
	keys[(*n)++] = spec;
}

/*
 * AUTH (RFC 4895, sysctl net.sctp.auth_enable=1): add the shared keys
 * key_arg() cut, and ask the peer to sign every DATA chunk it sends, each
 * AUTH chunk naming the key it chose.
 */
static void
add_keys(int fd, char *const *keys, int nkeys)
{
	static union {
		struct sctp_authkey k;
		char room[sizeof(struct sctp_authkey) + UINT16_MAX];
	} u;
	struct sctp_authchunk ac = { .sauth_chunk = CHUNK_DATA };

	for (int i = 0; i < nkeys; i++) {
		const char *secret = keys[i] + strlen(keys[i]) + 1;
		size_t len = strlen(secret);

		u.k.sca_assoc_id = SCTP_FUTURE_ASSOC;
		u.k.sca_keynumber = (uint16_t)strtoul(keys[i], NULL, 10);
		u.k.sca_keylength = (uint16_t)len;
		memcpy(u.k.sca_key, secret, len);
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_KEY, &u.k,
			       (socklen_t)(sizeof(u.k) + len)) < 0)
			err(1, "setsockopt SCTP_AUTH_KEY");
	}
	if (nkeys &&
	    setsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_CHUNK, &ac, sizeof(ac)) < 0)
		err(1, "setsockopt SCTP_AUTH_CHUNK");
}

/*
 * Read one whole message or notification from FD and print it as a line
 * with the time. recvmsg() hands a big one over in parts, only the last
 * with MSG_EOR; the one thing that can come between two parts is the
 * PARTIAL_DELIVERY_EVENT saying the rest never will: a look (MSG_PEEK)
 * before each further part sees it, and the parts so far are shown, the
 * event by the next call. A hex dump follows a notification with VERBOSE,
 * or when it is malformed. Returns the length, 0 at EOF, -1 with errno;
 * *OVER: this notification says the association is over.
 */
static ssize_t
show(int fd, bool verbose, bool *over)
{
	static union {
		unsigned char buf[MSG_MAX];
		struct sctp_assoc_change sac; /* for the alignment */
	} u;
	struct sctp_rcvinfo info = { 0 };
	char ts[32], line[SN_LINE_MAX];
	size_t len = 0;
	int flags = 0;

	*over = false;
	while (len < sizeof(u.buf) && !(flags & MSG_EOR)) {
		union {
			char buf[CMSG_SPACE(sizeof(info))];
			struct cmsghdr align;
		} ctl;
		size_t room = sizeof(u.buf) - len;
		struct iovec iov = { u.buf + len,
				     room < PART_MAX ? room : PART_MAX };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n;

		if (len > 0 && (recvmsg(fd, &m, MSG_PEEK) < 0 ||
				(m.msg_flags ^ flags) & MSG_NOTIFICATION))
			break; /* or a signal: what arrived so far */
		m.msg_control = ctl.buf;
		m.msg_controllen = sizeof(ctl.buf);
		n = recvmsg(fd, &m, 0);
		if (n < 0 && len == 0)
			return -1;
		if (n < 0 || (n == 0 && !(m.msg_flags & MSG_NOTIFICATION)))
			break; /* EOF */
		flags = m.msg_flags;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c;
		     c = CMSG_NXTHDR(&m, c))
			if (c->cmsg_level == IPPROTO_SCTP &&
			    c->cmsg_type == SCTP_RCVINFO)
				memcpy(&info, CMSG_DATA(c), sizeof(info));
		len += (size_t)n;
	}
	if (len == 0)
		return 0;
	clock_str(ts, sizeof(ts));
	if (!(flags & MSG_NOTIFICATION)) {
		printf("%s DATA assoc=%d stream=%u ssn=%u ppid=%" PRIu32
		       " bytes=%zu %s\n",
		       ts, info.rcv_assoc_id, info.rcv_sid, info.rcv_ssn,
		       ntohl(info.rcv_ppid), len,
		       flags & MSG_EOR ? "eor" : "partial");
		return (ssize_t)len;
	}
	if (sn_decode(u.buf, len, line, sizeof(line)) == SN_MALFORMED)
		verbose = true;
	printf("%s %s\n", ts, line);
	for (size_t i = 0; verbose && i < len; i += DUMP_WIDTH) {
		printf("    %04zx ", i);
		for (size_t j = i; j < len && j < i + DUMP_WIDTH; j++)
			printf(" %02x", u.buf[j]);
		printf("\n");
	}
	/* Nothing more comes for an association after one of these. */
	*over = len >= sizeof(u.sac) && u.sac.sac_type == SCTP_ASSOC_CHANGE &&
		(u.sac.sac_state == SCTP_COMM_LOST ||
		 u.sac.sac_state == SCTP_SHUTDOWN_COMP ||
		 u.sac.sac_state == SCTP_CANT_STR_ASSOC);
	return (ssize_t)len;
}

/* Print what is left on FD, without waiting for more. */
static void
drain(int fd, bool verbose)
{
	bool over;

	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		err(1, "fcntl");
	while (show(fd, verbose, &over) > 0)
		continue;
}

#endif /* SCTP_SAMPLES_EVENTS_H */
