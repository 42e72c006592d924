/*
 * sctp_events.c - subscribe to every SCTP notification and print each
 * one as a line of words.
 *
 * Notifications are how an SCTP application learns what happens to its
 * associations: one comes up, a path to the peer fails and heals, the
 * peer shuts down or aborts, a message could not be delivered. They
 * arrive on the socket among the data, marked MSG_NOTIFICATION, and like
 * data they can arrive in parts: only the part with MSG_EOR ends one.
 * This program
 *   - subscribes with SCTP_EVENT, one setsockopt() per type, to every
 *     type (or the ones -e names) and says which ones the kernel refuses;
 *   - reads with recvmsg(), keeps notification bytes apart from data,
 *     joins the parts up to MSG_EOR and hands them to sn_decode()
 *     (decode.c), which turns them into "TYPE assoc=ID field=value ...";
 *   - can provoke the events it shows: send data (on a stream, with a
 *     PR-SCTP lifetime), announce an adaptation layer, request a stream
 *     reconfiguration, use AUTH keys, end the association with SHUTDOWN
 *     or ABORT, and detect a failed path within seconds instead of
 *     minutes.
 *
 * Try (two terminals):
 *   $ ./sctp_events -L -a 127.0.0.1 -p 9999
 *   $ ./sctp_events -a 127.0.0.1 -p 9999 -m hello -t 1
 * Both print COMM_UP; the server prints the DATA, then SHUTDOWN_EVENT
 * and SHUTDOWN_COMP; the client SENDER_DRY_EVENT and SHUTDOWN_COMP.
 * events/README.md has a scenario for every type.
 *
 * Read: sctp(7); RFC 6458 sections 6 (notifications) and 8 (socket
 * options); sctp_bindx(3); /usr/include/linux/sctp.h.
 */
#include <err.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

#include "util_old.h"
#include "decode.h"

/* Most -a, -m or -k options one command line may give. */
#define REPEAT_MAX 8
/*
 * One recvmsg() reads at most this much: a message or a notification
 * that is bigger comes in parts. Less than the biggest notification (a
 * SEND_FAILED carrying a DATA chunk of up to 64 KiB), so the joining of
 * parts below does happen.
 */
#define RECV_BUF 32768
/*
 * The biggest notification Linux sends: a SEND_FAILED carrying one DATA
 * chunk (under 64 KiB), or a STREAM_RESET listing 65535 streams.
 */
#define NOTE_MAX (1 << 18)
/* Room for clock_str()'s "HH:MM:SS.mmm", with the compiler's margin. */
#define TIME_LEN 64
/* Bytes per line of the -v hex dump. */
#define DUMP_WIDTH 16
/* The chunk type of DATA, for SCTP_AUTH_CHUNK (RFC 9260 3.2). */
#define CHUNK_DATA 0
/* Outbound streams -R add asks for. */
#define STREAMS_TO_ADD 2
/*
 * SCTP_EXPOSE_POTENTIALLY_FAILED_STATE values come from the kernel's
 * include/net/sctp/constants.h, which user space does not get: 0 unset,
 * 1 disable, 2 enable.
 */
#define PF_EXPOSE_ENABLE 2

/*
 * -F: timers short enough that a lost path or a lost INIT shows within
 * seconds on a test bed (the defaults take minutes: RTO 1 to 60 s,
 * heartbeat every 30 s, 8 INIT retransmissions). Milliseconds.
 */
#define FAST_RTO_INITIAL 200
#define FAST_RTO_MIN 100
#define FAST_RTO_MAX 400
#define FAST_INIT_ATTEMPTS 3
#define FAST_INIT_TIMEO 400
#define FAST_HB_INTERVAL 200
#define FAST_PATH_MAX_RETRANS 2

