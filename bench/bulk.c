/* SPDX-License-Identifier: 0BSD */
/*
 * bulk - a bulk-transfer benchmark driver: one association (or TCP
 * connection) carrying messages as fast as the sender can hand them to the
 * kernel, measured where it counts, at the receiver.
 *
 * It exists because the sample programs send paced, timestamped messages
 * (stream_sender) or one echo at a time (echo_client), and a throughput
 * comparison with `iperf3 --sctp` needs the knobs iperf3 has: message
 * size (-l), socket buffers (-w, both SO_SNDBUF and SO_RCVBUF, as iperf3
 * -w does) and Nagle (-N). Two more knobs are SCTP's own:
 *   -d MS, -f N   SCTP_DELAYED_SACK on the receiver: acknowledge every Nth
 *                 packet or after MS milliseconds (RFC 9260: at most
 *                 every 2nd packet, 200 ms); a sender whose window is
 *                 full waits for those SACKs.
 * The sink (-S) also accepts stream_sender's traffic, so the sample
 * program itself can be timed by the same yardstick.
 *
 * Try:
 *   terminal 1: bench/bulk -S -p 5001
 *   terminal 2: bench/bulk -p 5001 -l 16384 -t 3
 *               bench/bulk -p 5001 -l 16384 -t 3 -w 1048576 -N
 *               bench/bulk -T ... (the same over TCP, sink with -S -T)
 *
 * Output, one line each, for scripts:
 *   sender: "sent BYTES bytes in MESSAGES messages in SECONDS s"
 *   sink:   "received BYTES bytes in MESSAGES messages in SECONDS s:
 *            MBITS Mbit/s" (first byte to end of stream)
 *   both:   "buffers sndbuf N rcvbuf N" as the kernel granted them
 *   sender: "sctp stats: ..." (SCTP_GET_ASSOC_STATS: retransmissions)
 *
 * Read: sctp(7) (SCTP_NODELAY, SCTP_DELAYED_SACK, SCTP_GET_ASSOC_STATS),
 * socket(7) (SO_SNDBUF, SO_RCVBUF, wmem_max), tcp(7), RFC 6458 section 8.1.19,
 * RFC 9260 section 6.2.
 */
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <netinet/tcp.h>
#include <sys/uio.h>

#include "util.h"

/* Largest message: an SCTP message must fit the send buffer anyway. */
#define MAX_LENGTH (1024 * 1024)
#define DEFAULT_LENGTH 16384
#define DEFAULT_SECONDS 3
#define MAX_SECONDS 3600
/* Socket buffers we accept to ask for; the kernel caps them (wmem_max). */
#define MAX_BUFFER (256 * 1024 * 1024)
/* RFC 9260 6.2: a SACK may be delayed at most 500 ms. */
#define MAX_SACK_DELAY 500
#define MAX_SACK_FREQ 64
/* The sink reads this much at a time: a whole message of any -l. */
#define READ_SIZE MAX_LENGTH
#define NSEC_PER_SEC 1e9
#define BITS_PER_BYTE 8
#define BITS_PER_MBIT 1e6

/* Set by SIGALRM: the sender's time is up. */
static volatile sig_atomic_t time_up;

static void
on_alarm(int sig)
{
	(void)sig;
	time_up = 1;
}

struct config {
	int tcp, sink, nodelay;
	const char *host;
	unsigned port;
	unsigned long length, seconds, buffer, sack_delay, sack_freq;
};

static const char options[] =
	"-S [-T] [-a ADDR] [-p PORT] [-w BYTES] [-d MS] [-f N]\n"
	"       bulk [-T] [-a ADDR] -p PORT [-l LENGTH] [-t SECONDS] "
	"[-w BYTES] [-N]\n"
	"  -S          sink: accept one association, count what arrives\n"
	"  -T          TCP instead of SCTP\n"
	"  -a ADDR     sink: address to bind (default: all); sender: sink "
	"address\n"
	"              (default 127.0.0.1)\n"
	"  -p PORT     port (sink default 0: the kernel picks one)\n"
	"  -l LENGTH   bytes per message (default 16384)\n"
	"  -t SECONDS  how long to send (default 3)\n"
	"  -w BYTES    SO_SNDBUF and SO_RCVBUF (default: the kernel's)\n"
	"  -N          SCTP_NODELAY / TCP_NODELAY: no Nagle\n"
	"  -d MS       sink, SCTP: SACK delay (SCTP_DELAYED_SACK)\n"
	"  -f N        sink, SCTP: SACK every Nth packet (SCTP_DELAYED_SACK)\n"
	"  -h          this help (also --help)\n";

