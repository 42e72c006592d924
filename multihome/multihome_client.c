/* SPDX-License-Identifier: 0BSD */
/*
 * multihome_client - multihoming, client side: one association over
 * several paths, and what happens to it when the primary path dies.
 *
 * sctp_connectx() hands the kernel every address of the server at once;
 * each peer address is a path. Data goes to the primary; when it stops
 * answering, a retransmission timer expires, the path is "potentially
 * failed" and the kernel sends on another one. The application never
 * reconnects: it sees events, and its messages keep arriving, in order.
 *
 * It sends a numbered message every 1/RATE seconds and prints one
 * timestamped line per echo (its number, the server address it came
 * from, its stream) and one per event (SCTP_PEER_ADDR_CHANGE names the
 * path): multihome/failover.sh reads the failover out of them. COMM_LOST
 * ends it with exit status 3. The -T settings decide how fast it goes.
 *
 * Try:
 *   terminal 1: multihome/multihome_server -a 127.0.0.1 -a 127.0.0.2
 *   terminal 2: multihome/multihome_client -a 127.0.0.2 -a 127.0.0.1 -c 40
 *   then, as root, break the primary path (and delete the table after):
 *     nft add table inet lab
 *     nft add chain inet lab in '{ type filter hook input priority 0; }'
 *     nft add rule inet lab in ip daddr 127.0.0.2 sctp dport 3016 drop
 *
 * Read: sctp_connectx(3), sctp_getpaddrs(3), sctp(7), RFC 6458 sections
 * 8.1.9 (SCTP_PRIMARY_ADDR) and 6.1.2 (SCTP_PEER_ADDR_CHANGE), RFC 9260
 * section 8 (fault management), RFC 7829 (potentially failed paths).
 */
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "multihome.h"

#define DEFAULT_RATE 20 /* messages a second: one every 50 ms */
#define MAX_RATE 1000	/* a steady stream, not a flood */
#define EXIT_LOST 3	/* the association is gone (COMM_LOST) */

static const char options[] =
	"-a ADDR [-a ADDR]... [-p PORT] [-P ADDR] [-r RATE] [-c COUNT]\n"
	"       [-s STREAM] [-T NAME=VALUE]... [-h]\n"
	"  -a ADDR        a server address (repeat it: one per path)\n"
	"  -p PORT        server port (default 3016)\n"
	"  -P ADDR        make ADDR the primary path (SCTP_PRIMARY_ADDR)\n"
	"  -r RATE        messages per second (default 20)\n"
	"  -c COUNT       stop after COUNT messages (default: never)\n"
	"  -s STREAM      stream to send on (default 0)\n"
	"  -T NAME=VALUE  path-failure setting (times in ms):\n"
	"                 " TUNING_NAMES ", max_init_retransmits\n"
	"  -h             this help (also --help)\n"
	"Ctrl-C stops sending; the client exits once the last echo is in.\n"
	"Exit status 3: the association was lost (COMM_LOST).\n";

/* Ctrl-C or SIGTERM: stop sending; a second one: stop waiting too. */
static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop++;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One socket, set up, connected to every -a address at once. */
static int
connect_all(struct common_args *a, sctp_assoc_t *id)
{
	/* sctp_connectx() takes the addresses end to end, each its size. */
	struct sockaddr_in6 packed[MAX_ADDRS]; /* room for the largest */
	char list[MAX_ADDRS * (INET6_ADDRSTRLEN + 1)] = "";
	struct sockaddr_storage ss;
	size_t used = 0;
	int family = AF_INET, fd;

	for (int i = 0; i < a->n; i++) {
		socklen_t len = addr_arg(a->hosts[i], a->port, IPPROTO_SCTP,
					 &ss, options);

		memcpy((char *)packed + used, &ss, len);
		used += len;
		if (ss.ss_family == AF_INET6)
			family = AF_INET6;
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s ", a->hosts[i]);
	}
	fd = socket(family, SOCK_STREAM, IPPROTO_SCTP);
	if (fd < 0)
		err(1, "socket");
	setup_socket(fd, family, &a->t);
	/*
	 * One INIT goes out, to the first address (the others are tried if
	 * it gets no answer). Blocks until the association is up or the
	 * INIT retries run out: rto_initial, doubling, max_init_retransmits
	 * times.
	 */
	if (sctp_connectx(fd, (struct sockaddr *)packed, a->n, id) < 0)
		err(1, "sctp_connectx %sport %u", list, a->port);
	return fd;
}

/* Both ends' address sets, -P, and what the kernel calls the primary. */
static void
show_paths(int fd, sctp_assoc_t id, const struct sockaddr_storage *primary)
{
	struct sctp_prim prim = { .ssp_assoc_id = id };
	char text[ADDR_STRLEN];
	socklen_t len = sizeof(prim);

	print_addrs(fd, id, false, "");
	print_addrs(fd, id, true, "");
	if (primary->ss_family != AF_UNSPEC) {
		memcpy(&prim.ssp_addr, primary, sizeof(*primary));
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_PRIMARY_ADDR, &prim,
			       sizeof(prim)) < 0)
			err(1, "setsockopt SCTP_PRIMARY_ADDR %s",
			    addr_str((const void *)primary, text));
	}
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_PRIMARY_ADDR, &prim, &len) < 0)
		err(1, "getsockopt SCTP_PRIMARY_ADDR");
	printf("primary path (SCTP_PRIMARY_ADDR): %s\n",
	       addr_str((struct sockaddr *)&prim.ssp_addr, text));
}