struct opts {
	bool listen, one_to_one, verbose, fast, expose_pf, abort;
	const char *addrs[REPEAT_MAX];
	int naddrs;
	uint16_t port;
	const char *only; /* -e: comma-separated type names */
	const char *texts[REPEAT_MAX];
	int ntexts;
	unsigned long length, count, stream, ttl;
	bool stream_set;
	unsigned long ostreams, instreams, pd_point, rcvbuf;
	long adaptation; /* -1: not set */
	const char *reconf;
	struct {
		uint16_t id;
		const char *secret;
	} keys[REPEAT_MAX];
	int nkeys;
	long active_key, deactivate_key; /* -1: not set */
	long end_after;			 /* -t seconds, -1: never */
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char usage_text[] =
	"usage: sctp_events [-L] [-S] [-a ADDR]... [-p PORT] [-e TYPES] [-v]\n"
	"         [-m TEXT]... [-l LENGTH] [-c COUNT] [-s STREAM] [-x MS]\n"
	"         [-R out|in|assoc|add] [-d KEY] [-t SECONDS] [-X]\n"
	"         [-o N] [-i N] [-A IND] [-k KEY:SECRET]... [-K KEY]\n"
	"         [-D BYTES] [-b BYTES] [-F] [-P]\n"
	"  -L         listen (server); without -L, connect to -a/-p\n"
	"  -S         one-to-one style (SOCK_STREAM); default one-to-many\n"
	"  -a ADDR    address to bind (repeat to multihome) or connect to\n"
	"  -p PORT    port (0 with -L: the kernel picks one)\n"
	"  -e TYPES   subscribe only to these: ASSOC_CHANGE,SHUTDOWN_EVENT\n"
	"  -v         verbose: a hex dump under each notification\n"
	"once an association is up:\n"
	"  -m TEXT    send TEXT (repeatable)\n"
	"  -l LENGTH  send a message of LENGTH bytes\n"
	"  -c COUNT   send the messages COUNT times (default 1)\n"
	"  -s STREAM  send on STREAM (default 0); -R in/out resets only it\n"
	"  -x MS      PR-SCTP: drop the messages not sent within MS ms\n"
	"  -R WHAT    reconfigure: reset the outgoing (out) or incoming (in)\n"
	"             streams or the association (assoc), add streams (add)\n"
	"  -d KEY     deactivate AUTH key number KEY on it\n"
	"  -t SECONDS end it SECONDS later: SHUTDOWN, or ABORT with -X\n"
	"before any association (socket options):\n"
	"  -o N, -i N outbound streams to ask for, inbound to accept\n"
	"  -A IND     announce adaptation layer indication IND\n"
	"  -k KEY:SECRET  add AUTH shared key number KEY; DATA must be signed\n"
	"  -K KEY     make key number KEY the active one\n"
	"  -D BYTES   partial delivery point: big messages come in parts\n"
	"  -b BYTES   receive buffer size (SO_RCVBUF)\n"
	"  -F         fast failure detection (short RTO, INIT, heartbeat)\n"
	"  -P         report the potentially-failed state of a path\n";

static void
usage(FILE *f)
{
	fputs(usage_text, f);
}

static void
bad_usage(const char *why)
{
	fprintf(stderr, "%s: %s\n", program_invocation_short_name, why);
	usage(stderr);
	exit(EXIT_USAGE);
}

/* A number for option WHAT; else parse_number()'s reason and the usage. */
static unsigned long
number(const char *text, const char *what, unsigned long min, unsigned long max)
{
	unsigned long v;

	if (parse_number(text, what, min, max, &v) < 0) {
		usage(stderr);
		exit(EXIT_USAGE);
	}
	return v;
}

/* Is NAME one of the comma-separated names in LIST? */
static bool
in_list(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; p; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	}
	return false;
}

static bool
is_type_name(const char *word, size_t n)
{
	for (unsigned t = SCTP_ASSOC_CHANGE; t <= SCTP_SN_TYPE_MAX; t++) {
		const char *name = sctp_sn_type_name(t);

		if (name && strlen(name) == n && strncmp(word, name, n) == 0)
			return true;
	}
	return false;
}

