/*
 * multihome_client - multihoming, client side: one association over
 * several paths, and what happens to it when the primary path dies.
 *
 * sctp_connectx() hands the kernel every address of the server at once;
 * the server's INIT-ACK adds the rest of its address set. Each peer
 * address is a path. Data goes to the primary path; heartbeats watch the
 * idle ones. When the primary stops answering, the retransmission timer
 * (RTO) expires, the path becomes "potentially failed" and the kernel
 * sends on another path. After path_max_retrans more timeouts it is
 * "unreachable"; when a heartbeat gets through again it is "available"
 * and traffic returns to the primary. The application never reconnects:
 * it sees events, and its messages keep arriving, once each, in order.
 *
 * The client sends a numbered message every 1/RATE seconds, the server
 * echoes it, and the client checks that every echo comes back exactly
 * once and in order. It prints, with timestamps, every SCTP_ASSOC_CHANGE
 * and SCTP_PEER_ADDR_CHANGE, every change of path state it reads with
 * SCTP_GET_PEER_ADDR_INFO, the path the kernel sends on, and the server
 * address the echoes come from. It never reconnects: COMM_LOST ends it
 * with exit status 3.
 *
 * The -T settings are the lesson: how fast a failure is noticed depends
 * on them (see multihome/README.md for the arithmetic).
 *
 * Try:
 *   terminal 1: multihome/multihome_server -a 127.0.0.1 -a 127.0.0.2
 *   terminal 2: multihome/multihome_client -a 127.0.0.1 -a 127.0.0.2 -c 40
 *               multihome/multihome_client -a 127.0.0.2 -a 127.0.0.1 \
 *                   -T rto_min=100 -T hb_interval=200 -v
 *   then, as root in a third terminal, break the primary path:
 *     nft add table inet lab
 *     nft add chain inet lab in '{ type filter hook input priority 0; }'
 *     nft add rule inet lab in ip daddr 127.0.0.2 sctp dport 3016 drop
 *   and repair it with: nft delete table inet lab
 * multihome/failover.sh does all of this with two network namespaces.
 *
 * Read: sctp_connectx(3), sctp_getpaddrs(3), sctp(7), RFC 6458 sections
 * 8.1.1 (SCTP_RTOINFO), 8.1.2 (SCTP_ASSOCINFO), 8.1.3 (SCTP_INITMSG),
 * 8.1.9 (SCTP_PRIMARY_ADDR), 8.1.12 (SCTP_PEER_ADDR_PARAMS), 8.2.1
 * (SCTP_STATUS), 8.2.2 (SCTP_GET_PEER_ADDR_INFO), RFC 7829 (potentially
 * failed paths, SCTP_PEER_ADDR_THLDS), RFC 9260 section 8 (fault
 * management).
 */
#include <err.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <unistd.h>
#include <sys/uio.h>

#include "util_old.h"

/* Default port; multihome_server uses the same. */
#define MULTIHOME_PORT 3016

/* Most -a options taken, and most peer addresses followed. */
#define MAX_ADDRS 16

/* Messages per second by default: one every 50 ms. */
#define DEFAULT_RATE 20
/* Fastest rate allowed; the point is a steady stream, not a flood. */
#define MAX_RATE 1000

/* Longest run time, -t, in seconds (a day). */
#define MAX_SECONDS 86400

/* A message is a decimal sequence number; this is plenty. */
#define MAX_MESSAGE 64

/*
 * Send times remembered, indexed by sequence number modulo this: more
 * than can be in flight at MAX_RATE during any failover.
 */
#define SEND_RING 65536

/* "Sending on" when no path is ACTIVE (not an index in paths). */
#define NO_PATH (-2)

/* Path states are read this often (ms) while nothing else happens. */
#define PATH_POLL_MS 50

/*
 * An echo that follows the previous one by more than this many send
 * intervals (and at least SILENCE_FLOOR_MS) gets a line of its own: the
 * stream went quiet, typically while a path failed.
 */
#define SILENCE_INTERVALS 4
#define SILENCE_FLOOR_MS 100

