/* SPDX-License-Identifier: 0BSD */
/*
 * multihome.h - what multihome_server and multihome_client share: the
 * options both take (-a, -p, -T: the path-failure settings), the socket
 * set-up both ends need to watch paths, the address sets and settings
 * they print, one line per notification, and sending and receiving
 * whole messages. The SCTP calls each program teaches are in the
 * program.
 */
#ifndef SCTP_SAMPLES_MULTIHOME_H
#define SCTP_SAMPLES_MULTIHOME_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "util.h"
#include "addrs.h"
/* After <netinet/in.h>: it defines IPPROTO_SCTP in an enum. */
#include <netinet/sctp.h>

#define MULTIHOME_PORT 3016 /* both programs' default */
#define MAX_ADDRS 16	    /* -a options; few hosts have more to name */
#define CLOCK_LEN 64	    /* clock_str()'s timestamp, with room */
#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * The -T settings, as the socket options that hold them. A zero field
 * tells the kernel "leave it as it is", except in SCTP_PEER_ADDR_THLDS,
 * which is set only when pf_retrans was given (set_thlds).
 */
struct tuning {
	struct sctp_rtoinfo rto;
	struct sctp_paddrparams pp;
	struct sctp_paddrthlds th;
	struct sctp_assocparams ap;
	struct sctp_sack_info sack;
	struct sctp_initmsg init; /* client only: the handshake */
	bool set_thlds;
};

#define TUNING_NAMES                                      \
	"hb_interval, rto_initial, rto_min, rto_max,\n"   \
	"                 path_max_retrans, pf_retrans, " \
	"association_max_retrans,\n"                      \
	"                 sack_timeout"

/* Parse one -T NAME=VALUE (the net.sctp sysctl names) into T. */
static inline int
parse_tuning(const char *arg, struct tuning *t)
{
	static const struct {
		const char *name;
		size_t offset, size; /* the field in struct tuning */
		unsigned long min, max;
	} keys[] = {
#define KEY(name, field, min, max)              \
	{ name, offsetof(struct tuning, field), \
	  sizeof(((struct tuning *)0)->field), min, max }
		KEY("rto_initial", rto.srto_initial, 1, INT32_MAX),
		KEY("rto_min", rto.srto_min, 1, INT32_MAX),
		KEY("rto_max", rto.srto_max, 1, INT32_MAX),
		KEY("hb_interval", pp.spp_hbinterval, 1, INT32_MAX),
		KEY("path_max_retrans", pp.spp_pathmaxrxt, 1, UINT16_MAX),
		KEY("pf_retrans", th.spt_pathpfthld, 0, UINT16_MAX),
		KEY("association_max_retrans", ap.sasoc_asocmaxrxt, 1,
		    UINT16_MAX),
		/* RFC 9260 section 6.2: a SACK waits at most 500 ms. */
		KEY("sack_timeout", sack.sack_delay, 1, 500),
		KEY("max_init_retransmits", init.sinit_max_attempts, 1,
		    UINT16_MAX),
#undef KEY
	};
	const char *eq = strchr(arg, '=');
	unsigned long v;

	for (size_t i = 0; eq && i < LEN(keys); i++) {
		char *field = (char *)t + keys[i].offset;

		if (strlen(keys[i].name) != (size_t)(eq - arg) ||
		    strncmp(arg, keys[i].name, (size_t)(eq - arg)) != 0)
			continue;
		if (parse_number(eq + 1, keys[i].name, keys[i].min, keys[i].max,
				 &v) < 0)
			return -1;
		if (keys[i].size == sizeof(uint32_t))
			memcpy(field, &(uint32_t){ (uint32_t)v }, 4);
		else
			memcpy(field, &(uint16_t){ (uint16_t)v }, 2);
		t->set_thlds |= field == (char *)&t->th.spt_pathpfthld;
		return 0;
	}
	fprintf(stderr, "%s: -T: '%s' is not NAME=VALUE with a known NAME\n",
		program_invocation_short_name, arg);
	return -1;
}

/* What both programs take: -a ADDR (repeat it), -p PORT, -T NAME=VALUE. */
struct common_args {
	const char *hosts[MAX_ADDRS];
	int n;
	unsigned port;
	struct tuning t;
};