/*
 * Read one message: print the event or the echo. Returns -1 to go on,
 * or the exit status: the association lost, or closed by the server.
 * *LAST gets the number of the echo.
 */
static int
receive(int fd, unsigned long *last)
{
	static union {
		union sctp_notification sn; /* aligns the buffer for it */
		char data[1024];	    /* ours are a decimal number */
	} in;
	struct sctp_rcvinfo info = { 0 };
	struct sockaddr_storage from;
	char now[CLOCK_LEN], text[ADDR_STRLEN], *end;
	int flags, state;
	ssize_t n = recv_msg(fd, in.data, sizeof(in.data) - 1, &info, &flags,
			     &from);

	if (n < 0 && (errno == EINTR || errno == EMSGSIZE))
		return -1; /* a signal; or no echo of ours, too big */
	if (n < 0)
		err(1, "recvmsg");
	if (n == 0) { /* after its SHUTDOWN_EVENT and SHUTDOWN_COMP */
		warnx("the server closed the association");
		return 1;
	}
	if (flags & MSG_NOTIFICATION) {
		state = print_event(&in.sn, (size_t)n);
		if (state != SCTP_COMM_LOST && state != SCTP_CANT_STR_ASSOC)
			return -1;
		warnx("association lost (COMM_LOST); not reconnecting");
		return EXIT_LOST;
	}
	in.data[n] = '\0';
	errno = 0;
	*last = strtoul(in.data, &end, 10);
	if (in.data[0] < '0' || in.data[0] > '9' || *end || errno)
		warnx("an echo that is not one of our numbers (%zd bytes)", n);
	else
		printf("%s echo %lu from %s on stream %u\n",
		       clock_str(now, sizeof(now)), *last,
		       addr_str((struct sockaddr *)&from, text), info.rcv_sid);
	fflush(stdout);
	return -1;
}

int
main(int argc, char **argv)
{
	struct common_args a = { .port = MULTIHOME_PORT };
	struct sockaddr_storage primary = { .ss_family = AF_UNSPEC };
	const char *primary_host = NULL;
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned long rate = DEFAULT_RATE, count = 0, seq = 0, last = 0;
	uint16_t stream = 0;
	int opt, fd, status = -1;
	sctp_assoc_t id;
	int64_t next;
	char now[CLOCK_LEN], text[24];

	while ((opt = next_opt(argc, argv, ":a:p:P:r:c:s:T:h", options)) !=
	       -1) {
		if (opt == 'P')
			primary_host = optarg;
		else if (opt == 'r')
			rate = number_arg(optarg, "rate", 1, MAX_RATE, options);
		else if (opt == 'c')
			count = number_arg(optarg, "count", 1, UINT32_MAX,
					   options);
		else if (opt == 's')
			stream = (uint16_t)number_arg(optarg, "stream", 0,
						      UINT16_MAX - 1, options);
		else
			common_opt(opt, &a, options);
	}
	if (a.n == 0)
		usage_error(options, "-a", "give the server's addresses");
	/* -P before -p is fine: the port is known only now. */
	if (primary_host)
		addr_arg(primary_host, a.port, IPPROTO_SCTP, &primary, options);
	/* No SA_RESTART: the signal must wake poll() to stop the run. */
	if (sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGTERM, &sa, NULL) < 0)
		err(1, "sigaction");

	fd = connect_all(&a, &id);
	show_paths(fd, id, &primary);
	print_settings(fd, id);
	printf("sending a numbered message every %lu ms on stream %u\n",
	       1000 / rate, stream);
	fflush(stdout);

	next = now_ms();
	while (status < 0 && stop < 2) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int64_t ms = now_ms(), wait;
		bool sending = !stop && (count == 0 || seq < count);

		if (!sending && last >= seq)
			break; /* every echo is in */
		if (sending && ms >= next) {
			int len = snprintf(text, sizeof(text), "%lu", seq + 1);

			/* A full buffer (every path down) skips this tick. */
			if (send_msg(fd, text, (size_t)len, stream, 0, 0, 0) ==
			    0)
				seq++;
			else if (errno != EAGAIN)
				warn("sendmsg"); /* its event says why */
			/* Behind (a slow machine)? Skip ticks, never burst. */
			next += 1000 / (int64_t)rate;
			if (next < ms)
				next = ms + 1000 / (int64_t)rate;
		}
		wait = sending ? next - now_ms() : -1;
		/* A signal (EINTR) leaves revents 0: round again, to stop. */
		if (poll(&pfd, 1, sending && wait < 0 ? 0 : (int)wait) < 0 &&
		    errno != EINTR)
			err(1, "poll");
		if (pfd.revents)
			status = receive(fd, &last);
	}
	/* How far it got: failover.sh counts the echoes against it. */
	printf("%s stopped sending after message %lu\n",
	       clock_str(now, sizeof(now)), seq);
	/* Graceful SHUTDOWN: every echo is in, nothing left to deliver. */
	close(fd);
	return status < 0 ? 0 : status;
}