/* After the last message, wait at most this long for its echo (s). */
#define DRAIN_SECONDS 30

/* Exit status when the association is lost (COMM_LOST). */
#define EXIT_LOST 3

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

#define NS_PER_MS 1000000LL
#define NS_PER_S 1000000000LL

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
	long max_init_retransmits;    /* INIT retries before connect gives up */
};

/* One peer address, as this end sees the path to it. */
struct path {
	struct sockaddr_storage addr; /* from sctp_getpaddrs: port included */
	struct sctp_paddrinfo info;   /* last SCTP_GET_PEER_ADDR_INFO */
	unsigned long echoes;	      /* echoes whose packet came from it */
};

/* Everything the run counts and remembers. */
struct client {
	int fd;
	sctp_assoc_t assoc;
	uint16_t stream;
	bool verbose;
	int64_t interval_ns;
	struct path paths[MAX_ADDRS];
	int npaths;
	int primary;   /* index in paths, from SCTP_STATUS */
	int sending;   /* the path the kernel sends on, by its rule */
	int echo_from; /* the path the last echo came from; -1: none yet */
	uint32_t sent, in_order, duplicated, out_of_order, wrong_stream;
	uint32_t expected; /* next sequence number due */
	int64_t sent_at[SEND_RING];
	int64_t last_echo_ns;
	int64_t longest_ns;
	uint32_t longest_seq;
	int64_t lost_ns; /* when COMM_LOST came */
	bool lost, closed, send_failed;
};

/* Set by SIGINT/SIGTERM: stop sending, collect the last echoes, report. */
static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested++;
}

static void
usage(FILE *out, int status)
{
	fprintf(out,
		"usage: %s -a ADDR [-a ADDR]... [-p PORT] [-P ADDR] [-r RATE] "
		"[-c COUNT]\n"
		"       [-t SECONDS] [-s STREAM] [-T NAME=VALUE]... [-v] [-h]\n"
		"  -a ADDR        a server address (repeat it: one per path)\n"
		"  -p PORT        server port (default %d)\n"
		"  -P ADDR        make ADDR the primary path "
		"(SCTP_PRIMARY_ADDR)\n"
		"  -r RATE        messages per second (default %d)\n"
		"  -c COUNT       stop after COUNT messages (default: "
		"never)\n"
		"  -t SECONDS     stop sending after SECONDS (default: "
		"never)\n"
		"  -s STREAM      stream to send on (default 0)\n"
		"  -T NAME=VALUE  path-failure setting (times in ms):\n"
		"                 hb_interval, rto_initial, rto_min, rto_max,\n"
		"                 path_max_retrans, pf_retrans, "
		"association_max_retrans,\n"
		"                 sack_timeout, max_init_retransmits\n"
		"  -v             print every echo\n"
		"  -h             this help\n"
		"Ctrl-C stops sending and prints the summary. Exit status: 0 "
		"every echo\n"
		"came back once and in order, 1 otherwise, 3 association lost "
		"(COMM_LOST).\n",
		program_invocation_short_name, MULTIHOME_PORT, DEFAULT_RATE);
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
		{ "max_init_retransmits",
		  offsetof(struct tuning, max_init_retransmits), 1,
		  UINT16_MAX },
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
 * Apply T before connecting, as defaults the association inherits
 * (SCTP_FUTURE_ASSOC): rto_initial and max_init_retransmits matter
 * during the handshake already. A zero field means "leave it".
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
	if (t->max_init_retransmits >= 0) {
		struct sctp_initmsg init;

		/* Zero stream counts keep the defaults. */
		memset(&init, 0, sizeof(init));
		init.sinit_max_attempts = (uint16_t)t->max_init_retransmits;
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &init,
			       sizeof(init)) < 0)
			err(1, "setsockopt SCTP_INITMSG");
	}
}

/* Read the association's settings back: what is really in force. */
static void
print_settings(int fd, sctp_assoc_t id)
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
	rto.srto_assoc_id = pp.spp_assoc_id = th.spt_assoc_id =
		ap.sasoc_assoc_id = si.sack_assoc_id = id;
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
 * Resolve every -a address, open the socket, set it up and connect to
 * all the addresses at once. Returns the socket; *ID gets the
 * association.
 */