static void
parse_args(int argc, char **argv, struct opts *o)
{
	char *colon;
	int c;

	memset(o, 0, sizeof(*o));
	o->count = 1;
	o->adaptation = o->active_key = o->deactivate_key = o->end_after = -1;
	while ((c = getopt(argc, argv,
			   "LSa:p:e:vm:l:c:s:x:R:d:t:Xo:i:A:k:K:D:b:FPh")) !=
	       -1) {
		switch (c) {
		case 'L':
			o->listen = true;
			break;
		case 'S':
			o->one_to_one = true;
			break;
		case 'a':
			if (o->naddrs == REPEAT_MAX)
				bad_usage("too many -a");
			o->addrs[o->naddrs++] = optarg;
			break;
		case 'p':
			o->port = (uint16_t)number(optarg, "-p", 0, UINT16_MAX);
			break;
		case 'e':
			for (const char *p = optarg; *p;) {
				size_t n = strcspn(p, ",");

				if (!is_type_name(p, n))
					bad_usage("-e: unknown type name");
				p += n + (p[n] == ',');
			}
			o->only = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'm':
			if (o->ntexts == REPEAT_MAX)
				bad_usage("too many -m");
			o->texts[o->ntexts++] = optarg;
			break;
		case 'l':
			o->length = number(optarg, "-l", 1, INT_MAX);
			break;
		case 'c':
			o->count = number(optarg, "-c", 1, INT_MAX);
			break;
		case 's':
			o->stream = number(optarg, "-s", 0, UINT16_MAX);
			o->stream_set = true;
			break;
		case 'x':
			o->ttl = number(optarg, "-x", 1, UINT32_MAX);
			break;
		case 'R':
			if (strcmp(optarg, "out") && strcmp(optarg, "in") &&
			    strcmp(optarg, "assoc") && strcmp(optarg, "add"))
				bad_usage("-R takes out, in, assoc or add");
			o->reconf = optarg;
			break;
		case 'd':
			o->deactivate_key =
				(long)number(optarg, "-d", 0, UINT16_MAX);
			break;
		case 't':
			o->end_after = (long)number(optarg, "-t", 0, INT_MAX);
			break;
		case 'X':
			o->abort = true;
			break;
		case 'o':
			o->ostreams = number(optarg, "-o", 1, UINT16_MAX);
			break;
		case 'i':
			o->instreams = number(optarg, "-i", 1, UINT16_MAX);
			break;
		case 'A':
			o->adaptation =
				(long)number(optarg, "-A", 0, UINT32_MAX);
			break;
		case 'k':
			colon = strchr(optarg, ':');
			if (!colon || strlen(colon + 1) > UINT16_MAX ||
			    o->nkeys == REPEAT_MAX)
				bad_usage("-k takes KEY:SECRET");
			*colon =
				'\0'; /* optarg points into argv: ours to cut */
			o->keys[o->nkeys].id =
				(uint16_t)number(optarg, "-k", 0, UINT16_MAX);
			o->keys[o->nkeys++].secret = colon + 1;
			break;
		case 'K':
			o->active_key =
				(long)number(optarg, "-K", 0, UINT16_MAX);
			break;
		case 'D':
			o->pd_point = number(optarg, "-D", 1, INT_MAX);
			break;
		case 'b':
			o->rcvbuf = number(optarg, "-b", 1, INT_MAX);
			break;
		case 'F':
			o->fast = true;
			break;
		case 'P':
			o->expose_pf = true;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(EXIT_USAGE);
		}
	}
	if (optind < argc)
		bad_usage("unexpected argument");
	if (!o->listen && (o->naddrs > 1 || o->port == 0))
		bad_usage("a client needs one -a and a -p other than 0");
	if (o->naddrs == 0 && !o->listen)
		o->addrs[o->naddrs++] = "127.0.0.1";
}

/* setsockopt() at the SCTP level; fatal when it fails. */
static void
sctp_set(int fd, int opt, const char *name, const void *val, socklen_t len)
{
	if (setsockopt(fd, IPPROTO_SCTP, opt, val, len) < 0)
		err(1, "setsockopt %s", name);
}

