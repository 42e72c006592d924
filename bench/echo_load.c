/* SPDX-License-Identifier: 0BSD */
/*
 * echo_load - many echo clients in one process: N associations (or TCP
 * connections) to one echo server, each with one message in flight, all
 * driven by a single poll() loop. It counts round trips per second and
 * their latency; then (-H) it holds the N associations open, idle, so
 * that the server's memory can be read.
 *
 * One process instead of N echo_client processes: under emulation, a
 * hundred processes cost more CPU than the server they are meant to load,
 * and a thousand would not fit. Each client sends LENGTH bytes, waits for
 * all of them to come back (SCTP: one message, up to MSG_EOR; TCP: LENGTH
 * bytes in any pieces), checks them, and sends again.
 *
 * Try:
 *   terminal 1: echo/echo_server_many -p 2013
 *   terminal 2: bench/echo_load -p 2013 -n 100 -l 64 -t 3
 *               bench/echo_load -p 2013 -n 1000 -t 0 -H (Ctrl-C ends it)
 *
 * Output, for scripts:
 *   "connected N in SECONDS s (R refused and tried again)"
 *   "round trips R in SECONDS s: RATE per second, p50 US us, p99 US us"
 *   "holding N" (-H; SIGINT or SIGTERM closes them all and exits 0)
 *
 * Read: poll(2), connect(2) (EINPROGRESS), sctp(7) (SCTP_NODELAY),
 * getrlimit(2) (RLIMIT_NOFILE).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <netinet/tcp.h>
#include <sys/resource.h>

#include "util.h"

#define DEFAULT_CLIENTS 1
#define MAX_CLIENTS 10000
#define DEFAULT_LENGTH 64
/* The echo servers echo messages up to their send buffer; 64 KiB fits. */
#define MAX_LENGTH 65536
#define DEFAULT_SECONDS 3
#define MAX_SECONDS 3600
/* Connections being set up at once: below the servers' listen backlog. */
#define CONNECT_BATCH 64
/* Refused connects to try again, in all, and the pause before each. */
#define MAX_REFUSED 100000
#define REFUSED_PAUSE_MS 10
/* Give up on a server that does not answer a connect within this. */
#define CONNECT_TIMEOUT_MS 30000
/* A 64 KiB SCTP message must fit the send buffer (else EMSGSIZE). */
#define SNDBUF_WANTED (1024 * 1024)
/* After the run, wait this long at most for the echoes in flight. */
#define DRAIN_MS 5000
/* poll() wakes up at least this often to look at the clock. */
#define POLL_MS 100
#define NSEC_PER_SEC 1000000000LL
#define NSEC_PER_MSEC 1000000LL
#define NSEC_PER_USEC 1000

struct client {
	int fd;
	size_t sent, got; /* bytes of the current message out and back */
	int64_t start;	  /* when its first byte went */
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char options[] =
	"[-T] [-a ADDR] -p PORT [-n CLIENTS] [-l LENGTH] [-t SECONDS] [-H]\n"
	"  -T          TCP instead of SCTP\n"
	"  -a ADDR     server address (default 127.0.0.1)\n"
	"  -p PORT     server port\n"
	"  -n CLIENTS  associations, each with one message in flight "
	"(default 1)\n"
	"  -l LENGTH   bytes per message (default 64)\n"
	"  -t SECONDS  how long to measure (default 3)\n"
	"  -H          hold the associations idle until SIGINT/SIGTERM\n"
	"  -h          this help (also --help)\n";

/* Monotonic time in nanoseconds. */
static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* A thousand sockets need more than the usual soft limit of 1024. */
static void
raise_fd_limit(unsigned long clients)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		err(1, "getrlimit");
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		err(1, "setrlimit");
	if (rl.rlim_cur < clients + 16)
		errx(1,
		     "%lu clients need more descriptors than the %lu "
		     "allowed (ulimit -Hn)",
		     clients, (unsigned long)rl.rlim_cur);
}

/* A nonblocking socket with its connect() started. */
static int
start_connect(const struct sockaddr_storage *ss, socklen_t sslen, int proto)
{
	int fd, on = 1, size = SNDBUF_WANTED;

	fd = socket(ss->ss_family, SOCK_STREAM, proto);
	if (fd < 0)
		err(1, "socket");
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)) < 0)
		err(1, "setsockopt SO_SNDBUF");
	/* One small message at a time: never wait to fill a packet. */
	if (proto == IPPROTO_SCTP &&
	    setsockopt(fd, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof(on)) < 0)
		err(1, "setsockopt SCTP_NODELAY");
	if (proto == IPPROTO_TCP &&
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) < 0)
		err(1, "setsockopt TCP_NODELAY");
	if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		err(1, "fcntl O_NONBLOCK");
	if (connect(fd, (const struct sockaddr *)ss, sslen) < 0 &&
	    errno != EINPROGRESS)
		err(1, "connect");
	return fd;
}

