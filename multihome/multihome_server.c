/*
 * multihome_server - multihoming, server side: one endpoint, several
 * addresses, one association that spans them all.
 *
 * A TCP listener has one address (or the wildcard). An SCTP endpoint binds
 * a SET of addresses with sctp_bindx(), and every association it accepts
 * lists that whole set in its INIT-ACK, so the peer can reach it over any
 * of them. sctp_getladdrs() shows the set; bound to the wildcard on an
 * IPv6 socket it is every address of the host, IPv4 and IPv6 alike -- what
 * `sockstat -s` shows on FreeBSD under a single LISTEN line.
 *
 * It echoes every message back on the stream it came in on, and prints,
 * with a timestamp, each association's events (SCTP_ASSOC_CHANGE,
 * SCTP_PEER_ADDR_CHANGE) and the client address its data arrives from:
 * when a path fails, that address changes and the association lives on.
 * The -T settings (same names as the net.sctp sysctls) apply to every
 * association it accepts: failover is a per-end affair, and the echoes
 * travel on this end's paths. Sends never block: a peer that stops
 * reading is aborted when it fills the send buffer all share.
 *
 * Try:
 *   terminal 1: multihome/multihome_server -a 127.0.0.1 -a 127.0.0.2
 *   terminal 2: multihome/multihome_client -a 127.0.0.1 -a 127.0.0.2 -c 20
 * and with no -a, to see the wildcard's address set:
 *   terminal 1: multihome/multihome_server
 * multihome/failover.sh breaks a path under a running association.
 *
 * Read: sctp_bindx(3), sctp_getladdrs(3), sctp_getpaddrs(3), sctp(7),
 * RFC 6458 sections 8.1.1 (SCTP_RTOINFO), 8.1.2 (SCTP_ASSOCINFO), 8.1.12
 * (SCTP_PEER_ADDR_PARAMS), 6.1.2 (SCTP_PEER_ADDR_CHANGE), RFC 7829
 * (potentially failed paths, SCTP_PEER_ADDR_THLDS), and multihome/README.md.
 */
#include <err.h>
#include <stdbool.h>
#include <stddef.h>
#include <unistd.h>
#include <sys/uio.h>

#include "util_old.h"

/* Default port; multihome_client uses the same. */
#define MULTIHOME_PORT 3016

/* Most -a options taken; a host rarely has more addresses worth naming. */
#define MAX_ADDRS 16

/* Largest message echoed whole; the client's are a few bytes. */
#define MAX_MESSAGE 65536

/*
 * On a one-to-many socket listen() only switches accepting on: the
 * backlog has no queue to size (associations are not accept()ed).
 */
#define LISTEN_BACKLOG 1

/* Associations whose receive path we remember at once. */
#define MAX_TRACKED 64

/* Longest SACK delay allowed (RFC 9260 section 6.2: 500 ms). */
#define MAX_SACK_TIMEOUT 500

/*
 * Linux's values for SCTP_EXPOSE_POTENTIALLY_FAILED_STATE: 0 follows the
 * net.sctp.pf_expose sysctl, 1 hides the state, 2 reports it.
 */
#define PF_EXPOSE_ENABLE 2

/*
 * Room for clock_str()'s "HH:MM:SS.mmm": gcc cannot prove the fields
 * are small, so size it for the widest numbers it could print.
 */
#define CLOCK_LEN 64

/* Room for an address as text. */
#define ADDR_TEXT INET6_ADDRSTRLEN

/*
 * Path-failure settings from -T NAME=VALUE; -1 leaves the kernel's
 * value. The names are those of the net.sctp sysctls they override for
 * this socket alone.
 */
struct tuning {
	long hb_interval;      /* ms between heartbeats on an idle path */
	long rto_initial;      /* ms, before any round trip is measured */
	long rto_min;	       /* ms, floor of the retransmission timeout */
	long rto_max;	       /* ms, ceiling of its doubling */
	long path_max_retrans; /* timeouts before a path is unreachable */
	long pf_retrans;       /* timeouts before it is potentially failed */
	long sack_timeout;     /* ms a SACK may wait for a second packet */
	long association_max_retrans; /* timeouts in a row: COMM_LOST */
};

/* Receive path of one association, to print when it changes. */
struct tracked {
	sctp_assoc_t id;
	struct sockaddr_storage from;
	bool used;
};