/* Socket options, set before bind/connect so every association gets them. */
static void
configure(int fd, const struct opts *o)
{
	int on = 1;
	struct sctp_assoc_value av;

	/* Data comes with an SCTP_RCVINFO cmsg: stream, SSN, PPID. */
	sctp_set(fd, SCTP_RECVRCVINFO, "SCTP_RECVRCVINFO", &on, sizeof(on));

	/*
	 * Accept every kind of stream reconfiguration request from the
	 * peer (and allow our own -R): unless told to, Linux answers them
	 * "denied" (net/sctp/stream.c). Reconfiguration also needs the
	 * sysctl net.sctp.reconf_enable=1, or SCTP_RECONFIG_SUPPORTED.
	 */
	memset(&av, 0, sizeof(av));
	av.assoc_id = SCTP_FUTURE_ASSOC;
	av.assoc_value = SCTP_ENABLE_STRRESET_MASK;
	sctp_set(fd, SCTP_ENABLE_STREAM_RESET, "SCTP_ENABLE_STREAM_RESET", &av,
		 sizeof(av));

	if (o->ostreams || o->instreams || o->fast) {
		struct sctp_initmsg im;

		memset(&im, 0, sizeof(im)); /* 0 keeps the default */
		im.sinit_num_ostreams = (uint16_t)o->ostreams;
		im.sinit_max_instreams = (uint16_t)o->instreams;
		if (o->fast) {
			im.sinit_max_attempts = FAST_INIT_ATTEMPTS;
			im.sinit_max_init_timeo = FAST_INIT_TIMEO;
		}
		sctp_set(fd, SCTP_INITMSG, "SCTP_INITMSG", &im, sizeof(im));
	}
	if (o->fast) {
		struct sctp_rtoinfo rto;
		struct sctp_paddrparams pp;

		memset(&rto, 0, sizeof(rto));
		rto.srto_assoc_id = SCTP_FUTURE_ASSOC;
		rto.srto_initial = FAST_RTO_INITIAL;
		rto.srto_min = FAST_RTO_MIN;
		rto.srto_max = FAST_RTO_MAX;
		sctp_set(fd, SCTP_RTOINFO, "SCTP_RTOINFO", &rto, sizeof(rto));

		/* No address: the defaults for every path of every future
		 * association. The interval is ignored without HB_ENABLE. */
		memset(&pp, 0, sizeof(pp));
		pp.spp_assoc_id = SCTP_FUTURE_ASSOC;
		pp.spp_hbinterval = FAST_HB_INTERVAL;
		pp.spp_pathmaxrxt = FAST_PATH_MAX_RETRANS;
		pp.spp_flags = SPP_HB_ENABLE;
		sctp_set(fd, SCTP_PEER_ADDR_PARAMS, "SCTP_PEER_ADDR_PARAMS",
			 &pp, sizeof(pp));
	}
	if (o->expose_pf) {
		/* Without it a path goes potentially-failed silently. */
		memset(&av, 0, sizeof(av));
		av.assoc_id = SCTP_FUTURE_ASSOC;
		av.assoc_value = PF_EXPOSE_ENABLE;
		sctp_set(fd, SCTP_EXPOSE_POTENTIALLY_FAILED_STATE,
			 "SCTP_EXPOSE_POTENTIALLY_FAILED_STATE", &av,
			 sizeof(av));
	}
	if (o->adaptation >= 0) {
		struct sctp_setadaptation ad = {
			.ssb_adaptation_ind = (uint32_t)o->adaptation
		};

		sctp_set(fd, SCTP_ADAPTATION_LAYER, "SCTP_ADAPTATION_LAYER",
			 &ad, sizeof(ad));
	}
	if (o->pd_point) {
		uint32_t point = (uint32_t)o->pd_point;

		sctp_set(fd, SCTP_PARTIAL_DELIVERY_POINT,
			 "SCTP_PARTIAL_DELIVERY_POINT", &point, sizeof(point));
	}
	if (o->rcvbuf) {
		int size = (int)o->rcvbuf;

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) <
		    0)
			err(1, "setsockopt SO_RCVBUF");
	}
	for (int i = 0; i < o->nkeys; i++) {
		size_t slen = strlen(o->keys[i].secret);
		struct sctp_authkey *key = calloc(1, sizeof(*key) + slen);

		if (!key)
			err(1, "calloc");
		key->sca_assoc_id = SCTP_FUTURE_ASSOC;
		key->sca_keynumber = o->keys[i].id;
		key->sca_keylength = (uint16_t)slen;
		memcpy(key->sca_key, o->keys[i].secret, slen);
		sctp_set(fd, SCTP_AUTH_KEY, "SCTP_AUTH_KEY", key,
			 (socklen_t)(sizeof(*key) + slen));
		free(key);
	}
	if (o->nkeys) {
		/* Ask the peer to sign every DATA chunk it sends us: each
		 * AUTH chunk then names the key the peer chose. */
		struct sctp_authchunk ac = { .sauth_chunk = CHUNK_DATA };

		sctp_set(fd, SCTP_AUTH_CHUNK, "SCTP_AUTH_CHUNK", &ac,
			 sizeof(ac));
	}
	if (o->active_key >= 0) {
		struct sctp_authkeyid kid = {
			.scact_assoc_id = SCTP_FUTURE_ASSOC,
			.scact_keynumber = (uint16_t)o->active_key,
		};

		sctp_set(fd, SCTP_AUTH_ACTIVE_KEY, "SCTP_AUTH_ACTIVE_KEY", &kid,
			 sizeof(kid));
	}
}