static int
connect_all(char **hosts, int nhosts, uint16_t port, const struct tuning *t,
	    sctp_assoc_t *id)
{
	union {
		struct sockaddr_in6 align; /* the packed array's alignment */
		char bytes[MAX_ADDRS * sizeof(struct sockaddr_in6)];
	} packed;
	char list[MAX_ADDRS * (ADDR_TEXT + 1)] = "";
	struct sctp_assoc_value expose;
	struct addrinfo *res;
	size_t used = 0;
	int family = AF_INET, fd, i, off = 0, on = 1;

	/* sctp_connectx() takes the addresses end to end, each its size. */
	for (i = 0; i < nhosts; i++) {
		char text[ADDR_TEXT];

		if (resolve(hosts[i], port, SOCK_STREAM, IPPROTO_SCTP, 0,
			    &res) < 0)
			usage(stderr, EXIT_USAGE);
		memcpy(packed.bytes + used, res->ai_addr, res->ai_addrlen);
		used += res->ai_addrlen;
		if (res->ai_family == AF_INET6)
			family = AF_INET6;
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", i ? " " : "",
			 addr_str(res->ai_addr, text, sizeof(text)));
		freeaddrinfo(res);
	}

	fd = socket(family, SOCK_STREAM, IPPROTO_SCTP);
	if (fd < 0)
		err(1, "socket");
	/* IPv4 peers of an IPv6 socket read as 10.0.0.1, not ::ffff:... */
	if (family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_SCTP, SCTP_I_WANT_MAPPED_V4_ADDR, &off,
		       sizeof(off)) < 0)
		err(1, "setsockopt SCTP_I_WANT_MAPPED_V4_ADDR");
	subscribe(fd, SCTP_ASSOC_CHANGE);
	subscribe(fd, SCTP_PEER_ADDR_CHANGE);
	subscribe(fd, SCTP_SHUTDOWN_EVENT);
	/*
	 * Nagle's rule holds a small message back while an earlier one is
	 * unacknowledged, and SACKs may wait 200 ms: that would add up to
	 * 200 ms to round trips, the very thing this program measures.
	 */
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof(on)) < 0)
		err(1, "setsockopt SCTP_NODELAY");
	/* SCTP_RCVINFO with each echo: the stream it came back on. */
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

	/*
	 * One INIT goes out (to the first address; the others are tried if
	 * it gets no answer). Blocks until the association is up or the
	 * INIT retries run out: rto_initial doubling max_init_retransmits
	 * times.
	 */
	if (sctp_connectx(fd, (struct sockaddr *)packed.bytes, nhosts, id) < 0)
		err(1, "sctp_connectx %s port %u", list, (unsigned)port);
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

/* Index of the path with address SA, or -1. */
static int
find_path(const struct client *c, const struct sockaddr *sa)
{
	int i;

	for (i = 0; i < c->npaths; i++)
		if (same_addr((const struct sockaddr *)&c->paths[i].addr, sa))
			return i;
	return -1;
}

static const char *
path_str(const struct client *c, int i, char *buf, size_t len)
{
	if (i < 0 || i >= c->npaths)
		return "?";
	return addr_str((const struct sockaddr *)&c->paths[i].addr, buf, len);
}

static const char *
state_str(int state)
{
	const char *name = sctp_path_state_name(state);

	return name ? name : "?";
}

