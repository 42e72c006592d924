/* SPDX-License-Identifier: 0BSD */
/*
 * sctpcheck - does this kernel speak SCTP, and if not, why?
 *
 * When SCTP works, it opens both socket styles, runs a real association
 * over 127.0.0.1 and ::1 inside this one process, and shows the streams
 * negotiated and the kernel's SCTP tunables. When it does not, it tells
 * the cases apart (no SCTP in the kernel, module missing, blacklisted or
 * not loaded, a sandbox refusing the socket) and says what to do. -j says
 * it as JSON, for scripts. It changes nothing: with sctp.ko not loaded it
 * does not even call socket(), which would make the kernel load it.
 *
 * Try:
 *   terminal 1: check/sctpcheck
 *   terminal 2: tests/seccomp-deny EPERM check/sctpcheck    (a sandbox)
 *
 * Read: sctp(7), socket(2), sctpcheck(1); diagnose.c says why not.
 */
#include <signal.h>
#include <stdbool.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "util.h"
#include <netinet/sctp.h>
#include "diagnose.h"

/* Default -t: how long a loopback association may take to come up and
 * carry its message. Microseconds on real hardware, more in an emulated
 * VM; when a firewall drops SCTP, INIT is retried for minutes. */
#define LOOPBACK_TIMEOUT_S 10
#define MAX_TIMEOUT_S 3600
#define PROBE_MESSAGE "hello from sctpcheck"

static const char options[] =
	"[-j] [-R ROOT] [-k RELEASE] [-t SECONDS] [-h]\n"
	"  -j          print the result as one JSON object, for scripts\n"
	"  -R ROOT     read /proc, /sys, /etc, /run, /lib, /usr and /boot under"
	" ROOT\n"
	"              (a fake tree, for tests); socket() still asks the"
	" running kernel\n"
	"  -k RELEASE  the kernel release to look up (default: uname -r)\n"
	"  -t SECONDS  how long each loopback step may take (default 10)\n"
	"  -h          this help (also --help); --version: the version\n"
	"Exit status: 0 SCTP works, 1 it does not, 2 bad usage.\n";

/* The tunables worth knowing, from /proc/sys/net/sctp (see sctp(7)). */
static const struct {
	const char *name, *unit, *meaning;
} tunables[] = {
	{ "rto_initial", "ms", "first retransmission timeout" },
	{ "rto_min", "ms", "retransmission timeout, lowest" },
	{ "rto_max", "ms", "retransmission timeout, highest" },
	{ "hb_interval", "ms", "heartbeat interval on an idle path" },
	{ "sack_timeout", "ms", "delayed SACK timer" },
	{ "valid_cookie_life", "ms", "lifetime of the handshake's cookie" },
	{ "path_max_retrans", "", "retransmissions before a path is down" },
	{ "pf_retrans", "", "... before it is potentially failed" },
	{ "association_max_retrans", "", "... before the association aborts" },
	{ "max_init_retransmits", "", "INIT retransmissions before giving up" },
	{ "cookie_hmac_alg", "", "HMAC that signs the cookie" },
	{ "auth_enable", "", "SCTP-AUTH, RFC 4895" },
	{ "addip_enable", "", "dynamic addresses, RFC 5061" },
	{ "prsctp_enable", "", "partial reliability, RFC 3758" },
	{ "reconf_enable", "", "stream reconfiguration, RFC 6525" },
	{ "intl_enable", "", "message interleaving (I-DATA), RFC 8260" },
	{ "udp_port", "", "UDP encapsulation port (0: off), RFC 6951" },
};

/* The two socket styles of sctp(7). */
static const struct {
	int type;
	const char *name, *style;
} styles[] = {
	{ SOCK_STREAM, "SOCK_STREAM", "one-to-one" },
	{ SOCK_SEQPACKET, "SOCK_SEQPACKET", "one-to-many" },
};