static void
usage(FILE *out, int status)
{
	fprintf(out,
		"usage: %s [-a ADDR]... [-p PORT] [-T NAME=VALUE]... [-v] "
		"[-h]\n"
		"  -a ADDR        address to bind (repeat it for several; "
		"default: all)\n"
		"  -p PORT        port (default %d; 0: the kernel picks one)\n"
		"  -T NAME=VALUE  path-failure setting for every association "
		"(times in ms):\n"
		"                 hb_interval, rto_initial, rto_min, rto_max,\n"
		"                 path_max_retrans, pf_retrans, "
		"association_max_retrans,\n"
		"                 sack_timeout\n"
		"  -v             print every message echoed\n"
		"  -h             this help\n",
		program_invocation_short_name, MULTIHOME_PORT);
	exit(status);
}

/* Parse one -T NAME=VALUE into T. Returns 0, or -1 with a reason. */
static int
parse_tuning(const char *arg, struct tuning *t)
{
	static const struct {
		const char *name;
		size_t offset;
		unsigned long min, max;
	} keys[] = {
		{ "hb_interval", offsetof(struct tuning, hb_interval), 1,
		  INT32_MAX },
		{ "rto_initial", offsetof(struct tuning, rto_initial), 1,
		  INT32_MAX },
		{ "rto_min", offsetof(struct tuning, rto_min), 1, INT32_MAX },
		{ "rto_max", offsetof(struct tuning, rto_max), 1, INT32_MAX },
		{ "path_max_retrans", offsetof(struct tuning, path_max_retrans),
		  1, UINT16_MAX },
		{ "pf_retrans", offsetof(struct tuning, pf_retrans), 0,
		  UINT16_MAX },
		{ "association_max_retrans",
		  offsetof(struct tuning, association_max_retrans), 1,
		  UINT16_MAX },
		{ "sack_timeout", offsetof(struct tuning, sack_timeout), 1,
		  MAX_SACK_TIMEOUT },
	};
	const char *eq = strchr(arg, '=');
	unsigned long v;
	size_t i;

	for (i = 0; eq != NULL && i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strlen(keys[i].name) != (size_t)(eq - arg) ||
		    strncmp(arg, keys[i].name, (size_t)(eq - arg)) != 0)
			continue;
		if (parse_number(eq + 1, keys[i].name, keys[i].min, keys[i].max,
				 &v) < 0)
			return -1;
		*(long *)(void *)((char *)t + keys[i].offset) = (long)v;
		return 0;
	}
	fprintf(stderr, "%s: -T: '%s' is not NAME=VALUE with a known NAME\n",
		program_invocation_short_name, arg);
	return -1;
}

/*
 * Apply T to the socket as defaults for the associations it will have
 * (SCTP_FUTURE_ASSOC). Each setting is its own socket option; a zero in
 * a field means "leave it as it is" to the kernel.
 */
static void
apply_tuning(int fd, const struct tuning *t)
{
	if (t->rto_initial >= 0 || t->rto_min >= 0 || t->rto_max >= 0) {
		struct sctp_rtoinfo rto;

		memset(&rto, 0, sizeof(rto));
		rto.srto_assoc_id = SCTP_FUTURE_ASSOC;
		rto.srto_initial =
			t->rto_initial > 0 ? (uint32_t)t->rto_initial : 0;
		rto.srto_min = t->rto_min > 0 ? (uint32_t)t->rto_min : 0;
		rto.srto_max = t->rto_max > 0 ? (uint32_t)t->rto_max : 0;
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_RTOINFO, &rto,
			       sizeof(rto)) < 0)
			err(1, "setsockopt SCTP_RTOINFO");
	}
	if (t->hb_interval >= 0 || t->path_max_retrans >= 0) {
		struct sctp_paddrparams pp;

		/* An all-zero spp_address means every path. */
		memset(&pp, 0, sizeof(pp));
		pp.spp_assoc_id = SCTP_FUTURE_ASSOC;
		if (t->hb_interval >= 0) {
			pp.spp_hbinterval = (uint32_t)t->hb_interval;
			/* Without SPP_HB_ENABLE the interval is ignored. */
			pp.spp_flags |= SPP_HB_ENABLE;
		}
		if (t->path_max_retrans >= 0)
			pp.spp_pathmaxrxt = (uint16_t)t->path_max_retrans;
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp,
			       sizeof(pp)) < 0)
			err(1, "setsockopt SCTP_PEER_ADDR_PARAMS");
	}
	if (t->pf_retrans >= 0) {
		struct sctp_paddrthlds th;

		/* spt_pathmaxrxt 0 keeps path_max_retrans as it is. */
		memset(&th, 0, sizeof(th));
		th.spt_assoc_id = SCTP_FUTURE_ASSOC;
		th.spt_pathpfthld = (uint16_t)t->pf_retrans;
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_PEER_ADDR_THLDS, &th,
			       sizeof(th)) < 0)
			err(1, "setsockopt SCTP_PEER_ADDR_THLDS");
	}
	if (t->sack_timeout >= 0) {
		struct sctp_sack_info si;

		/* sack_freq 0 keeps "every second packet". */
		memset(&si, 0, sizeof(si));
		si.sack_assoc_id = SCTP_FUTURE_ASSOC;
		si.sack_delay = (uint32_t)t->sack_timeout;
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_DELAYED_SACK, &si,
			       sizeof(si)) < 0)
			err(1, "setsockopt SCTP_DELAYED_SACK");
	}
	if (t->association_max_retrans >= 0) {
		struct sctp_assocparams ap;

		memset(&ap, 0, sizeof(ap));
		ap.sasoc_assoc_id = SCTP_FUTURE_ASSOC;
		ap.sasoc_asocmaxrxt = (uint16_t)t->association_max_retrans;
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_ASSOCINFO, &ap,
			       sizeof(ap)) < 0)
			err(1, "setsockopt SCTP_ASSOCINFO");
	}
}