/*
 * Connect N clients, at most CONNECT_BATCH of them under way at once. A
 * one-to-one server that has not yet accept()ed a full backlog of
 * associations makes the kernel refuse more (ECONNREFUSED): such a client
 * waits a moment and tries again.
 */
static void
connect_all(struct client *c, unsigned long n,
	    const struct sockaddr_storage *ss, socklen_t sslen, int proto,
	    struct pollfd *pfd)
{
	unsigned long connected = 0, next = 0, refused = 0;
	unsigned long waiting[CONNECT_BATCH];
	size_t nwaiting = 0;
	int64_t t0 = now_ns();

	while (connected < n) {
		while (next < n && nwaiting < CONNECT_BATCH) {
			c[next].fd = start_connect(ss, sslen, proto);
			waiting[nwaiting++] = next++;
		}
		for (size_t j = 0; j < nwaiting; j++)
			pfd[j] = (struct pollfd){ .fd = c[waiting[j]].fd,
						  .events = POLLOUT };
		int r = poll(pfd, nwaiting, CONNECT_TIMEOUT_MS);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			err(1, "poll");
		if (r == 0)
			errx(1, "connect: no answer within %d ms",
			     CONNECT_TIMEOUT_MS);
		/* Backwards, so the last entry moved into a finished one's
		 * place has been looked at already. */
		for (size_t j = nwaiting; j-- > 0;) {
			unsigned long i = waiting[j];
			int e = 0;
			socklen_t len = sizeof(e);

			if (pfd[j].revents == 0)
				continue;
			if (getsockopt(c[i].fd, SOL_SOCKET, SO_ERROR, &e,
				       &len) < 0)
				err(1, "getsockopt SO_ERROR");
			if (e == ECONNREFUSED && ++refused <= MAX_REFUSED) {
				close(c[i].fd);
				poll(NULL, 0, REFUSED_PAUSE_MS);
				c[i].fd = start_connect(ss, sslen, proto);
				continue;
			}
			if (e != 0) {
				errno = e;
				err(1, "connect (client %lu)", i);
			}
			connected++;
			waiting[j] = waiting[--nwaiting];
		}
	}
	printf("connected %lu in %.3f s (%lu refused and tried again)\n", n,
	       (double)(now_ns() - t0) / NSEC_PER_SEC, refused);
}

/* Send what is left of the current message; -1 if the peer is gone. */
static int
send_more(struct client *c, const unsigned char *msg, size_t length)
{
	ssize_t n;

	if (c->sent == 0)
		c->start = now_ns();
	/* An SCTP message goes whole or not at all (EAGAIN). */
	n = send(c->fd, msg + c->sent, length - c->sent, MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0)
		return -1;
	c->sent += (size_t)n;
	return 0;
}

/* Read what has come back; 1 when the whole echo is in, -1 on error. */
static int
receive_more(struct client *c, const unsigned char *msg, size_t length,
	     unsigned char *buf)
{
	struct iovec iov = { .iov_base = buf, .iov_len = MAX_LENGTH };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n = recvmsg(c->fd, &mh, 0);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return -1;
	if (mh.msg_flags & MSG_NOTIFICATION)
		return 0;
	if (c->got + (size_t)n > length ||
	    memcmp(buf, msg + c->got, (size_t)n) != 0)
		errx(1, "an echo that is not what was sent");
	c->got += (size_t)n;
	return c->got == length;
}

