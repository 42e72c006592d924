/* SPDX-License-Identifier: 0BSD */
/*
 * sctp_events.c - a server that subscribes to every SCTP notification and
 * prints each one as a line of words, with the data kept apart.
 *
 * Notifications are how an SCTP application learns what happens to its
 * associations: one comes up, a path to the peer fails and heals, the peer
 * shuts down or aborts, a message could not be delivered. They arrive on
 * the socket among the data, flagged MSG_NOTIFICATION, and like data they
 * can arrive in parts: only the part with MSG_EOR ends one. This server
 * subscribes with SCTP_EVENT, one setsockopt() per type (events.h), reads
 * with recvmsg() and prints each notification as sn_decode() (decode.c)
 * words it: "TIME TYPE assoc=ID field=value ...". It makes nothing
 * happen: provoke.c, its peer, does.
 *
 * Try (two terminals):
 *   $ events/sctp_events -a 127.0.0.1 -p 9999
 *   $ events/provoke -a 127.0.0.1 -p 9999 -m hello -t 1
 * Both print COMM_UP; the server prints the DATA, SHUTDOWN_EVENT and
 * SHUTDOWN_COMP. events/README.md has a scenario for every type.
 *
 * Read: sctp(7); RFC 6458 sections 6 (notifications) and 6.2.2
 * (SCTP_EVENT); sctp_bindx(3); /usr/include/linux/sctp.h.
 */
#include <unistd.h>

#include "events.h"

#define ADDRS_MAX 8
/* After EOF, how often and how many times to look for the last event. */
#define TICK_NS (10 * 1000 * 1000)
#define TICKS 100

static const char options[] =
	"[-a ADDR]... [-p PORT] [-S] [-e TYPES] [-v] [-D BYTES]\n"
	"          [-k KEY:SECRET]...\n"
	"  -a ADDR   address to listen on (repeat to multihome; default: all)\n"
	"  -p PORT   port (default 0: the kernel picks one)\n"
	"  -S        one-to-one style: a process per association\n"
	"  -e TYPES  subscribe only to these, e.g. "
	"ASSOC_CHANGE,SHUTDOWN_EVENT\n"
	"  -v        a hex dump under each notification\n"
	"  -D BYTES  partial delivery point: bigger messages come in parts\n"
	"  -k KEY:SECRET  an AUTH shared key; DATA must be signed\n"
	"  -h        this help (also --help)\n";

/* -e: the bits subscribe() wants, one per type named in LIST. */
static unsigned long
types_arg(char *list)
{
	unsigned long want = 0;

	for (char *name = strtok(list, ","); name; name = strtok(NULL, ",")) {
		unsigned t = SCTP_ASSOC_CHANGE;

		while (t <= SCTP_SN_TYPE_MAX && strcmp(sn_type_name(t), name))
			t++;
		if (t > SCTP_SN_TYPE_MAX)
			usage_error(options, "-e", "unknown type name");
		want |= 1UL << (t - SCTP_ASSOC_CHANGE);
	}
	return want;
}

/* Print what arrives on FD until a signal or, if ONE (a one-to-one
 * socket), until its association is over. Anything left unread would make
 * close() ABORT the associations instead of shutting them down (as TCP
 * does, sctp(7)): once told to stop, read and print the rest first. */
static void
watch(int fd, bool verbose, bool one)
{
	int ticks = 0;
	bool over;
	ssize_t n;

	while (!stop) {
		n = show(fd, verbose, &over);
		if (one && over)
			return;
		if (n < 0 && errno != EINTR) {
			/* One-to-one: reset by an ABORT, after its event. */
			warn("recvmsg");
			return;
		} else if (n == 0) {
			/* EOF: the peer shut down, but its SHUTDOWN-COMPLETE
			 * (SHUTDOWN_COMP) may be on its way, and poll() cannot
			 * wait for it (a socket at EOF stays readable). */
			if (++ticks > TICKS)
				return;
			nanosleep(&(struct timespec){ 0, TICK_NS }, NULL);
		}
	}
	drain(fd, verbose);
}

int
main(int argc, char **argv)
{
	char *addrs[ADDRS_MAX] = { NULL }, *keys[KEYS_MAX];
	int naddrs = 0, nkeys = 0, opt, fd, type = SOCK_SEQPACKET;
	unsigned long port = 0, pd_point = 0, want = ~0UL;
	bool verbose = false;
	struct sockaddr_storage ss;

	while ((opt = next_opt(argc, argv, ":a:p:Se:vD:k:h", options)) != -1) {
		switch (opt) {
		case 'a':
			if (naddrs == ADDRS_MAX)
				usage_error(options, "-a", "too many");
			addrs[naddrs++] = optarg;
			break;
		case 'p':
			port = number_arg(optarg, "-p", 0, 65535, options);
			break;
		case 'S':
			type = SOCK_STREAM;
			break;
		case 'e':
			want = types_arg(optarg);
			break;
		case 'v':
			verbose = true;
			break;
		case 'D':
			pd_point =
				number_arg(optarg, "-D", 1, INT32_MAX, options);
			break;
		case 'k':
			key_arg(optarg, keys, &nkeys, options);
			break;
		}
	}
	catch_signals();
	/* -S: each association's process exits on its own; none to wait for. */
	signal(SIGCHLD, SIG_IGN);

	socklen_t len = addr_arg(addrs[0], port, IPPROTO_SCTP, &ss, options);
	fd = socket(ss.ss_family, type, IPPROTO_SCTP);
	if (fd < 0)
		err(1, "socket");
	if (pd_point &&
	    setsockopt(fd, IPPROTO_SCTP, SCTP_PARTIAL_DELIVERY_POINT,
		       &(uint32_t){ pd_point }, sizeof(uint32_t)) < 0)
		err(1, "setsockopt SCTP_PARTIAL_DELIVERY_POINT");
	add_keys(fd, keys, nkeys);
	subscribe(fd, want);
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		err(1, "bind %s", addrs[0] ? addrs[0] : "(every address)");
	/* Further addresses join on the port the first one got (-p 0). */
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		err(1, "getsockname");
	port = ntohs(((struct sockaddr_in *)&ss)->sin_port); /* also in 6 */
	for (int i = 1; i < naddrs; i++) {
		addr_arg(addrs[i], port, IPPROTO_SCTP, &ss, options);
		if (sctp_bindx(fd, (struct sockaddr *)&ss, 1,
			       SCTP_BINDX_ADD_ADDR) < 0)
			err(1, "sctp_bindx %s", addrs[i]);
	}
	if (listen(fd, SOMAXCONN) < 0)
		err(1, "listen");
	print_listening(fd);
	if (type == SOCK_SEQPACKET) {
		/* One-to-many: every association's events on this socket. */
		watch(fd, verbose, false);
		return 0;
	}
	while (!stop) {
		/* One-to-one: a socket per association, which inherits the
		 * subscriptions; a process each, so none waits for another. */
		int c = accept(fd, NULL, NULL);

		if (c < 0) {
			if (!stop)
				accept_failed();
			continue;
		}
		pid_t pid = fork();

		if (pid == 0) {
			close(fd);
			watch(c, verbose, true);
			_exit(0);
		}
		if (pid < 0)
			warn("fork");
		close(c);
	}
	return 0;
}