/*
 * One SCTP_EVENT call per type. A kernel older than these headers
 * refuses the types it does not have (EINVAL): say so and go on.
 */
static void
subscribe(int fd, const char *only)
{
	printf("subscribed:");
	for (unsigned t = SCTP_ASSOC_CHANGE; t <= SCTP_SN_TYPE_MAX; t++) {
		const char *name = sctp_sn_type_name(t);
		struct sctp_event ev;

		if (!name || (only && !in_list(only, name)))
			continue;
		memset(&ev, 0, sizeof(ev));
		ev.se_assoc_id = SCTP_FUTURE_ASSOC;
		ev.se_type = (uint16_t)t;
		ev.se_on = 1;
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev)) <
		    0) {
			warn("setsockopt SCTP_EVENT %s (not subscribed)", name);
			continue;
		}
		printf(" %s", name);
	}
	printf("\n");
}

static void
hex_dump(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i += DUMP_WIDTH) {
		printf("    %04zx ", i);
		for (size_t j = i; j < n && j < i + DUMP_WIDTH; j++)
			printf(" %02x", p[j]);
		printf("\n");
	}
}

/*
 * Send one message to association ID, on the -s stream, with the -x
 * lifetime, through sendmsg() and its cmsgs: SCTP_SNDINFO, and
 * SCTP_PRINFO for PR-SCTP. Returns -1 (after a warning) on failure.
 */
static int
send_message(int fd, const struct opts *o, sctp_assoc_t id, const void *buf,
	     size_t len, uint16_t flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct sctp_sndinfo)) +
			 CMSG_SPACE(sizeof(struct sctp_prinfo))];
		struct cmsghdr align;
	} ctl;
	struct sctp_sndinfo si;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m;
	struct cmsghdr *c;

	memset(&ctl, 0, sizeof(ctl));
	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl.buf;
	m.msg_controllen = CMSG_SPACE(sizeof(si));
	if (o->ttl && !flags)
		m.msg_controllen += CMSG_SPACE(sizeof(struct sctp_prinfo));

	memset(&si, 0, sizeof(si));
	si.snd_sid = (uint16_t)o->stream;
	si.snd_flags = flags; /* SCTP_EOF, SCTP_ABORT or 0 */
	si.snd_assoc_id = id; /* ignored by one-to-one sockets */
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = IPPROTO_SCTP;
	c->cmsg_type = SCTP_SNDINFO;
	c->cmsg_len = CMSG_LEN(sizeof(si));
	memcpy(CMSG_DATA(c), &si, sizeof(si));
	if (o->ttl && !flags) {
		struct sctp_prinfo pr = { .pr_policy = SCTP_PR_SCTP_TTL,
					  .pr_value = (uint32_t)o->ttl };

		c = CMSG_NXTHDR(&m, c);
		c->cmsg_level = IPPROTO_SCTP;
		c->cmsg_type = SCTP_PRINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pr));
		memcpy(CMSG_DATA(c), &pr, sizeof(pr));
	}
	while (sendmsg(fd, &m, MSG_NOSIGNAL) < 0) {
		if (errno == EINTR && !stop)
			continue;
		warn("sendmsg");
		return -1;
	}
	return 0;
}

static void
send_all(int fd, const struct opts *o, sctp_assoc_t id)
{
	char *big = NULL;

	if (o->length) {
		big = malloc(o->length);
		if (!big)
			err(1, "malloc");
		for (size_t i = 0; i < o->length; i++)
			big[i] = (char)('a' + i % 26);
	}
	for (unsigned long n = 0; n < o->count; n++) {
		for (int i = 0; i < o->ntexts; i++)
			if (send_message(fd, o, id, o->texts[i],
					 strlen(o->texts[i]), 0) < 0)
				goto out;
		if (big && send_message(fd, o, id, big, o->length, 0) < 0)
			goto out;
	}
out:
	free(big);
}

/*
 * -R: one stream reconfiguration request (RFC 6525). Linux allows one
 * outstanding request per association; the answer comes back as a
 * STREAM_RESET, ASSOC_RESET or STREAM_CHANGE event.
 */