/* Read the settings back, so the output says what is really in force. */
static void
print_settings(int fd)
{
	struct sctp_rtoinfo rto;
	struct sctp_paddrparams pp;
	struct sctp_paddrthlds th;
	struct sctp_assocparams ap;
	struct sctp_sack_info si;
	socklen_t len;

	memset(&si, 0, sizeof(si));
	memset(&rto, 0, sizeof(rto));
	memset(&pp, 0, sizeof(pp));
	memset(&th, 0, sizeof(th));
	memset(&ap, 0, sizeof(ap));
	len = sizeof(rto);
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_RTOINFO, &rto, &len) < 0)
		err(1, "getsockopt SCTP_RTOINFO");
	len = sizeof(pp);
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_PEER_ADDR_PARAMS, &pp, &len) < 0)
		err(1, "getsockopt SCTP_PEER_ADDR_PARAMS");
	len = sizeof(th);
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_PEER_ADDR_THLDS, &th, &len) < 0)
		err(1, "getsockopt SCTP_PEER_ADDR_THLDS");
	len = sizeof(ap);
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_ASSOCINFO, &ap, &len) < 0)
		err(1, "getsockopt SCTP_ASSOCINFO");
	len = sizeof(si);
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_DELAYED_SACK, &si, &len) < 0)
		err(1, "getsockopt SCTP_DELAYED_SACK");
	printf("settings: rto_initial %u ms, rto_min %u ms, rto_max %u ms, "
	       "hb_interval %u ms%s, path_max_retrans %u, pf_retrans %u, "
	       "association_max_retrans %u, sack_timeout %u ms\n",
	       rto.srto_initial, rto.srto_min, rto.srto_max, pp.spp_hbinterval,
	       (pp.spp_flags & SPP_HB_DISABLE) ? " (off)" : "",
	       pp.spp_pathmaxrxt, th.spt_pathpfthld, ap.sasoc_asocmaxrxt,
	       si.sack_delay);
}

/* Subscribe to one notification type (SCTP_EVENT takes one at a time). */
static void
subscribe(int fd, uint16_t type)
{
	struct sctp_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.se_assoc_id = SCTP_FUTURE_ASSOC;
	ev.se_type = type;
	ev.se_on = 1;
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev)) < 0)
		err(1, "setsockopt SCTP_EVENT %s", sctp_sn_type_name(type));
}

/*
 * The wildcard address of FAMILY with PORT, as sctp_bindx() wants it:
 * binding it means "every address of this host, now and later".
 */
static size_t
wildcard(int family, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_any;
		sin6->sin6_port = htons(port);
		return sizeof(*sin6);
	}
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_ANY);
	sin->sin_port = htons(port);
	return sizeof(*sin);
}