/* Option OPT of those three (next_opt() has refused unknown ones). */
static inline void
common_opt(int opt, struct common_args *a, const char *options)
{
	if (opt == 'a' && a->n == MAX_ADDRS)
		usage_error(options, "-a", "at most 16 addresses");
	if (opt == 'a')
		a->hosts[a->n++] = optarg;
	else if (opt == 'p')
		a->port =
			(unsigned)number_arg(optarg, "port", 0, 65535, options);
	else if (opt == 'T' && parse_tuning(optarg, &a->t) < 0)
		usage_error(options, NULL, NULL);
}

/* Read the settings of association ID back: what is really in force. */
static inline void
print_settings(int fd, sctp_assoc_t id)
{
	struct tuning t = { .rto.srto_assoc_id = id,
			    .pp.spp_assoc_id = id,
			    .th.spt_assoc_id = id,
			    .ap.sasoc_assoc_id = id,
			    .sack.sack_assoc_id = id };
	socklen_t len = sizeof(t.rto);

	if (getsockopt(fd, IPPROTO_SCTP, SCTP_RTOINFO, &t.rto, &len) < 0)
		err(1, "getsockopt SCTP_RTOINFO");
	len = sizeof(t.pp);
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &t.pp, &len) <
	    0)
		err(1, "getsockopt SCTP_PEER_ADDR_PARAMS");
	len = sizeof(t.th);
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_PEER_ADDR_THLDS, &t.th, &len) < 0)
		err(1, "getsockopt SCTP_PEER_ADDR_THLDS");
	len = sizeof(t.ap);
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_ASSOCINFO, &t.ap, &len) < 0)
		err(1, "getsockopt SCTP_ASSOCINFO");
	len = sizeof(t.sack);
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_DELAYED_SACK, &t.sack, &len) < 0)
		err(1, "getsockopt SCTP_DELAYED_SACK");
	printf("settings: rto_initial %u ms, rto_min %u ms, rto_max %u ms, "
	       "hb_interval %u ms, path_max_retrans %u, pf_retrans %u, "
	       "association_max_retrans %u, sack_timeout %u ms\n",
	       t.rto.srto_initial, t.rto.srto_min, t.rto.srto_max,
	       t.pp.spp_hbinterval, t.pp.spp_pathmaxrxt, t.th.spt_pathpfthld,
	       t.ap.sasoc_asocmaxrxt, t.sack.sack_delay);
}

/*
 * What both ends need to watch their paths, then the -T settings as
 * defaults for the associations to come (SCTP_FUTURE_ASSOC, the 0 in
 * each struct): before connect(), since rto_initial and
 * max_init_retransmits already time the handshake.
 */