/* Print this end's addresses and the peer's: the association's paths. */
static void
load_paths(struct client *c)
{
	struct sockaddr *addrs;
	const char *p;
	char text[ADDR_TEXT];
	int i, n;

	n = sctp_getladdrs(c->fd, c->assoc, &addrs);
	if (n < 0)
		err(1, "sctp_getladdrs");
	printf("local address set (sctp_getladdrs):");
	for (i = 0, p = (const char *)addrs; i < n; i++) {
		const struct sockaddr *sa = (const void *)p;

		printf(" %s", addr_str(sa, text, sizeof(text)));
		p += addr_len(sa);
	}
	printf("\n");
	if (n > 0)
		sctp_freeladdrs(addrs);

	n = sctp_getpaddrs(c->fd, c->assoc, &addrs);
	if (n < 0)
		err(1, "sctp_getpaddrs");
	printf("peer address set (sctp_getpaddrs):");
	for (i = 0, p = (const char *)addrs; i < n; i++) {
		const struct sockaddr *sa = (const void *)p;

		printf(" %s", addr_str(sa, text, sizeof(text)));
		if (c->npaths < MAX_ADDRS) {
			memcpy(&c->paths[c->npaths].addr, sa, addr_len(sa));
			c->paths[c->npaths].info.spinfo_state = -1;
			c->npaths++;
		}
		p += addr_len(sa);
	}
	printf("\n");
	if (n > 0)
		sctp_freepaddrs(addrs);
}

