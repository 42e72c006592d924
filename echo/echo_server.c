/* SPDX-License-Identifier: 0BSD */
/*
 * echo_server.c - an SCTP echo server, one-to-one style (SOCK_STREAM).
 *
 * A TCP server becomes an SCTP server by changing IPPROTO_TCP to
 * IPPROTO_SCTP in socket(): built with -DUSE_TCP this file is
 * tcp_echo_server, and PROTOCOL is all that differs. SCTP adds whole
 * messages, with their streams (SCTP_RCVINFO). A child per association,
 * blocking calls, as TCP servers are taught: a client that never reads
 * stalls only its own child. Try: echo/echo_server -v, then echo_client.
 * Read: sctp(7), accept(2), fork(2), RFC 6458 sections 5.3.4 and 5.3.5.
 */
#include <signal.h>
#include <unistd.h>
#include <sys/prctl.h>

#include "util.h"

#ifdef USE_TCP
#define PROTOCOL IPPROTO_TCP /* tcp_echo_server */
#else
#define PROTOCOL IPPROTO_SCTP
#endif
#include "echo.h"

static volatile sig_atomic_t stop, assoc_fd = -1;
static int verbose;

/* SIGINT, SIGTERM: the parent goes, so each child gets SIGTERM (prctl) and
 * SHUTDOWNs its association (close() would ABORT it with data unread). */
static void
on_signal(int sig)
{
	(void)sig;
	if (assoc_fd < 0)
		_exit(0);
	stop = 1;
	shutdown(assoc_fd, SHUT_WR);
}

/* The child: echo every message on FD back on its stream, until EOF,
 * then close FD: SHUTDOWN, or ABORT if data is left unread. Closed here,
 * not by exit(): an ended association stays in the kernel, holding its
 * ports, until its socket is closed. */
static void
echo_assoc(int fd, const char *peer)
{
	static char buf[MAX_MESSAGE];
	struct sctp_rcvinfo info;
	unsigned long count = 0;
	int flags;
	ssize_t n;

	while ((n = recv_msg(fd, buf, sizeof(buf), &info, &flags)) != 0) {
		/* EMSGSIZE: over MAX_MESSAGE; ENOTCONN: after our SHUTDOWN */
		if (n < 0 && !stop)
			warn("%s: recv", peer);
		if (n < 0)
			break;
		if (verbose)
			printf("%s: %zd bytes on stream %u\n", peer, n,
			       info.rcv_sid);
		if (stop)
			continue; /* we sent SHUTDOWN: nothing can go back */
		/* Back on its stream, ordered or not as it came. */
		if (send_msg(fd, buf, (size_t)n, info.rcv_sid, info.rcv_ppid,
			     info.rcv_flags & SCTP_UNORDERED, 0)) {
			warn("%s: send", peer);
			break;
		}
		count++;
	}
	close(fd);
	printf("closed %s after %lu messages\n", peer, count);
}

static const char options[] =
	"[-a ADDR] [-p PORT] [-i STREAMS] [-o STREAMS] [-v] [-h]\n"
	"  -a ADDR     address to listen on (default: every address)\n"
	"  -p PORT     port (default 2013; 0: the kernel picks)\n"
	"  -i STREAMS  inbound streams to accept (default 10)\n"
	"  -o STREAMS  outbound streams to offer (default 10)\n"
	"  -v          print every message\n"
	"  -h          this help (also --help)\n";

int
main(int argc, char **argv)
{
	unsigned long port = 2013, in = 10, out = 10; /* Linux's 10 streams */
	const char *addr = NULL;
	struct sockaddr_storage ss;
	pid_t pid, parent = getpid();
	char peer[ADDR_STRLEN];
	socklen_t len;
	int opt, lfd, fd;

	while ((opt = next_opt(argc, argv, ":a:p:i:o:vh", options)) != -1) {
		if (opt == 'a')
			addr = optarg;
		else if (opt == 'p')
			port = number_arg(optarg, "port", 0, 65535, options);
		else if (opt == 'i')
			in = number_arg(optarg, "streams", 1, 65535, options);
		else if (opt == 'o')
			out = number_arg(optarg, "streams", 1, 65535, options);
		else
			verbose = 1;
	}
	len = addr_arg(addr, (unsigned)port, PROTOCOL, &ss, options);
	/* SIGCHLD ignored: the kernel reaps the children. */
	if (signal(SIGINT, on_signal) == SIG_ERR ||
	    signal(SIGTERM, on_signal) == SIG_ERR ||
	    signal(SIGCHLD, SIG_IGN) == SIG_ERR)
		err(1, "signal");
	/* Whole lines, and nothing left in the buffer for fork() to copy. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	lfd = socket(ss.ss_family, SOCK_STREAM, PROTOCOL);
	if (lfd < 0)
		err(1, "socket");
	serve_on(lfd, &ss, len, (unsigned)in, (unsigned)out);

	for (;;) {
		len = sizeof(ss);
		fd = accept(lfd, (struct sockaddr *)&ss, &len);
		if (fd < 0) {
			accept_failed();
			continue;
		}
		printf("accepted %s\n", addr_str((struct sockaddr *)&ss, peer));
		pid = fork();
		if (pid == 0) {
			close(lfd);
			assoc_fd = fd;
			if (prctl(PR_SET_PDEATHSIG,
				  SIGTERM)) /* its end, ours */
				err(1, "prctl");
			if (getppid() != parent) /* it went before prctl() */
				raise(SIGTERM);
			echo_assoc(fd, peer);
			exit(0);
		}
		if (pid < 0) {
			warn("fork (retrying in 1 s)");
			sleep(1);
		}
		close(fd);
	}
}