static inline void
setup_socket(int fd, int family, struct tuning *t)
{
	static const uint16_t events[] = { SCTP_ASSOC_CHANGE,
					   SCTP_PEER_ADDR_CHANGE,
					   SCTP_SHUTDOWN_EVENT };
	/*
	 * Linux keeps the "potentially failed" state (RFC 7829) to itself
	 * unless asked (2: report it); it is the moment traffic leaves a
	 * path. Kernels before 5.5 lack the option: go on without it.
	 */
	struct sctp_assoc_value expose = { SCTP_FUTURE_ASSOC, 2 };
	int off = 0, on = 1;

	/* IPv4 peers of an IPv6 socket: 10.0.0.1, not ::ffff:10.0.0.1. */
	if (family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_SCTP, SCTP_I_WANT_MAPPED_V4_ADDR, &off,
		       sizeof(off)) < 0)
		err(1, "setsockopt SCTP_I_WANT_MAPPED_V4_ADDR");
	/* SCTP_EVENT takes one type per call. */
	for (size_t i = 0; i < LEN(events); i++) {
		struct sctp_event ev = { .se_assoc_id = SCTP_FUTURE_ASSOC,
					 .se_type = events[i],
					 .se_on = 1 };

		if (setsockopt(fd, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev)) <
		    0)
			err(1, "setsockopt SCTP_EVENT");
	}
	/* Nagle's rule would hold a small message back for a SACK. */
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof(on)) < 0)
		err(1, "setsockopt SCTP_NODELAY");
	/* An SCTP_RCVINFO with each message: stream and association. */
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on)) < 0)
		err(1, "setsockopt SCTP_RECVRCVINFO");
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_EXPOSE_POTENTIALLY_FAILED_STATE,
		       &expose, sizeof(expose)) < 0)
		warn("setsockopt SCTP_EXPOSE_POTENTIALLY_FAILED_STATE");
	/* Without SPP_HB_ENABLE the kernel ignores spp_hbinterval. */
	if (t->pp.spp_hbinterval)
		t->pp.spp_flags |= SPP_HB_ENABLE;
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_RTOINFO, &t->rto,
		       sizeof(t->rto)) < 0)
		err(1, "setsockopt SCTP_RTOINFO");
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &t->pp,
		       sizeof(t->pp)) < 0)
		err(1, "setsockopt SCTP_PEER_ADDR_PARAMS");
	if (t->set_thlds && setsockopt(fd, IPPROTO_SCTP, SCTP_PEER_ADDR_THLDS,
				       &t->th, sizeof(t->th)) < 0)
		err(1, "setsockopt SCTP_PEER_ADDR_THLDS");
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_ASSOCINFO, &t->ap,
		       sizeof(t->ap)) < 0)
		err(1, "setsockopt SCTP_ASSOCINFO");
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_DELAYED_SACK, &t->sack,
		       sizeof(t->sack)) < 0)
		err(1, "setsockopt SCTP_DELAYED_SACK");
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &t->init,
		       sizeof(t->init)) < 0)
		err(1, "setsockopt SCTP_INITMSG");
}

/*
 * The local (sctp_getladdrs) or, with PEER, the peer (sctp_getpaddrs)
 * address set of association ID: a heading, then one address a line,
 * each line after INDENT.
 */
static inline void
print_addrs(int fd, sctp_assoc_t id, bool peer, const char *indent)
{
	const char *call = peer ? "sctp_getpaddrs" : "sctp_getladdrs";
	const struct sockaddr *sa;
	struct sockaddr *addrs;
	char text[ADDR_STRLEN];
	size_t off = 0;
	int n = peer ? sctp_getpaddrs(fd, id, &addrs)
		     : sctp_getladdrs(fd, id, &addrs);
	/* No entry is longer than a sockaddr_in6: that bounds the walk. */
	size_t size = n > 0 ? (size_t)n * sizeof(struct sockaddr_in6) : 0;

	if (n < 0) {
		warn("%s (assoc %d)", call, (int)id);
		return;
	}
	printf("%s%s address set (%s): %d address%s\n", indent,
	       peer ? "peer" : "local", call, n, n == 1 ? "" : "es");
	for (int i = 0; i < n && (sa = addr_next(addrs, size, &off)); i++)
		printf("%s  %s\n", indent, addr_str(sa, text));
	fflush(stdout);
	if (n > 0 && peer)
		sctp_freepaddrs(addrs);
	else if (n > 0)
		sctp_freeladdrs(addrs);
}

/*
 * One timestamped line for notification SN of LEN bytes. Returns the
 * state of an SCTP_ASSOC_CHANGE (SCTP_COMM_UP, ...), else -1.
 */