/* Monotonic time in nanoseconds. */
static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* -w: the same size both ways, before connect/listen, like iperf3. */
static void
set_buffers(int fd, const struct config *o)
{
	int size = (int)o->buffer, snd, rcv;
	socklen_t len = sizeof(int);

	if (o->buffer &&
	    (setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)) < 0 ||
	     setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) < 0))
		err(1, "setsockopt SO_SNDBUF/SO_RCVBUF");
	if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, &len) < 0 ||
	    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, &len) < 0)
		err(1, "getsockopt SO_SNDBUF/SO_RCVBUF");
	printf("buffers sndbuf %d rcvbuf %d\n", snd, rcv);
}

static void
set_nodelay(int fd, const struct config *o)
{
	int on = 1;

	if (!o->nodelay)
		return;
	if (o->tcp &&
	    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) < 0)
		err(1, "setsockopt TCP_NODELAY");
	if (!o->tcp &&
	    setsockopt(fd, IPPROTO_SCTP, SCTP_NODELAY, &on, sizeof(on)) < 0)
		err(1, "setsockopt SCTP_NODELAY");
}

/*
 * The receiver decides how often it acknowledges. Set on the listening
 * socket (SCTP_FUTURE_ASSOC) it applies to the association accept()
 * returns; a field left 0 keeps the kernel's value.
 */
static void
set_delayed_sack(int fd, const struct config *o)
{
	struct sctp_sack_info sack;
	socklen_t len = sizeof(sack);

	if (o->tcp)
		return;
	memset(&sack, 0, sizeof(sack));
	sack.sack_assoc_id = SCTP_FUTURE_ASSOC;
	sack.sack_delay = (uint32_t)o->sack_delay;
	sack.sack_freq = (uint32_t)o->sack_freq;
	if ((o->sack_delay || o->sack_freq) &&
	    setsockopt(fd, IPPROTO_SCTP, SCTP_DELAYED_SACK, &sack,
		       sizeof(sack)) < 0)
		err(1, "setsockopt SCTP_DELAYED_SACK");
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_DELAYED_SACK, &sack, &len) < 0)
		err(1, "getsockopt SCTP_DELAYED_SACK");
	printf("delayed sack: %u ms, every %u packets\n", sack.sack_delay,
	       sack.sack_freq);
}

static int
sink(const struct config *o)
{
	int proto = o->tcp ? IPPROTO_TCP : IPPROTO_SCTP, lfd, fd, on = 1;
	struct sockaddr_storage ss;
	socklen_t sslen = addr_arg(o->host, o->port, proto, &ss, options);
	unsigned char *buf = malloc(READ_SIZE);
	unsigned long long bytes = 0, messages = 0;
	int64_t first = 0, last = 0;
	ssize_t n;

	if (buf == NULL)
		err(1, "malloc");
	lfd = socket(ss.ss_family, SOCK_STREAM, proto);
	if (lfd < 0)
		err(1, "socket");
	if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0)
		err(1, "setsockopt SO_REUSEADDR");
	/* Accepted sockets inherit the buffers and the SACK policy. */
	set_buffers(lfd, o);
	set_delayed_sack(lfd, o);
	if (bind(lfd, (struct sockaddr *)&ss, sslen) < 0)
		err(1, "bind");
	if (listen(lfd, 1) < 0)
		err(1, "listen");
	print_listening(lfd);
	while ((fd = accept(lfd, NULL, NULL)) < 0 && errno == EINTR)
		;
	if (fd < 0)
		err(1, "accept");
	close(lfd);

	/*
	 * A count of bytes needs no message boundaries (MSG_EOR) and no
	 * SCTP_RCVINFO; only notifications, should any come, must not be
	 * counted. Each SCTP recvmsg returns at most one message.
	 */
	for (;;) {
		struct iovec iov = { .iov_base = buf, .iov_len = READ_SIZE };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

		n = recvmsg(fd, &msg, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err(1, "recvmsg");
		if (n == 0)
			break;
		if (msg.msg_flags & MSG_NOTIFICATION)
			continue;
		/* The clock only at the first message and at the end. */
		if (bytes == 0)
			first = now_ns();
		bytes += (unsigned long long)n;
		messages++;
	}
	last = now_ns();
	close(fd);
	double secs = (double)(last - first) / NSEC_PER_SEC;
	printf("received %llu bytes in %llu messages in %.3f s: %.2f "
	       "Mbit/s\n",
	       bytes, messages, secs,
	       secs > 0 ? (double)bytes * BITS_PER_BYTE / secs / BITS_PER_MBIT
			: 0.0);
	free(buf);
	return bytes > 0 ? 0 : 1;
}

/* One message on stream 0, as the samples send: sendmsg + SCTP_SNDINFO. */
static ssize_t
send_one(int fd, const struct config *o, const unsigned char *buf)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct sctp_sndinfo))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = o->length };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;
	struct sctp_sndinfo info;

	if (o->tcp)
		return send(fd, buf, o->length, MSG_NOSIGNAL);
	memset(&control, 0, sizeof(control));
	memset(&info, 0, sizeof(info));
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = IPPROTO_SCTP;
	cmsg->cmsg_type = SCTP_SNDINFO;
	cmsg->cmsg_len = CMSG_LEN(sizeof(info));
	memcpy(CMSG_DATA(cmsg), &info, sizeof(info));
	return sendmsg(fd, &msg, MSG_NOSIGNAL);
}