/* Print the endpoint's local address set, one address a line. */
static void
print_local_addresses(int fd)
{
	struct sockaddr *addrs;
	const char *p;
	char text[ADDR_TEXT];
	int i, n;

	n = sctp_getladdrs(fd, 0, &addrs);
	if (n < 0)
		err(1, "sctp_getladdrs");
	printf("local address set (sctp_getladdrs): %d address%s\n", n,
	       n == 1 ? "" : "es");
	p = (const char *)addrs;
	for (i = 0; i < n; i++) {
		const struct sockaddr *sa = (const void *)p;

		printf("  %s port %u\n", addr_str(sa, text, sizeof(text)),
		       addr_port(sa));
		p += addr_len(sa);
	}
	if (n > 0)
		sctp_freeladdrs(addrs);
}

/*
 * Open the one-to-many socket, bind every -a address (or the wildcard),
 * apply the settings and listen. Prints the address set, the settings
 * and then the "listening on" line.
 */
static int
open_endpoint(char **hosts, int nhosts, uint16_t port, const struct tuning *t)
{
	struct sockaddr_storage addrs[MAX_ADDRS], local;
	struct addrinfo *res[MAX_ADDRS];
	socklen_t len = sizeof(local);
	char text[ADDR_TEXT];
	int family = AF_INET, fd, i, off = 0, on = 1;
	struct sctp_assoc_value expose;

	for (i = 0; i < nhosts; i++) {
		if (resolve(hosts[i], port, SOCK_SEQPACKET, IPPROTO_SCTP, 0,
			    &res[i]) < 0)
			usage(stderr, EXIT_USAGE);
		if (res[i]->ai_family == AF_INET6)
			family = AF_INET6;
	}
	/*
	 * The wildcard on an IPv6 socket covers IPv4 too; a host without
	 * IPv6 gets the IPv4 wildcard instead.
	 */
	if (nhosts == 0)
		family = AF_INET6;
	fd = socket(family, SOCK_SEQPACKET, IPPROTO_SCTP);
	if (fd < 0 && nhosts == 0 && errno == EAFNOSUPPORT) {
		family = AF_INET;
		fd = socket(family, SOCK_SEQPACKET, IPPROTO_SCTP);
	}
	if (fd < 0)
		err(1, "socket");

	/*
	 * Report IPv4 peers of an IPv6 socket as 10.0.0.1, not as
	 * ::ffff:10.0.0.1: the addresses then read as configured.
	 */
	if (family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_SCTP, SCTP_I_WANT_MAPPED_V4_ADDR, &off,
		       sizeof(off)) < 0)
		err(1, "setsockopt SCTP_I_WANT_MAPPED_V4_ADDR");

	/*
	 * One sctp_bindx() call per address, although it takes a packed
	 * array: an address this host does not have then fails by name.
	 */
	if (nhosts == 0) {
		wildcard(family, port, &addrs[0]);
		if (sctp_bindx(fd, (struct sockaddr *)&addrs[0], 1,
			       SCTP_BINDX_ADD_ADDR) < 0)
			err(1, "sctp_bindx %s",
			    addr_str((struct sockaddr *)&addrs[0], text,
				     sizeof(text)));
	}
	for (i = 0; i < nhosts; i++) {
		memcpy(&addrs[i], res[i]->ai_addr, res[i]->ai_addrlen);
		freeaddrinfo(res[i]);
		if (sctp_bindx(fd, (struct sockaddr *)&addrs[i], 1,
			       SCTP_BINDX_ADD_ADDR) < 0)
			err(1, "sctp_bindx %s",
			    addr_str((struct sockaddr *)&addrs[i], text,
				     sizeof(text)));
	}

	subscribe(fd, SCTP_ASSOC_CHANGE);
	subscribe(fd, SCTP_PEER_ADDR_CHANGE);
	/* Echo at once: Nagle's rule would hold echoes for a SACK. */
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof(on)) < 0)
		err(1, "setsockopt SCTP_NODELAY");
	/* SCTP_RCVINFO with each message: its stream and association. */
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on)) < 0)
		err(1, "setsockopt SCTP_RECVRCVINFO");
	/*
	 * Linux keeps the "potentially failed" state (RFC 7829) to itself
	 * unless asked; it is the moment traffic leaves a path, so ask.
	 * Kernels before 5.5 lack the option: the lesson goes on without.
	 */
	memset(&expose, 0, sizeof(expose));
	expose.assoc_id = SCTP_FUTURE_ASSOC;
	expose.assoc_value = PF_EXPOSE_ENABLE;
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_EXPOSE_POTENTIALLY_FAILED_STATE,
		       &expose, sizeof(expose)) < 0)
		warn("setsockopt SCTP_EXPOSE_POTENTIALLY_FAILED_STATE");
	apply_tuning(fd, t);

	if (listen(fd, LISTEN_BACKLOG) < 0)
		err(1, "listen");
	print_local_addresses(fd);
	print_settings(fd);
	if (getsockname(fd, (struct sockaddr *)&local, &len) < 0)
		err(1, "getsockname");
	print_listening((struct sockaddr *)&local);
	return fd;
}