/* One association over loopback: how far it got, what it saw. */
struct loop {
	const char *addr, *call; /* CALL failed with ERROR; NULL: none did */
	int error;
	bool skipped;		     /* no IPv6 loopback here */
	unsigned port, in, out, sid; /* association; the message's stream */
	size_t bytes;
	bool whole; /* arrived as it was sent, on the stream it was sent */
};

/*
 * One association over the loopback address ADDR, inside this process: a
 * one-to-many listener and a one-to-one client. The kernel answers INIT
 * and COOKIE-ECHO by itself, so a blocking connect() needs no second
 * thread. Each step may take TIMEOUT seconds. False if it failed.
 */
static bool
loopback(struct loop *lo, const char *addr, unsigned long timeout)
{
	struct sockaddr_storage ss;
	socklen_t len = addr_arg(addr, 0, IPPROTO_SCTP, &ss, options);
	struct sockaddr_in *in = (void *)&ss;
	struct sockaddr_in6 *in6 = (void *)&ss;
	int family = ss.ss_family;
	struct timeval tv = { .tv_sec = (time_t)timeout };
	char data[2 * sizeof(PROBE_MESSAGE)] = PROBE_MESSAGE;
	struct iovec iov = { data, strlen(data) };
	struct sctp_sndinfo snd = { 0 };
	struct sctp_rcvinfo rcv = { 0 };
	struct sctp_status st;
	socklen_t stlen = sizeof(st), rcvlen = sizeof(rcv);
	int srv, cli = -1, on = 1, flags = 0;
	unsigned int type;
	ssize_t n;

	lo->addr = addr;
	srv = socket(family, SOCK_SEQPACKET, IPPROTO_SCTP);
	lo->call = srv < 0 ? "socket" : "bind";
	if (srv < 0 || bind(srv, (void *)&ss, len) < 0) {
		lo->skipped = family == AF_INET6 &&
			      (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL);
		goto out;
	}
	/* Have every message come with SCTP_RCVINFO: it names the stream. */
	lo->call = "setsockopt(SCTP_RECVRCVINFO)";
	if (setsockopt(srv, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on)))
		goto out;
	/* One-to-many sockets accept associations only after listen(). */
	lo->call = "listen";
	if (listen(srv, SOMAXCONN) < 0)
		goto out;
	lo->call = "getsockname";
	if (getsockname(srv, (void *)&ss, &len) < 0)
		goto out;
	lo->call = "socket";
	if ((cli = socket(family, SOCK_STREAM, IPPROTO_SCTP)) < 0)
		goto out;
	/* connect() waits up to SO_SNDTIMEO, a receive up to SO_RCVTIMEO. */
	lo->call = "setsockopt(SO_SNDTIMEO, SO_RCVTIMEO)";
	if (setsockopt(cli, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(srv, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		goto out;
	lo->call = "connect";
	if (connect(cli, (void *)&ss, len) < 0) {
		/* Out of time, Linux says the handshake is still going on
		 * (EINPROGRESS): for this check, it timed out. */
		errno = errno == EINPROGRESS ? ETIMEDOUT : errno;
		goto out;
	}
	lo->call = "getsockopt(SCTP_STATUS)";
	if (getsockopt(cli, IPPROTO_SCTP, SCTP_STATUS, &st, &stlen) < 0)
		goto out;
	lo->port = ntohs(family == AF_INET ? in->sin_port : in6->sin6_port);
	lo->in = st.sstat_instrms;
	lo->out = st.sstat_outstrms;

	/* Send on the last outbound stream: proof the count is real. */
	snd.snd_sid = (uint16_t)(st.sstat_outstrms - 1);
	lo->call = "sctp_sendv";
	if (sctp_sendv(cli, &iov, 1, NULL, 0, &snd, sizeof(snd),
		       SCTP_SENDV_SNDINFO, 0) < 0)
		goto out;
	/* A message this short arrives in one piece, MSG_EOR set. */
	memset(data, 0, sizeof(data));
	iov.iov_len = sizeof(data);
	lo->call = "sctp_recvv";
	n = sctp_recvv(srv, &iov, 1, NULL, NULL, &rcv, &rcvlen, &type, &flags);
	if (n < 0) {
		errno = errno == EAGAIN ? ETIMEDOUT : errno; /* SO_RCVTIMEO */
		goto out;
	}
	lo->call = NULL;
	lo->bytes = (size_t)n;
	lo->sid = rcv.rcv_sid;
	lo->whole = (flags & (MSG_EOR | MSG_NOTIFICATION)) == MSG_EOR &&
		    strcmp(data, PROBE_MESSAGE) == 0 && lo->sid == snd.snd_sid;
out:
	lo->error = lo->call != NULL ? errno : 0;
	if (srv >= 0)
		close(srv);
	if (cli >= 0)
		close(cli);
	return lo->skipped || lo->whole;
}

/* Tunable I into VALUE (64 bytes); "" when this kernel has none. */
static const char *
tunable(size_t i, char *value)
{
	file_line(rooted("/proc/sys/net/sctp/%s", tunables[i].name), "", value,
		  64);
	return value;
}

/* The report of a kernel that speaks SCTP, even when a check failed. */
static void
print_supported(const struct facts *fx, const int *sock_error,
		const struct loop *loops, size_t nloops)
{
	char value[64];

	printf("SCTP supported\n  kernel %s, sctp %s\n", fx->release,
	       fx->loaded ? fx->loaded : "built in");
	for (size_t i = 0; i < ARRAY_LEN(styles); i++)
		printf("  socket(AF_INET, %s, IPPROTO_SCTP): %s style, %s\n",
		       styles[i].name, styles[i].style,
		       sock_error[i] ? strerror(sock_error[i]) : "ok");
	for (const struct loop *lo = loops; lo < loops + nloops; lo++) {
		if (lo->out != 0)
			printf("  %s: association ESTABLISHED on port %u, "
			       "streams: %u in, %u out\n",
			       lo->addr, lo->port, lo->in, lo->out);
		if (lo->skipped)
			printf("  %s: not tried, no IPv6 loopback here (%s)\n",
			       lo->addr, strerror(lo->error));
		else if (lo->call != NULL)
			printf("  %s: %s: %s\n", lo->addr, lo->call,
			       strerror(lo->error));
		else
			printf("  %s: a %zu-byte message arrived %s on stream "
			       "%u\n",
			       lo->addr, lo->bytes,
			       lo->whole ? "whole" : "changed", lo->sid);
	}
	printf("kernel tunables (/proc/sys/net/sctp, this network "
	       "namespace):\n");
	for (size_t i = 0; i < ARRAY_LEN(tunables); i++) {
		bool found = tunable(i, value)[0] != '\0';

		printf("  %-24s %6s %-2s  %s\n", tunables[i].name,
		       found ? value : "absent", found ? tunables[i].unit : "",
		       tunables[i].meaning);
	}
}

/* BEFORE, then S as a JSON string; NULL as null. */
static void
json_str(const char *before, const char *s)
{
	fputs(before, stdout);
	if (s == NULL) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s != '\0'; s++)
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < ' ')
			printf("\\u%04x", *s);
		else
			putchar(*s);
	putchar('"');
}