static int
compare_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void
run_load(struct client *c, unsigned long n, size_t length,
	 unsigned long seconds, struct pollfd *pfd)
{
	unsigned char *msg = malloc(length), *buf = malloc(MAX_LENGTH);
	size_t cap = 1 << 16, count = 0;
	int64_t *rtt = malloc(cap * sizeof(*rtt)), start, deadline, now,
		end = 0;
	unsigned long busy;

	if (msg == NULL || buf == NULL || rtt == NULL)
		err(1, "malloc");
	for (size_t i = 0; i < length; i++)
		msg[i] = (unsigned char)('a' + i % 26);
	for (unsigned long i = 0; i < n; i++) {
		c[i].sent = c[i].got = 0;
		if (send_more(&c[i], msg, length) < 0)
			err(1, "send (client %lu)", i);
	}
	start = now = now_ns();
	deadline = start + (int64_t)seconds * NSEC_PER_SEC;
	/*
	 * After the deadline no client sends again, and the loop goes on
	 * until every echo in flight is back (or DRAIN_MS passes): closing
	 * a socket with an echo still coming would reset the connection
	 * and make the server warn.
	 */
	busy = n;
	while (busy > 0 && !stop && now < deadline + DRAIN_MS * NSEC_PER_MSEC) {
		int measuring = now < deadline;

		for (unsigned long i = 0; i < n; i++)
			pfd[i] = (struct pollfd){
				.fd = c[i].sent == 0 ? -1 : c[i].fd,
				.events = c[i].sent < length ? POLLOUT : POLLIN
			};
		int r = poll(pfd, n, POLL_MS);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			err(1, "poll");
		for (unsigned long i = 0; i < n && r > 0; i++) {
			struct client *k = &c[i];
			int done;

			if (pfd[i].revents == 0)
				continue;
			r--;
			if (k->sent < length) {
				if (send_more(k, msg, length) < 0)
					err(1, "send (client %lu)", i);
				continue;
			}
			done = receive_more(k, msg, length, buf);
			if (done < 0)
				errx(1,
				     "client %lu: the server closed or "
				     "failed",
				     i);
			if (!done)
				continue;
			k->sent = k->got = 0;
			if (!measuring) {
				busy--;
				continue;
			}
			if (count == cap) {
				cap *= 2;
				rtt = realloc(rtt, cap * sizeof(*rtt));
				if (rtt == NULL)
					err(1, "realloc");
			}
			rtt[count++] = now_ns() - k->start;
			if (send_more(k, msg, length) < 0)
				err(1, "send (client %lu)", i);
		}
		now = now_ns();
		if (measuring && now >= deadline)
			end = now;
	}
	if (end == 0)
		end = now;
	double secs = (double)(end - start) / NSEC_PER_SEC;
	if (count == 0)
		errx(1, "no round trip completed in %.1f s", secs);
	qsort(rtt, count, sizeof(*rtt), compare_int64);
	printf("round trips %zu in %.3f s: %.1f per second, p50 %" PRId64
	       " us, p99 %" PRId64 " us\n",
	       count, secs, (double)count / secs,
	       rtt[(count - 1) / 2] / NSEC_PER_USEC,
	       rtt[(count * 99 + 99) / 100 - 1] / NSEC_PER_USEC);
	free(msg);
	free(buf);
	free(rtt);
}

int
main(int argc, char **argv)
{
	const char *host = "127.0.0.1";
	unsigned long port = 0, n = DEFAULT_CLIENTS, length = DEFAULT_LENGTH;
	unsigned long seconds = DEFAULT_SECONDS;
	int proto = IPPROTO_SCTP, hold = 0, opt;
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct client *c;
	struct pollfd *pfd;
	struct sigaction sa;

	while ((opt = next_opt(argc, argv, ":Ta:p:n:l:t:Hh", options)) != -1) {
		if (opt == 'T')
			proto = IPPROTO_TCP;
		else if (opt == 'a')
			host = optarg;
		else if (opt == 'p')
			port = number_arg(optarg, "port", 0, 65535, options);
		else if (opt == 'n')
			n = number_arg(optarg, "clients", 1, MAX_CLIENTS,
				       options);
		else if (opt == 'l')
			length = number_arg(optarg, "length", 1, MAX_LENGTH,
					    options);
		else if (opt == 't')
			seconds = number_arg(optarg, "seconds", 0, MAX_SECONDS,
					     options);
		else
			hold = 1;
	}
	if (port == 0)
		usage_error(options, "-p", "give the server's port");
	sslen = addr_arg(host, (unsigned)port, proto, &ss, options);
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	if (sigaction(SIGINT, &sa, NULL) < 0 ||
	    sigaction(SIGTERM, &sa, NULL) < 0)
		err(1, "sigaction");
	raise_fd_limit(n);
	c = calloc(n, sizeof(*c));
	pfd = calloc(n, sizeof(*pfd));
	if (c == NULL || pfd == NULL)
		err(1, "calloc");

	connect_all(c, n, &ss, sslen, proto, pfd);
	if (seconds > 0)
		run_load(c, n, length, seconds, pfd);
	if (hold) {
		sigset_t block, old;

		/* Blocked until sigsuspend(), so a signal cannot slip in
		 * between the test of stop and the wait. */
		sigemptyset(&block);
		sigaddset(&block, SIGINT);
		sigaddset(&block, SIGTERM);
		if (sigprocmask(SIG_BLOCK, &block, &old) < 0)
			err(1, "sigprocmask");
		printf("holding %lu\n", n);
		while (!stop)
			sigsuspend(&old);
	}
	for (unsigned long i = 0; i < n; i++)
		close(c[i].fd);
	free(c);
	free(pfd);
	return 0;
}