/* Same address and port (an SCTP path is both); other fields ignored. */
static bool
same_addr(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family || addr_port(a) != addr_port(b))
		return false;
	if (a->sa_family == AF_INET)
		return ((const struct sockaddr_in *)(const void *)a)
			       ->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)(const void *)b)
			       ->sin_addr.s_addr;
	if (a->sa_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)(const void *)a)
				       ->sin6_addr,
			      &((const struct sockaddr_in6 *)(const void *)b)
				       ->sin6_addr,
			      sizeof(struct in6_addr)) == 0;
	return false;
}

/* The tracked slot of association ID, or a free one (or the oldest). */
static struct tracked *
find_tracked(struct tracked *table, sctp_assoc_t id)
{
	static size_t next_victim;
	size_t i;

	for (i = 0; i < MAX_TRACKED; i++)
		if (table[i].used && table[i].id == id)
			return &table[i];
	for (i = 0; i < MAX_TRACKED; i++)
		if (!table[i].used)
			return &table[i];
	next_victim = (next_victim + 1) % MAX_TRACKED;
	table[next_victim].used = false;
	return &table[next_victim];
}

/* Print, on COMM_UP, the addresses the peer offers: its paths. */
static void
print_peer_addresses(int fd, sctp_assoc_t id)
{
	struct sockaddr *addrs;
	const char *p;
	char text[ADDR_TEXT];
	int i, n;

	n = sctp_getpaddrs(fd, id, &addrs);
	if (n < 0) {
		warn("sctp_getpaddrs (assoc %d)", (int)id);
		return;
	}
	printf("  peer address set (sctp_getpaddrs):");
	p = (const char *)addrs;
	for (i = 0; i < n; i++) {
		const struct sockaddr *sa = (const void *)p;

		printf(" %s", addr_str(sa, text, sizeof(text)));
		p += addr_len(sa);
	}
	printf("\n");
	if (n > 0)
		sctp_freepaddrs(addrs);
}

static void
on_notification(int fd, const union sctp_notification *sn, size_t len,
		struct tracked *table)
{
	char now[CLOCK_LEN], text[ADDR_TEXT];
	const char *name;

	if (len < sizeof(sn->sn_header))
		return;
	clock_str(now, sizeof(now));
	switch (sn->sn_header.sn_type) {
	case SCTP_ASSOC_CHANGE: {
		const struct sctp_assoc_change *sac = &sn->sn_assoc_change;

		if (len < sizeof(*sac))
			return;
		name = sctp_assoc_change_name(sac->sac_state);
		printf("%s assoc %d: ASSOC_CHANGE ", now,
		       (int)sac->sac_assoc_id);
		if (name)
			printf("%s\n", name);
		else
			printf("state %u\n", sac->sac_state);
		if (sac->sac_state == SCTP_COMM_UP ||
		    sac->sac_state == SCTP_RESTART)
			print_peer_addresses(fd, sac->sac_assoc_id);
		if (sac->sac_state == SCTP_COMM_LOST ||
		    sac->sac_state == SCTP_SHUTDOWN_COMP) {
			struct tracked *tr =
				find_tracked(table, sac->sac_assoc_id);

			tr->used = false;
		}
		break;
	}
	case SCTP_PEER_ADDR_CHANGE: {
		const struct sctp_paddr_change *spc = &sn->sn_paddr_change;

		if (len < sizeof(*spc))
			return;
		name = sctp_paddr_change_name(spc->spc_state);
		printf("%s assoc %d: PEER_ADDR_CHANGE %s ", now,
		       (int)spc->spc_assoc_id,
		       addr_str((const struct sockaddr *)&spc->spc_aaddr, text,
				sizeof(text)));
		if (name)
			printf("%s\n", name);
		else
			printf("state %d\n", spc->spc_state);
		break;
	}
	default:
		name = sctp_sn_type_name(sn->sn_header.sn_type);
		if (name)
			printf("%s %s\n", now, name);
		else
			printf("%s notification %u\n", now,
			       sn->sn_header.sn_type);
	}
	fflush(stdout);
}