/* The whole answer as one JSON object, for scripts (see sctpcheck(1)). */
static void
print_json(const struct facts *fx, enum diagnosis d, int error,
	   const struct loop *loops, size_t nloops)
{
	char value[64];

	printf("{\"supported\": %s, \"diagnosis\": \"%s\"",
	       d <= LOOPBACK_FAILED ? "true" : "false", diagnoses[d].id);
	json_str(", \"kernel\": ", fx->release);
	json_str(", \"socket_error\": ",
		 error != 0 ? strerrorname_np(error) : NULL);
	printf(",\n \"blacklist\": [");
	for (int i = 0; i < fx->nblocks; i++)
		json_str(i > 0 ? ", " : "", fx->blocks[i].where);
	printf("],\n \"loopback\": [");
	for (const struct loop *lo = loops; lo < loops + nloops; lo++) {
		printf("%s\n  {\"address\": \"%s\", \"ok\": %s, "
		       "\"skipped\": %s, \"port\": %u, \"streams_in\": %u, "
		       "\"streams_out\": %u, \"bytes\": %zu, \"stream\": %u",
		       lo > loops ? "," : "", lo->addr,
		       lo->whole ? "true" : "false",
		       lo->skipped ? "true" : "false", lo->port, lo->in,
		       lo->out, lo->bytes, lo->sid);
		json_str(", \"failed_call\": ", lo->call);
		json_str(", \"error\": ",
			 lo->error ? strerrorname_np(lo->error) : NULL);
		printf("}");
	}
	printf("],\n \"tunables\": {");
	for (size_t i = 0; i < ARRAY_LEN(tunables); i++) {
		printf("%s\n  \"%s\": ", i > 0 ? "," : "", tunables[i].name);
		/* Numbers as numbers, cookie_hmac_alg's name as a string. */
		if (tunable(i, value)[0] != '\0' &&
		    value[strspn(value, "0123456789")] == '\0')
			fputs(value, stdout);
		else
			json_str("", value[0] != '\0' ? value : NULL);
	}
	printf("}}\n");
}