/* -P: make HOST (with the server's port) the primary path. */
static void
set_primary(struct client *c, const char *host, uint16_t port)
{
	struct sctp_prim prim;
	struct addrinfo *res;

	if (resolve(host, port, SOCK_STREAM, IPPROTO_SCTP, 0, &res) < 0)
		exit(EXIT_USAGE);
	memset(&prim, 0, sizeof(prim));
	prim.ssp_assoc_id = c->assoc;
	memcpy(&prim.ssp_addr, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (setsockopt(c->fd, IPPROTO_SCTP, SCTP_PRIMARY_ADDR, &prim,
		       sizeof(prim)) < 0)
		err(1, "setsockopt SCTP_PRIMARY_ADDR %s", host);
}

/* Print the primary, as SCTP_PRIMARY_ADDR and SCTP_STATUS see it. */
static void
print_primary(struct client *c)
{
	struct sctp_prim prim;
	struct sctp_status st;
	socklen_t len;
	char text[ADDR_TEXT];
	const char *state;

	memset(&prim, 0, sizeof(prim));
	prim.ssp_assoc_id = c->assoc;
	len = sizeof(prim);
	if (getsockopt(c->fd, IPPROTO_SCTP, SCTP_PRIMARY_ADDR, &prim, &len) < 0)
		err(1, "getsockopt SCTP_PRIMARY_ADDR");
	printf("primary path (SCTP_PRIMARY_ADDR): %s\n",
	       addr_str((struct sockaddr *)&prim.ssp_addr, text, sizeof(text)));

	memset(&st, 0, sizeof(st));
	st.sstat_assoc_id = c->assoc;
	len = sizeof(st);
	if (getsockopt(c->fd, IPPROTO_SCTP, SCTP_STATUS, &st, &len) < 0)
		err(1, "getsockopt SCTP_STATUS");
	state = sctp_assoc_state_name(st.sstat_state);
	printf("association (SCTP_STATUS): %s, %u streams out, %u in, "
	       "primary %s %s, rto %u ms\n",
	       state ? state : "?", st.sstat_outstrms, st.sstat_instrms,
	       addr_str((struct sockaddr *)&st.sstat_primary.spinfo_address,
			text, sizeof(text)),
	       state_str(st.sstat_primary.spinfo_state),
	       st.sstat_primary.spinfo_rto);
}

/*
 * Read every path's state (SCTP_GET_PEER_ADDR_INFO) and the primary
 * (SCTP_STATUS), and print what changed. Linux never says which path it
 * sends on -- SCTP_STATUS names the primary, even while it is down --
 * but its rule is simple: the primary while it is ACTIVE, otherwise
 * another ACTIVE path. With two paths that names it exactly.
 */
static void
poll_paths(struct client *c)
{
	struct sctp_status st;
	socklen_t len;
	char now[CLOCK_LEN], text[ADDR_TEXT], other[ADDR_TEXT];
	int i, sending;

	clock_str(now, sizeof(now));
	for (i = 0; i < c->npaths; i++) {
		struct sctp_paddrinfo pi;
		struct path *p = &c->paths[i];

		memset(&pi, 0, sizeof(pi));
		pi.spinfo_assoc_id = c->assoc;
		pi.spinfo_address = p->addr;
		len = sizeof(pi);
		/* A path the peer removed, or the association gone. */
		if (getsockopt(c->fd, IPPROTO_SCTP, SCTP_GET_PEER_ADDR_INFO,
			       &pi, &len) < 0)
			continue;
		if (p->info.spinfo_state == -1)
			printf("%s path %s: %s (rto %u ms)\n", now,
			       path_str(c, i, text, sizeof(text)),
			       state_str(pi.spinfo_state), pi.spinfo_rto);
		else if (pi.spinfo_state != p->info.spinfo_state)
			printf("%s path %s: %s -> %s (rto %u ms)\n", now,
			       path_str(c, i, text, sizeof(text)),
			       state_str(p->info.spinfo_state),
			       state_str(pi.spinfo_state), pi.spinfo_rto);
		p->info = pi;
	}

	memset(&st, 0, sizeof(st));
	st.sstat_assoc_id = c->assoc;
	len = sizeof(st);
	if (getsockopt(c->fd, IPPROTO_SCTP, SCTP_STATUS, &st, &len) < 0)
		return;
	i = find_path(c, (struct sockaddr *)&st.sstat_primary.spinfo_address);
	if (i >= 0 && i != c->primary) {
		if (c->primary >= 0)
			printf("%s primary is now %s\n", now,
			       path_str(c, i, text, sizeof(text)));
		c->primary = i;
	}
	sending = c->primary;
	if (sending < 0 || c->paths[sending].info.spinfo_state != SCTP_ACTIVE) {
		sending = NO_PATH;
		for (i = 0; i < c->npaths; i++)
			if (c->paths[i].info.spinfo_state == SCTP_ACTIVE) {
				sending = i;
				break;
			}
	}
	if (sending != c->sending) {
		if (sending == NO_PATH)
			printf("%s no path is ACTIVE: the kernel tries the "
			       "least failed one\n",
			       now);
		else if (sending == c->primary)
			printf("%s sending on %s, the primary\n", now,
			       path_str(c, sending, text, sizeof(text)));
		else
			printf("%s sending on %s (primary %s is %s)\n", now,
			       path_str(c, sending, text, sizeof(text)),
			       path_str(c, c->primary, other, sizeof(other)),
			       state_str(
				       c->paths[c->primary].info.spinfo_state));
		c->sending = sending;
	}
	fflush(stdout);
}

/* Send the next numbered message on the chosen stream. */
static void
send_next(struct client *c)
{
	struct sctp_sndinfo snd;
	union {
		struct cmsghdr align; /* CMSG_* need an aligned buffer */
		char buf[CMSG_SPACE(sizeof(struct sctp_sndinfo))];
	} control;
	char text[MAX_MESSAGE];
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *cmsg;
	ssize_t n;
	int len;

	len = snprintf(text, sizeof(text), "%" PRIu32, c->sent + 1);
	memset(&snd, 0, sizeof(snd));
	snd.snd_sid = c->stream;
	memset(&control, 0, sizeof(control));
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = text;
	iov.iov_len = (size_t)len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = IPPROTO_SCTP;
	cmsg->cmsg_type = SCTP_SNDINFO;
	cmsg->cmsg_len = CMSG_LEN(sizeof(snd));
	memcpy(CMSG_DATA(cmsg), &snd, sizeof(snd));

	/*
	 * MSG_DONTWAIT: while every path is down the send buffer fills; a
	 * blocked send would stop us reading the events that explain why.
	 * A full buffer skips this tick; the number is sent next time.
	 */
	do
		n = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		/* The association is gone; its event says why. */
		warn("sendmsg");
		c->send_failed = true;
		return;
	}
	c->sent++;
	c->sent_at[c->sent % SEND_RING] = now_ns();
}