/*
 * What the association went through, from the kernel's own counters: a
 * slow run with retransmissions lost packets (somewhere), one whose
 * largest RTO is 1 s or more sat out at least one retransmission timeout.
 */
static void
show_stats(int fd)
{
	struct sctp_assoc_stats st;
	socklen_t len = sizeof(st);

	memset(&st, 0, sizeof(st));
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_GET_ASSOC_STATS, &st, &len) < 0)
		err(1, "getsockopt SCTP_GET_ASSOC_STATS");
	printf("sctp stats: %llu packets out, %llu SACKs in, %llu gap "
	       "reports, %llu chunks retransmitted, largest RTO %llu ms\n",
	       (unsigned long long)st.sas_opackets,
	       (unsigned long long)st.sas_isacks,
	       (unsigned long long)st.sas_gapcnt,
	       (unsigned long long)st.sas_rtxchunks,
	       (unsigned long long)st.sas_maxrto);
}

static int
sender(const struct config *o)
{
	int proto = o->tcp ? IPPROTO_TCP : IPPROTO_SCTP, fd;
	struct sockaddr_storage ss;
	socklen_t sslen = addr_arg(o->host ? o->host : "127.0.0.1", o->port,
				   proto, &ss, options);
	unsigned char *buf = malloc(o->length);
	unsigned long long bytes = 0, messages = 0;
	int64_t start, now;
	ssize_t n;

	if (buf == NULL)
		err(1, "malloc");
	memset(buf, 'b', o->length);
	fd = socket(ss.ss_family, SOCK_STREAM, proto);
	if (fd < 0)
		err(1, "socket");
	set_buffers(fd, o);
	set_nodelay(fd, o);
	if (connect(fd, (struct sockaddr *)&ss, sslen) < 0)
		err(1, "connect");

	/*
	 * The run ends with SIGALRM, not with a look at the clock after each
	 * message: on an emulated machine whose clock source is not the TSC,
	 * clock_gettime() is a real system call, as dear as a small send.
	 */
	start = now_ns();
	alarm((unsigned)o->seconds);
	while (!time_up) {
		n = send_one(fd, o, buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EMSGSIZE)
			errx(1,
			     "sendmsg: a %lu-byte message does not fit the "
			     "send buffer: raise -w",
			     o->length);
		if (n < 0)
			err(1, "send");
		bytes += (unsigned long long)n;
		messages++;
	}
	now = now_ns();
	if (!o->tcp)
		show_stats(fd);
	/* A graceful close: the sink still gets everything queued. */
	if (close(fd) < 0)
		err(1, "close");
	printf("sent %llu bytes in %llu messages in %.3f s\n", bytes, messages,
	       (double)(now - start) / NSEC_PER_SEC);
	free(buf);
	return 0;
}

int
main(int argc, char **argv)
{
	struct config o = { .length = DEFAULT_LENGTH,
			    .seconds = DEFAULT_SECONDS };
	int opt;

	while ((opt = next_opt(argc, argv, ":STa:p:l:t:w:Nd:f:h", options)) !=
	       -1) {
		if (opt == 'S')
			o.sink = 1;
		else if (opt == 'T')
			o.tcp = 1;
		else if (opt == 'a')
			o.host = optarg;
		else if (opt == 'p')
			o.port = (unsigned)number_arg(optarg, "port", 0, 65535,
						      options);
		else if (opt == 'l')
			o.length = number_arg(optarg, "length", 1, MAX_LENGTH,
					      options);
		else if (opt == 't')
			o.seconds = number_arg(optarg, "seconds", 1,
					       MAX_SECONDS, options);
		else if (opt == 'w')
			o.buffer = number_arg(optarg, "buffer", 1, MAX_BUFFER,
					      options);
		else if (opt == 'N')
			o.nodelay = 1;
		else if (opt == 'd')
			o.sack_delay = number_arg(optarg, "sack delay", 1,
						  MAX_SACK_DELAY, options);
		else
			o.sack_freq = number_arg(optarg, "sack frequency", 1,
						 MAX_SACK_FREQ, options);
	}
	if (!o.sink && o.port == 0)
		usage_error(options, "-p", "the sender needs the sink's port");
	if (o.tcp && (o.sack_delay || o.sack_freq))
		usage_error(options, "-d and -f", "SCTP settings, not for -T");
	signal(SIGPIPE, SIG_IGN);
	/* No SA_RESTART: a send blocked on a full buffer returns EINTR. */
	struct sigaction sa = { .sa_handler = on_alarm };
	if (sigaction(SIGALRM, &sa, NULL) < 0)
		err(1, "sigaction");
	setvbuf(stdout, NULL, _IOLBF, 0);
	return o.sink ? sink(&o) : sender(&o);
}