/* Note where an association's data comes from; say when that changes. */
static void
note_path(struct tracked *table, sctp_assoc_t id,
	  const struct sockaddr_storage *from)
{
	struct tracked *tr = find_tracked(table, id);
	char now[CLOCK_LEN], text[ADDR_TEXT], was[ADDR_TEXT];

	if (tr->used && same_addr((const struct sockaddr *)&tr->from,
				  (const struct sockaddr *)from))
		return;
	clock_str(now, sizeof(now));
	addr_str((const struct sockaddr *)from, text, sizeof(text));
	if (tr->used)
		printf("%s assoc %d: data now arrives from %s (was %s)\n", now,
		       (int)id, text,
		       addr_str((const struct sockaddr *)&tr->from, was,
				sizeof(was)));
	else
		printf("%s assoc %d: data arrives from %s\n", now, (int)id,
		       text);
	fflush(stdout);
	tr->id = id;
	tr->from = *from;
	tr->used = true;
}

/*
 * One sendmsg() to association ID, never blocking: LEN bytes on stream
 * SID, or (FLAGS SCTP_ABORT, no data) the end of that association.
 */
static ssize_t
send_to(int fd, sctp_assoc_t id, uint16_t sid, uint32_t ppid, uint16_t flags,
	const char *data, size_t len)
{
	struct sctp_sndinfo snd;
	union {
		struct cmsghdr align; /* CMSG_* need an aligned buffer */
		char buf[CMSG_SPACE(sizeof(struct sctp_sndinfo))];
	} control;
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *cmsg;
	ssize_t n;

	/*
	 * On a one-to-many socket the association id picks the peer: no
	 * address needed, and the kernel chooses the path.
	 */
	memset(&snd, 0, sizeof(snd));
	snd.snd_sid = sid;
	snd.snd_ppid = ppid;
	snd.snd_flags = flags;
	snd.snd_assoc_id = id;

	memset(&control, 0, sizeof(control));
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = (void *)data;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = IPPROTO_SCTP;
	cmsg->cmsg_type = SCTP_SNDINFO;
	cmsg->cmsg_len = CMSG_LEN(sizeof(snd));
	memcpy(CMSG_DATA(cmsg), &snd, sizeof(snd));

	do
		n = sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	return n;
}

/*
 * The send buffer belongs to the socket, shared by all its associations:
 * a peer that never reads keeps its echoes there, unacknowledged, until
 * the buffer is full for everyone. Find such peers (their receive window,
 * SCTP_STATUS's sstat_rwnd, is closed while we have data for them) and
 * ABORT them, which frees their share. Returns how many were aborted.
 */
static int
abort_non_readers(int fd)
{
	struct sctp_assoc_ids *ids;
	uint32_t count;
	socklen_t len = sizeof(count);
	int aborted = 0;

	if (getsockopt(fd, IPPROTO_SCTP, SCTP_GET_ASSOC_NUMBER, &count, &len)) {
		warn("getsockopt SCTP_GET_ASSOC_NUMBER");
		return 0;
	}
	len = (socklen_t)(sizeof(*ids) + count * sizeof(sctp_assoc_t));
	ids = malloc(len);
	if (ids == NULL)
		err(1, "malloc");
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_GET_ASSOC_ID_LIST, ids, &len)) {
		warn("getsockopt SCTP_GET_ASSOC_ID_LIST");
		free(ids);
		return 0;
	}
	for (uint32_t i = 0; i < ids->gaids_number_of_ids; i++) {
		struct sctp_status st;
		socklen_t sl = sizeof(st);

		memset(&st, 0, sizeof(st));
		st.sstat_assoc_id = ids->gaids_assoc_id[i];
		if (getsockopt(fd, IPPROTO_SCTP, SCTP_STATUS, &st, &sl))
			continue; /* gone meanwhile */
		if (st.sstat_rwnd > 0 ||
		    st.sstat_unackdata + st.sstat_penddata == 0)
			continue;
		warnx("assoc %d: not reading (receive window closed, our send "
		      "buffer full): aborting it",
		      (int)st.sstat_assoc_id);
		if (send_to(fd, st.sstat_assoc_id, 0, 0, SCTP_ABORT, NULL, 0) <
		    0)
			warn("sendmsg SCTP_ABORT");
		else
			aborted++;
	}
	free(ids);
	return aborted;
}