static void
reconfigure(int fd, const struct opts *o, sctp_assoc_t id)
{
	if (!strcmp(o->reconf, "out") || !strcmp(o->reconf, "in")) {
		union {
			struct sctp_reset_streams rs;
			char buf[sizeof(struct sctp_reset_streams) +
				 sizeof(uint16_t)];
		} u;

		memset(&u, 0, sizeof(u));
		u.rs.srs_assoc_id = id;
		u.rs.srs_flags = !strcmp(o->reconf, "out")
					 ? SCTP_STREAM_RESET_OUTGOING
					 : SCTP_STREAM_RESET_INCOMING;
		/* An empty list resets every stream. */
		if (o->stream_set) {
			u.rs.srs_number_streams = 1;
			u.rs.srs_stream_list[0] = (uint16_t)o->stream;
		}
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_RESET_STREAMS, &u,
			       (socklen_t)(sizeof(u.rs) +
					   u.rs.srs_number_streams *
						   sizeof(uint16_t))) < 0)
			warn("setsockopt SCTP_RESET_STREAMS");
	} else if (!strcmp(o->reconf, "assoc")) {
		/* Both directions start again from fresh TSNs and SSNs. */
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_RESET_ASSOC, &id,
			       sizeof(id)) < 0)
			warn("setsockopt SCTP_RESET_ASSOC");
	} else {
		struct sctp_add_streams as = { .sas_assoc_id = id,
					       .sas_outstrms = STREAMS_TO_ADD };

		if (setsockopt(fd, IPPROTO_SCTP, SCTP_ADD_STREAMS, &as,
			       sizeof(as)) < 0)
			warn("setsockopt SCTP_ADD_STREAMS");
	}
}

/* What an association gets once it is up. */
static void
on_comm_up(int fd, const struct opts *o, sctp_assoc_t id)
{
	send_all(fd, o, id);
	if (o->reconf)
		reconfigure(fd, o, id);
	if (o->deactivate_key >= 0) {
		/* The key stays usable until nothing refers to it; then the
		 * kernel says FREE_KEY (AUTHENTICATION_EVENT). */
		struct sctp_authkeyid kid = {
			.scact_assoc_id = id,
			.scact_keynumber = (uint16_t)o->deactivate_key,
		};

		if (setsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_DEACTIVATE_KEY, &kid,
			       sizeof(kid)) < 0)
			warn("setsockopt SCTP_AUTH_DEACTIVATE_KEY");
	}
}

/*
 * -t: end association ID. A one-to-many socket says how in the
 * SCTP_SNDINFO flags (SCTP_EOF, SCTP_ABORT); Linux refuses those on a
 * one-to-one socket, where shutdown() starts the SHUTDOWN and a close()
 * with a zero linger time sends an ABORT. Returns true if FD was closed.
 */
static bool
end_association(int fd, const struct opts *o, sctp_assoc_t id)
{
	if (!o->one_to_one) {
		send_message(fd, o, id, NULL, 0,
			     o->abort ? SCTP_ABORT : SCTP_EOF);
		return false;
	}
	if (!o->abort) {
		if (shutdown(fd, SHUT_WR) < 0)
			warn("shutdown");
		return false;
	}
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0)
		warn("setsockopt SO_LINGER");
	if (close(fd) < 0)
		warn("close");
	return true;
}

/* One association's life as a socket sees it. */
struct session {
	sctp_assoc_t cur; /* the association that came up last */
	int64_t end_at;	  /* when -t ends it (now_ns), -1: never */
	bool over;	  /* nothing more will come: stop reading */
	unsigned char note[NOTE_MAX];
	size_t note_len;
	bool note_cut;
};