static void
on_notification(struct client *c, const union sctp_notification *sn, size_t len)
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
		printf("%s ASSOC_CHANGE ", now);
		if (name)
			printf("%s", name);
		else
			printf("state %u", sac->sac_state);
		printf(" (assoc %d, %u streams out, %u in, error %u)\n",
		       (int)sac->sac_assoc_id, sac->sac_outbound_streams,
		       sac->sac_inbound_streams, sac->sac_error);
		if (sac->sac_state == SCTP_COMM_LOST ||
		    sac->sac_state == SCTP_CANT_STR_ASSOC) {
			c->lost = true;
			c->lost_ns = now_ns();
		}
		if (sac->sac_state == SCTP_SHUTDOWN_COMP)
			c->closed = true;
		break;
	}
	case SCTP_PEER_ADDR_CHANGE: {
		const struct sctp_paddr_change *spc = &sn->sn_paddr_change;

		if (len < sizeof(*spc))
			return;
		name = sctp_paddr_change_name(spc->spc_state);
		printf("%s PEER_ADDR_CHANGE %s ", now,
		       addr_str((const struct sockaddr *)&spc->spc_aaddr, text,
				sizeof(text)));
		if (name)
			printf("%s\n", name);
		else
			printf("state %d\n", spc->spc_state);
		break;
	}
	case SCTP_SHUTDOWN_EVENT:
		printf("%s SHUTDOWN_EVENT (the server closed the "
		       "association)\n",
		       now);
		c->closed = true;
		break;
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

/*
 * Check one echo (the text ECHO): its number, its stream, and the path
 * it came over.
 */
static void
on_echo(struct client *c, const char *echo, const struct sockaddr *from,
	const struct sctp_rcvinfo *info)
{
	char now[CLOCK_LEN], text[ADDR_TEXT], was[ADDR_TEXT];
	int64_t t = now_ns(), rtt = -1, gap;
	unsigned long seq;
	char *end;
	int from_path;

	errno = 0;
	seq = strtoul(echo, &end, 10);
	if (errno != 0 || end == echo || *end != '\0' || seq == 0 ||
	    seq > c->sent) {
		warnx("unexpected echo '%s'", echo);
		c->out_of_order++;
		return;
	}
	if (info->rcv_sid != c->stream)
		c->wrong_stream++;
	if (seq == c->expected) {
		c->in_order++;
		c->expected++;
	} else if (seq < c->expected) {
		c->duplicated++;
	} else {
		c->out_of_order++;
		c->expected = (uint32_t)seq + 1;
	}
	if (c->sent - seq < SEND_RING) {
		rtt = t - c->sent_at[seq % SEND_RING];
		if (rtt > c->longest_ns) {
			c->longest_ns = rtt;
			c->longest_seq = (uint32_t)seq;
		}
	}

	clock_str(now, sizeof(now));
	gap = c->last_echo_ns ? t - c->last_echo_ns : 0;
	if (gap > SILENCE_INTERVALS * c->interval_ns &&
	    gap > SILENCE_FLOOR_MS * NS_PER_MS)
		printf("%s echo %lu after %lld ms of silence\n", now, seq,
		       (long long)(gap / NS_PER_MS));
	c->last_echo_ns = t;

	/* The source address of the packet: the server's path back. */
	from_path = find_path(c, from);
	if (from_path >= 0)
		c->paths[from_path].echoes++;
	if (from_path != c->echo_from) {
		addr_str(from, text, sizeof(text));
		if (c->echo_from < 0)
			printf("%s echoes arrive from %s\n", now, text);
		else
			printf("%s echoes now arrive from %s (were from %s)\n",
			       now, text,
			       path_str(c, c->echo_from, was, sizeof(was)));
		c->echo_from = from_path;
	}
	if (c->verbose)
		printf("%s echo %lu from %s on stream %u, round trip %lld "
		       "ms\n",
		       now, seq, addr_str(from, text, sizeof(text)),
		       info->rcv_sid, (long long)(rtt / NS_PER_MS));
	fflush(stdout);
}

/*
 * Read what is waiting: a notification, an echo, or the end. Parts of a
 * message (no MSG_EOR yet) are collected first.
 */