/* Send LEN bytes back to the association and stream of INFO. */
static void
echo(int fd, const char *data, size_t len, const struct sctp_rcvinfo *info)
{
	ssize_t n;

	n = send_to(fd, info->rcv_assoc_id, info->rcv_sid, info->rcv_ppid, 0,
		    data, len);
	/* A full buffer: free what non-readers hold, then try once more. */
	if (n < 0 && errno == EAGAIN && abort_non_readers(fd) > 0)
		n = send_to(fd, info->rcv_assoc_id, info->rcv_sid,
			    info->rcv_ppid, 0, data, len);
	/* One peer's trouble (say, its association just died) is a warning:
	 * that echo is lost, the others go on. */
	if (n < 0)
		warn("sendmsg to assoc %d", (int)info->rcv_assoc_id);
}

/*
 * Receive, whole message by whole message, and echo data back.
 * A message may arrive in parts (no MSG_EOR yet): collect them first.
 */
static void
serve(int fd, bool verbose)
{
	static union {
		union sctp_notification sn; /* aligns the buffer for it */
		char data[MAX_MESSAGE];
	} in;
	static struct tracked table[MAX_TRACKED];
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct sctp_rcvinfo))];
	} control;
	struct sctp_rcvinfo info;
	struct sockaddr_storage from;
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *cmsg;
	char now[CLOCK_LEN];
	size_t have = 0;
	bool skipping = false;
	ssize_t n;

	memset(&info, 0, sizeof(info));
	for (;;) {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = in.data + have;
		iov.iov_len = sizeof(in.data) - have;
		msg.msg_name = &from;
		msg.msg_namelen = sizeof(from);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		n = recvmsg(fd, &msg, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err(1, "recvmsg");
		}
		for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL;
		     cmsg = CMSG_NXTHDR(&msg, cmsg))
			if (cmsg->cmsg_level == IPPROTO_SCTP &&
			    cmsg->cmsg_type == SCTP_RCVINFO)
				memcpy(&info, CMSG_DATA(cmsg), sizeof(info));
		have += (size_t)n;
		if (!(msg.msg_flags & MSG_EOR)) {
			if (have < sizeof(in.data))
				continue;
			/* Too big to echo whole: drop it, up to its end. */
			if (!skipping)
				warnx("assoc %d: message over %d bytes "
				      "dropped",
				      (int)info.rcv_assoc_id, MAX_MESSAGE);
			skipping = true;
			have = 0;
			continue;
		}
		if (skipping) {
			skipping = false;
			have = 0;
			continue;
		}
		if (msg.msg_flags & MSG_NOTIFICATION) {
			on_notification(fd, &in.sn, have, table);
		} else {
			note_path(table, info.rcv_assoc_id, &from);
			if (verbose)
				printf("%s assoc %d: echo %zu bytes on stream "
				       "%u\n",
				       clock_str(now, sizeof(now)),
				       (int)info.rcv_assoc_id, have,
				       info.rcv_sid);
			echo(fd, in.data, have, &info);
		}
		have = 0;
	}
}

int
main(int argc, char **argv)
{
	char *hosts[MAX_ADDRS];
	struct tuning t = { -1, -1, -1, -1, -1, -1, -1, -1 };
	uint16_t port = MULTIHOME_PORT;
	int nhosts = 0, fd, c;
	bool verbose = false;

	while ((c = getopt(argc, argv, "a:p:T:vh")) != -1) {
		switch (c) {
		case 'a':
			if (nhosts == MAX_ADDRS) {
				fprintf(stderr, "%s: at most %d -a options\n",
					program_invocation_short_name,
					MAX_ADDRS);
				usage(stderr, EXIT_USAGE);
			}
			hosts[nhosts++] = optarg;
			break;
		case 'p':
			if (parse_port(optarg, &port) < 0)
				usage(stderr, EXIT_USAGE);
			break;
		case 'T':
			if (parse_tuning(optarg, &t) < 0)
				usage(stderr, EXIT_USAGE);
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(stdout, 0);
			break;
		default:
			usage(stderr, EXIT_USAGE);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n",
			program_invocation_short_name, argv[optind]);
		usage(stderr, EXIT_USAGE);
	}

	fd = open_endpoint(hosts, nhosts, port, &t);
	serve(fd, verbose);
	return 0;
}