static inline int
print_event(const union sctp_notification *sn, size_t len)
{
	/* Names in the order of linux/sctp.h's enums: the states are 0... */
	static const char *const assoc[] = { "COMM_UP", "COMM_LOST", "RESTART",
					     "SHUTDOWN_COMP",
					     "CANT_STR_ASSOC" };
	static const char *const paddr[] = {
		"ADDR_AVAILABLE",	  "ADDR_UNREACHABLE",
		"ADDR_REMOVED",		  "ADDR_ADDED",
		"ADDR_MADE_PRIM",	  "ADDR_CONFIRMED",
		"ADDR_POTENTIALLY_FAILED"
	};
	const struct sctp_assoc_change *ac = &sn->sn_assoc_change;
	const struct sctp_paddr_change *pc = &sn->sn_paddr_change;
	char now[CLOCK_LEN], text[ADDR_STRLEN];
	unsigned type = sn->sn_header.sn_type, state = 0;

	printf("%s ", clock_str(now, sizeof(now)));
	if (type == SCTP_ASSOC_CHANGE && len >= sizeof(*ac)) {
		state = ac->sac_state;
		printf("assoc %d: ASSOC_CHANGE %s\n", (int)ac->sac_assoc_id,
		       state < LEN(assoc) ? assoc[state] : "?");
	} else if (type == SCTP_PEER_ADDR_CHANGE && len >= sizeof(*pc)) {
		state = (unsigned)pc->spc_state;
		printf("assoc %d: PEER_ADDR_CHANGE %s %s\n",
		       (int)pc->spc_assoc_id,
		       addr_str((const void *)&pc->spc_aaddr, text),
		       state < LEN(paddr) ? paddr[state] : "?");
	} else if (type == SCTP_SHUTDOWN_EVENT &&
		   len >= sizeof(sn->sn_shutdown_event)) {
		printf("assoc %d: SHUTDOWN_EVENT\n",
		       (int)sn->sn_shutdown_event.sse_assoc_id);
	} else {
		printf("notification type %u\n", type);
	}
	fflush(stdout);
	return type == SCTP_ASSOC_CHANGE && len >= sizeof(*ac) ? (int)state
							       : -1;
}

/*
 * Send one whole message of LEN bytes on stream SID of association
 * ASSOC (0 on a one-to-one socket). Never blocks (so never EINTR): a
 * full send buffer is EAGAIN, for the caller to decide. MSG_NOSIGNAL:
 * an association gone is EPIPE, not a SIGPIPE that kills. 0, or -1
 * with errno.
 */
static inline int
send_msg(int fd, const void *buf, size_t len, uint16_t sid, uint32_t ppid,
	 uint16_t flags, sctp_assoc_t assoc)
{
	struct sctp_sndinfo snd = { .snd_sid = sid,
				    .snd_flags = flags,
				    .snd_ppid = ppid,
				    .snd_assoc_id = assoc };
	union {
		struct cmsghdr align; /* CMSG_* need an aligned buffer */
		char buf[CMSG_SPACE(sizeof(snd))];
	} control = { 0 };
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = control.buf,
			      .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);

	cmsg->cmsg_level = IPPROTO_SCTP;
	cmsg->cmsg_type = SCTP_SNDINFO;
	cmsg->cmsg_len = CMSG_LEN(sizeof(snd));
	memcpy(CMSG_DATA(cmsg), &snd, sizeof(snd));
	return sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ? -1 : 0;
}

/*
 * Receive one whole message: the parts recvmsg() returns joined up to
 * MSG_EOR, its SCTP_RCVINFO into INFO (notifications have none), its
 * flags (MSG_NOTIFICATION) into FLAGS and the address it came from into
 * FROM. Returns its length, 0 at EOF, or -1 with errno: EMSGSIZE for a
 * message over CAP bytes (read to its end and dropped), EINTR for a
 * signal before the first part.
 */
static inline ssize_t
recv_msg(int fd, void *buf, size_t cap, struct sctp_rcvinfo *info, int *flags,
	 struct sockaddr_storage *from)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(*info))];
	} control;
	size_t have = 0;
	bool too_big = false;

	*flags = 0;
	do {
		struct iovec iov = { (char *)buf + have, cap - have };
		struct msghdr msg = { .msg_name = from,
				      .msg_namelen = sizeof(*from),
				      .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = control.buf,
				      .msg_controllen = sizeof(control.buf) };
		ssize_t n = recvmsg(fd, &msg, 0);

		if (n < 0 && errno == EINTR && have > 0)
			continue;
		if (n <= 0)
			return n;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
		     c = CMSG_NXTHDR(&msg, c))
			if (c->cmsg_level == IPPROTO_SCTP &&
			    c->cmsg_type == SCTP_RCVINFO)
				memcpy(info, CMSG_DATA(c), sizeof(*info));
		have += (size_t)n;
		*flags = msg.msg_flags;
		/* Too big: read on to its end, and drop it. */
		if (have == cap && !(*flags & MSG_EOR)) {
			too_big = true;
			have = 0;
		}
	} while (!(*flags & MSG_EOR));
	if (too_big) {
		errno = EMSGSIZE;
		return -1;
	}
	return (ssize_t)have;
}
#endif /* SCTP_SAMPLES_MULTIHOME_H */