static void
receive(struct client *c)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct sctp_rcvinfo))];
	} control;
	static union {
		union sctp_notification sn; /* aligns the buffer for it */
		char bytes[sizeof(union sctp_notification) + MAX_MESSAGE];
	} note;
	static size_t note_have;
	static struct sctp_rcvinfo info;
	struct sockaddr_storage from;
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *cmsg;
	ssize_t n;

	/*
	 * MSG_NOTIFICATION is only known after the read, and the whole
	 * message has it: peek at nothing, just read into the notification
	 * buffer, big enough for both kinds.
	 */
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = note.bytes + note_have;
	iov.iov_len = sizeof(note.bytes) - note_have;
	msg.msg_name = &from;
	msg.msg_namelen = sizeof(from);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	n = recvmsg(c->fd, &msg, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		/* ECONNRESET, ETIMEDOUT...: the association is gone. */
		warn("recvmsg");
		c->lost = true;
		c->lost_ns = now_ns();
		return;
	}
	if (n == 0) {
		c->closed = true;
		return;
	}
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL;
	     cmsg = CMSG_NXTHDR(&msg, cmsg))
		if (cmsg->cmsg_level == IPPROTO_SCTP &&
		    cmsg->cmsg_type == SCTP_RCVINFO)
			memcpy(&info, CMSG_DATA(cmsg), sizeof(info));
	note_have += (size_t)n;
	if (!(msg.msg_flags & MSG_EOR) && note_have < sizeof(note.bytes))
		return;
	if (msg.msg_flags & MSG_NOTIFICATION) {
		on_notification(c, &note.sn, note_have);
	} else if (note_have > MAX_MESSAGE) {
		warnx("echo of %zu bytes is not one of ours", note_have);
		c->out_of_order++;
	} else {
		char echo[MAX_MESSAGE + 1];

		memcpy(echo, note.bytes, note_have);
		echo[note_have] = '\0';
		on_echo(c, echo, (struct sockaddr *)&from, &info);
	}
	note_have = 0;
}