/* A whole notification: print it, and act on ASSOC_CHANGE. */
static void
notification(int fd, const struct opts *o, struct session *s)
{
	char line[SN_LINE_MAX], ts[TIME_LEN];
	enum sn_status st = sn_decode(s->note, s->note_len, line, sizeof(line));
	struct sctp_assoc_change sac;

	printf("%s %s\n", clock_str(ts, sizeof(ts)), line);
	if (s->note_cut)
		warnx("a notification longer than %d bytes was cut", NOTE_MAX);
	if (o->verbose || st == SN_MALFORMED)
		hex_dump(s->note, s->note_len);
	fflush(stdout);
	if (st != SN_OK)
		return;
	memcpy(&sac, s->note, sizeof(sac.sac_type));
	if (sac.sac_type != SCTP_ASSOC_CHANGE)
		return;
	memcpy(&sac, s->note, sizeof(sac));
	switch (sac.sac_state) {
	case SCTP_COMM_UP:
		s->cur = sac.sac_assoc_id;
		on_comm_up(fd, o, sac.sac_assoc_id);
		if (o->end_after >= 0)
			s->end_at = now_ns() + o->end_after * 1000000000LL;
		break;
	case SCTP_COMM_LOST:
	case SCTP_SHUTDOWN_COMP:
	case SCTP_CANT_STR_ASSOC:
		/* A client, or a one-to-one socket, had only this one. */
		if (!o->listen || o->one_to_one)
			s->over = true;
		break;
	}
}

/*
 * Read what is there: data or a part of a notification. Returns 0 when
 * a one-to-one peer is gone (EOF), 1 otherwise; -1 when nothing was
 * there (MSG_DONTWAIT) or on error.
 */
static int
receive(int fd, const struct opts *o, struct session *s, int flags)
{
	static unsigned char buf[RECV_BUF];
	union {
		char buf[CMSG_SPACE(sizeof(struct sctp_rcvinfo))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr m;
	ssize_t n;

	memset(&m, 0, sizeof(m));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl.buf;
	m.msg_controllen = sizeof(ctl.buf);
	n = recvmsg(fd, &m, flags);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return -1;
		/* A one-to-one socket reports its association's end (ECONNRESET
		 * after an ABORT) here too: that socket is done. */
		if (flags & MSG_DONTWAIT)
			return -1;
		warn("recvmsg");
		return o->one_to_one ? 0 : -1;
	}
	if (n == 0 && !(m.msg_flags & MSG_NOTIFICATION))
		return 0;

	if (m.msg_flags & MSG_NOTIFICATION) {
		/* Never data: collect the parts until MSG_EOR. */
		size_t room = sizeof(s->note) - s->note_len;
		size_t take = (size_t)n < room ? (size_t)n : room;

		memcpy(s->note + s->note_len, buf, take);
		s->note_len += take;
		s->note_cut |= take < (size_t)n;
		if (m.msg_flags & MSG_EOR) {
			notification(fd, o, s);
			s->note_len = 0;
			s->note_cut = false;
		}
		return 1;
	}

	/* Data. Without MSG_EOR this is a part; the rest follows. */
	struct sctp_rcvinfo ri;
	struct cmsghdr *c;
	char ts[TIME_LEN];

	memset(&ri, 0, sizeof(ri));
	for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
		if (c->cmsg_level == IPPROTO_SCTP &&
		    c->cmsg_type == SCTP_RCVINFO)
			memcpy(&ri, CMSG_DATA(c), sizeof(ri));
	printf("%s DATA assoc=%d stream=%u ssn=%u ppid=%" PRIu32
	       " bytes=%zd %s\n",
	       clock_str(ts, sizeof(ts)), ri.rcv_assoc_id, ri.rcv_sid,
	       ri.rcv_ssn, ntohl(ri.rcv_ppid), n,
	       m.msg_flags & MSG_EOR ? "eor" : "partial");
	return 1;
}

/*
 * EOF on a one-to-one socket: the peer sent its SHUTDOWN and all its data
 * is read, and our kernel has answered with a SHUTDOWN-ACK. SHUTDOWN_COMP
 * comes when the peer's SHUTDOWN-COMPLETE does, and on a busy machine that
 * can be after the EOF. poll() cannot wait for it (a socket at EOF is
 * readable for good), so look every 10 ms, for a second at most, until
 * SCTP_STATUS finds no association; what ended it is queued by then.
 */
static void
await_end(int fd, const struct opts *o, struct session *s)
{
	const struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };

	for (int i = 0; i < 100 && !s->over; i++) {
		struct sctp_status st;
		socklen_t len = sizeof(st);
		bool gone;

		memset(&st, 0, sizeof(st));
		gone = getsockopt(fd, IPPROTO_SCTP, SCTP_STATUS, &st, &len) < 0;
		while (!s->over && receive(fd, o, s, MSG_DONTWAIT) > 0)
			;
		if (gone || stop)
			break;
		nanosleep(&tick, NULL);
	}
}