int
main(int argc, char *argv[])
{
	struct facts fx = { .loaded = NULL };
	struct loop loops[2] = { { 0 } };
	int sock_error[ARRAY_LEN(styles)] = { 0 }, fd, opt;
	enum diagnosis d = SUPPORTED;
	unsigned long timeout = LOOPBACK_TIMEOUT_S;
	const char *root = "";
	bool json = false;
	size_t nloops = 0;
	struct utsname u;

	if (uname(&u) < 0)
		err(1, "uname");
	snprintf(fx.release, sizeof(fx.release), "%s", u.release);
	while ((opt = next_opt(argc, argv, ":jR:k:t:h", options)) != -1) {
		if (opt == 'j')
			json = true;
		else if (opt == 'R')
			root = strcmp(optarg, "/") == 0 ? "" : optarg;
		else if (opt == 'k')
			snprintf(fx.release, sizeof(fx.release), "%s", optarg);
		else if (opt == 't')
			timeout = number_arg(optarg, "timeout", 1,
					     MAX_TIMEOUT_S, options);
	}
	read_facts(&fx, root);

	/* Not loaded: socket() would make the kernel load it. Change
	 * nothing, diagnose from the files alone. */
	if (fx.modules && fx.loaded == NULL)
		d = diagnose(&fx, 0);
	for (size_t i = 0; d == SUPPORTED && i < ARRAY_LEN(styles); i++) {
		fd = socket(AF_INET, styles[i].type, IPPROTO_SCTP);
		if (fd >= 0) {
			close(fd);
			continue;
		}
		sock_error[i] = errno;
		d = i == 0 ? diagnose(&fx, errno) : LOOPBACK_FAILED;
	}
	/* sctp_sendv() cannot pass MSG_NOSIGNAL: a send to an association
	 * that is gone must fail with EPIPE, not kill the check. */
	signal(SIGPIPE, SIG_IGN);
	for (; d <= LOOPBACK_FAILED && nloops < ARRAY_LEN(loops); nloops++)
		if (!loopback(&loops[nloops], nloops ? "::1" : "127.0.0.1",
			      timeout))
			d = LOOPBACK_FAILED;

	if (json) {
		print_json(&fx, d, sock_error[0], loops, nloops);
	} else {
		/* SCTP there: the report. Anything wrong: why, what to do. */
		if (d <= LOOPBACK_FAILED)
			print_supported(&fx, sock_error, loops, nloops);
		if (d != SUPPORTED)
			print_diagnosis(&fx, d, sock_error[0]);
	}
	return d == SUPPORTED ? 0 : 1;
}