/* The verdict, on stdout; returns the exit status. */
static int
summary(struct client *c)
{
	char text[ADDR_TEXT];
	uint32_t echoed = c->in_order + c->out_of_order;
	uint32_t missing = c->sent > echoed ? c->sent - echoed : 0;
	int i;

	poll_paths(c);
	printf("summary: sent %" PRIu32 ", echoed %" PRIu32 ", missing %" PRIu32
	       ", duplicated %" PRIu32 ", out of order %" PRIu32
	       ", wrong stream %" PRIu32 "\n",
	       c->sent, echoed, missing, c->duplicated, c->out_of_order,
	       c->wrong_stream);
	printf("longest round trip: %lld ms (message %" PRIu32 ")\n",
	       (long long)(c->longest_ns / NS_PER_MS), c->longest_seq);
	/*
	 * How long the kernel took to give up: from the first message that
	 * never came back (its path had failed by then) to COMM_LOST.
	 */
	if (c->lost && c->expected <= c->sent &&
	    c->sent - c->expected < SEND_RING)
		printf("first message never echoed: %" PRIu32
		       ", sent %lld ms before COMM_LOST\n",
		       c->expected,
		       (long long)((c->lost_ns -
				    c->sent_at[c->expected % SEND_RING]) /
				   NS_PER_MS));
	for (i = 0; i < c->npaths; i++) {
		const struct sctp_paddrinfo *pi = &c->paths[i].info;

		printf("path %s: %s, %lu echoes came from it, srtt %u ms, "
		       "rto %u ms, cwnd %u\n",
		       path_str(c, i, text, sizeof(text)),
		       state_str(pi->spinfo_state), c->paths[i].echoes,
		       pi->spinfo_srtt, pi->spinfo_rto, pi->spinfo_cwnd);
	}
	fflush(stdout);
	if (c->lost) {
		warnx("association lost (COMM_LOST); not reconnecting");
		return EXIT_LOST;
	}
	if (missing || c->duplicated || c->out_of_order || c->wrong_stream) {
		warnx("%" PRIu32 " missing, %" PRIu32 " duplicated, %" PRIu32
		      " out of order, %" PRIu32 " on the wrong stream",
		      missing, c->duplicated, c->out_of_order, c->wrong_stream);
		return 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	/* static: the send-time ring (512 KiB) is too big for the stack. */
	static struct client c;
	char *hosts[MAX_ADDRS];
	const char *primary = NULL;
	struct tuning t = { -1, -1, -1, -1, -1, -1, -1, -1, -1 };
	struct sigaction sa;
	unsigned long v, rate = DEFAULT_RATE, count = 0, seconds = 0;
	uint16_t port = MULTIHOME_PORT;
	int64_t now, next_send, end_send = 0, drain_end = 0;
	bool sending = true;
	int nhosts = 0, ch;

	while ((ch = getopt(argc, argv, "a:p:P:r:c:t:s:T:vh")) != -1) {
		switch (ch) {
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
		case 'P':
			primary = optarg;
			break;
		case 'r':
			if (parse_number(optarg, "rate", 1, MAX_RATE, &rate) <
			    0)
				usage(stderr, EXIT_USAGE);
			break;
		case 'c':
			if (parse_number(optarg, "count", 1, UINT32_MAX - 1,
					 &count) < 0)
				usage(stderr, EXIT_USAGE);
			break;
		case 't':
			if (parse_number(optarg, "seconds", 1, MAX_SECONDS,
					 &seconds) < 0)
				usage(stderr, EXIT_USAGE);
			break;
		case 's':
			if (parse_number(optarg, "stream", 0, UINT16_MAX - 1,
					 &v) < 0)
				usage(stderr, EXIT_USAGE);
			c.stream = (uint16_t)v;
			break;
		case 'T':
			if (parse_tuning(optarg, &t) < 0)
				usage(stderr, EXIT_USAGE);
			break;
		case 'v':
			c.verbose = true;
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
	if (nhosts == 0) {
		fprintf(stderr, "%s: give the server's addresses with -a\n",
			program_invocation_short_name);
		usage(stderr, EXIT_USAGE);
	}

	/* No SA_RESTART: the signal must wake poll() to stop the run. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGTERM, &sa, NULL) < 0)
		err(1, "sigaction");

	c.fd = connect_all(hosts, nhosts, port, &t, &c.assoc);
	c.primary = c.sending = c.echo_from = -1;
	c.expected = 1;
	c.interval_ns = NS_PER_S / (int64_t)rate;
	load_paths(&c);
	if (primary)
		set_primary(&c, primary, port);
	print_primary(&c);
	print_settings(c.fd, c.assoc);
	printf("sending a numbered message every %lld ms on stream %u\n",
	       (long long)(c.interval_ns / NS_PER_MS), c.stream);
	fflush(stdout);
	poll_paths(&c);

	now = next_send = now_ns();
	if (seconds)
		end_send = now + (int64_t)seconds * NS_PER_S;
	for (;;) {
		struct pollfd pfd = { .fd = c.fd, .events = POLLIN };
		int64_t wait_ns = PATH_POLL_MS * NS_PER_MS;

		now = now_ns();
		if (sending && (stop_requested || c.send_failed ||
				(count && c.sent >= count) ||
				(end_send && now >= end_send))) {
			sending = false;
			drain_end = now + DRAIN_SECONDS * NS_PER_S;
		}
		if (c.lost || c.closed || stop_requested > 1)
			break;
		if (!sending &&
		    (c.in_order + c.out_of_order >= c.sent || now >= drain_end))
			break;
		if (sending && now >= next_send) {
			send_next(&c);
			next_send += c.interval_ns;
			/* Behind (a slow machine)? Skip ticks, never burst. */
			if (next_send < now)
				next_send = now + c.interval_ns;
		}
		if (sending && next_send - now < wait_ns)
			wait_ns = next_send - now;
		if (poll(&pfd, 1,
			 (int)((wait_ns + NS_PER_MS - 1) / NS_PER_MS)) < 0) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		if (pfd.revents & (POLLIN | POLLERR | POLLHUP))
			receive(&c);
		poll_paths(&c);
	}
	if (c.closed && !c.lost)
		warnx("the server closed the association");
	ch = summary(&c);
	/* Graceful SHUTDOWN: every echo is in, nothing left to deliver. */
	close(c.fd);
	return ch == 0 && c.closed ? 1 : ch;
}