/*
 * The loop: wait for something to read or for the -t deadline. Returns
 * when a client's association is over, a one-to-one peer is gone, or a
 * signal asks us to stop.
 */
static void
run(int fd, const struct opts *o)
{
	static struct session s;

	s.cur = 0;
	s.end_at = -1;
	s.over = false;
	s.note_len = 0;
	s.note_cut = false;
	while (!stop && !s.over) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int timeout = -1, r;

		if (s.end_at >= 0) {
			int64_t left = s.end_at - now_ns();

			timeout = left > 0 ? (int)(left / 1000000) + 1 : 0;
		}
		r = poll(&pfd, 1, timeout);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		if (r == 0) {
			s.end_at = -1;
			if (end_association(fd, o, s.cur))
				return; /* one-to-one ABORT: the socket is gone
					 */
			continue;
		}
		if (receive(fd, o, &s, 0) == 0) {
			await_end(fd, o, &s);
			break;
		}
	}
	/* Anything left unread, a notification too, would make close()
	 * ABORT the associations instead of shutting them down (sctp(7)
	 * follows TCP here): read and print it first. */
	if (stop)
		while (receive(fd, o, &s, MSG_DONTWAIT) > 0)
			;
	if (o->one_to_one)
		close(fd);
}

/* Bind every -a address: bind() the first, sctp_bindx() the others. */
static void
bind_all(int fd, const struct opts *o, const struct addrinfo *first)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	uint16_t port;

	if (bind(fd, first->ai_addr, first->ai_addrlen) < 0)
		err(1, "bind %s", o->naddrs ? o->addrs[0] : "(any)");
	/* The others join on the port the first one got (-p 0). */
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		err(1, "getsockname");
	port = (uint16_t)addr_port((struct sockaddr *)&ss);
	for (int i = 1; i < o->naddrs; i++) {
		struct addrinfo *ai;

		if (resolve(o->addrs[i], port, first->ai_socktype, IPPROTO_SCTP,
			    1, &ai) < 0) {
			usage(stderr); /* a name that does not resolve */
			exit(EXIT_USAGE);
		}
		if (sctp_bindx(fd, ai->ai_addr, 1, SCTP_BINDX_ADD_ADDR) < 0)
			err(1, "sctp_bindx %s", o->addrs[i]);
		freeaddrinfo(ai);
	}
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct addrinfo *ai;
	struct sigaction sa;
	int fd, type;

	parse_args(argc, argv, &o);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	/* No SA_RESTART: a signal must wake poll(), accept(), connect(). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	type = o.one_to_one ? SOCK_STREAM : SOCK_SEQPACKET;
	if (resolve(o.naddrs ? o.addrs[0] : NULL, o.port, type, IPPROTO_SCTP,
		    o.listen, &ai) < 0) {
		usage(stderr); /* a name that does not resolve */
		exit(EXIT_USAGE);
	}
	fd = socket(ai->ai_family, type, IPPROTO_SCTP);
	if (fd < 0)
		err(1, "socket");
	configure(fd, &o);
	subscribe(fd, o.only);

	if (!o.listen) {
		/* The INIT goes out now; COMM_UP or CANT_STR_ASSOC follows. */
		while (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
			if (errno == EINTR && !stop)
				continue;
			warn("connect");
			/* The notification that says why is still queued. */
			struct session *s = calloc(1, sizeof(*s));

			if (!s)
				err(1, "calloc");
			while (receive(fd, &o, s, MSG_DONTWAIT) > 0)
				;
			free(s);
			freeaddrinfo(ai);
			close(fd);
			return 1;
		}
		freeaddrinfo(ai);
		run(fd, &o);
		return 0;
	}

	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	bind_all(fd, &o, ai);
	freeaddrinfo(ai);
	if (listen(fd, SOMAXCONN) < 0)
		err(1, "listen");
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		err(1, "getsockname");
	print_listening((struct sockaddr *)&ss);
	if (!o.one_to_one) {
		run(fd, &o);
		return 0;
	}
	/* One-to-one: each accepted socket carries one association and
	 * inherits the subscriptions. */
	while (!stop) {
		int c = accept(fd, NULL, NULL);

		if (c < 0) {
			if (errno != EINTR)
				warn("accept");
			continue;
		}
		run(c, &o);
	}
	return 0;
}
