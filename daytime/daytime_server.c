/*
 * daytime_server - multistreaming: one association, two streams, two kinds
 * of message. Every client gets the local time on stream 0 and the same
 * instant in GMT on stream 1, then a graceful SHUTDOWN.
 *
 * A one-to-one (SOCK_STREAM) SCTP server, written like a TCP one. What SCTP
 * adds is the stream count: the server asks for DAYTIME_STREAMS outbound
 * streams with SCTP_INITMSG before listen(), and after accept() it reads
 * SCTP_STATUS to see how many the peer actually granted (the peer's
 * inbound limit wins). With fewer than two it cannot keep the promise, so
 * it says why on stream 0, tagged with a payload protocol identifier the
 * client recognises, and closes gracefully instead of sending half an
 * answer.
 *
 * Try:
 *   terminal 1: TZ=Asia/Kolkata daytime/daytime_server
 *   terminal 2: daytime/daytime_client         (Local is GMT + 5:30)
 *               daytime/daytime_client -i 1    (refused: one stream)
 *
 * The well-known daytime port is 13 (RFC 867). Ports below 1024 need root
 * or CAP_NET_BIND_SERVICE: `sudo daytime/daytime_server -p 13`, or grant
 * just that capability with
 * `sudo setcap cap_net_bind_service=+ep daytime/daytime_server`.
 *
 * Read: sctp(7), sendmsg(2), cmsg(3), accept(2), getsockopt(2),
 * RFC 6458 sections 5.3.4 (SCTP_SNDINFO), 8.2.1 (SCTP_STATUS), 8.1.3
 * (SCTP_INITMSG).
 */
#include <err.h>
#include <unistd.h>
#include <sys/uio.h>

#include "util_old.h"

/*
 * Default port. Daytime's own port 13 needs privileges (see above), so the
 * default sits above 1024 where anyone may bind.
 */
#define DAYTIME_PORT 3013

/* Which stream carries what; daytime_client.c uses the same numbers. */
#define LOCALTIME_STREAM 0
#define GMT_STREAM 1
/* Streams the service needs: one per kind of message. */
#define DAYTIME_STREAMS 2

/*
 * Payload protocol identifier of the refusal message. SCTP carries the
 * PPID untouched; here it tells the client "this is an explanation, not a
 * time". The time messages use 0, "unspecified". The value spells "DAYT"
 * in ASCII and is not an IANA-registered protocol, so Wireshark will not
 * try to decode the text as something else.
 */
#define DAYTIME_PPID_REFUSED 0x44415954u

/* The server never reads data, so one inbound stream is plenty. */
#define SERVER_INSTREAMS 1

/*
 * A full accept queue makes Linux answer a COOKIE-ECHO with an ABORT, so
 * allow a large burst of clients (the kernel caps it at somaxconn).
 */
#define LISTEN_BACKLOG SOMAXCONN

/* Same layout as ctime(3), which the classic daytime servers send. */
#define TIME_FORMAT "%a %b %e %H:%M:%S %Y"

/* Longest message the server sends: a time line or the refusal. */
#define MAX_MESSAGE 256

static void
usage(FILE *out, int status)
{
	fprintf(out,
		"usage: %s [-a ADDR] [-p PORT] [-o STREAMS] [-h]\n"
		"  -a ADDR     address to listen on (default: all)\n"
		"  -p PORT     port (default %d; 0: the kernel picks one)\n"
		"  -o STREAMS  outbound streams to ask for (default %d; fewer\n"
		"              than %d makes the server refuse every client)\n"
		"  -h          this help\n",
		program_invocation_short_name, DAYTIME_PORT, DAYTIME_STREAMS,
		DAYTIME_STREAMS);
	exit(status);
}

/*
 * Bind to the first address HOST resolves to, ask for OSTREAMS outbound
 * streams on every association this socket will accept, and listen.
 */
static int
open_listener(const char *host, uint16_t port, uint16_t ostreams)
{
	struct addrinfo *res, *ai;
	struct sctp_initmsg init;
	struct sockaddr_storage local;
	socklen_t len = sizeof(local);
	const char *failed = "socket";
	int fd = -1, saved = 0;

	if (resolve(host, port, SOCK_STREAM, IPPROTO_SCTP, 1, &res) < 0)
		usage(stderr, EXIT_USAGE);
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			failed = "socket";
			continue;
		}
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		failed = "bind";
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		errno = saved;
		err(1, "%s", failed);
	}

	/*
	 * Set before listen(): accepted sockets inherit it, and the numbers
	 * go into the INIT-ACK of every association.
	 */
	memset(&init, 0, sizeof(init));
	init.sinit_num_ostreams = ostreams;
	init.sinit_max_instreams = SERVER_INSTREAMS;
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init)) < 0)
		err(1, "setsockopt SCTP_INITMSG");

	if (listen(fd, LISTEN_BACKLOG) < 0)
		err(1, "listen");
	if (getsockname(fd, (struct sockaddr *)&local, &len) < 0)
		err(1, "getsockname");
	print_listening((struct sockaddr *)&local);
	return fd;
}

/*
 * Send TEXT as one message on stream SID, tagged with PPID. The stream
 * travels in an SCTP_SNDINFO control message; this is what the article's
 * sctp_sendmsg(..., stream, ...) does under the hood.
 */
static int
send_on_stream(int fd, uint16_t sid, uint32_t ppid, const char *text)
{
	struct sctp_sndinfo info;
	union {
		struct cmsghdr align; /* CMSG_* need an aligned buffer */
		char buf[CMSG_SPACE(sizeof(struct sctp_sndinfo))];
	} control;
	struct iovec iov;
	struct msghdr msg;
	struct cmsghdr *cmsg;
	ssize_t n;

	memset(&info, 0, sizeof(info));
	info.snd_sid = sid;
	/* SCTP copies the PPID to the wire as is: network byte order. */
	info.snd_ppid = htonl(ppid);

	memset(&control, 0, sizeof(control));
	memset(&msg, 0, sizeof(msg));
	iov.iov_base = (void *)text;
	iov.iov_len = strlen(text);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control.buf;
	msg.msg_controllen = sizeof(control.buf);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = IPPROTO_SCTP;
	cmsg->cmsg_type = SCTP_SNDINFO;
	cmsg->cmsg_len = CMSG_LEN(sizeof(info));
	memcpy(CMSG_DATA(cmsg), &info, sizeof(info));

	/* MSG_NOSIGNAL: a client that vanished is an error, not a SIGPIPE. */
	do
		n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	/* An SCTP message is sent whole or not at all. */
	return n == (ssize_t)iov.iov_len ? 0 : -1;
}

/*
 * One client: check the streams granted, send the two times (or the
 * refusal). Problems are warnings; the caller closes the socket.
 */
static void
serve(int fd, const char *peer)
{
	struct sctp_status status;
	socklen_t len = sizeof(status);
	char local[MAX_MESSAGE], gmt[MAX_MESSAGE], text[MAX_MESSAGE];
	struct tm tm;
	time_t now;

	memset(&status, 0, sizeof(status));
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_STATUS, &status, &len) < 0) {
		warn("%s: getsockopt SCTP_STATUS", peer);
		return;
	}
	if (status.sstat_outstrms < DAYTIME_STREAMS) {
		warnx("%s: only %u outbound stream(s) granted, need %d: "
		      "refused",
		      peer, status.sstat_outstrms, DAYTIME_STREAMS);
		snprintf(text, sizeof(text),
			 "the association has %u stream(s) from server to "
			 "client, daytime needs %d (local time on stream %d, "
			 "GMT on stream %d)\n",
			 status.sstat_outstrms, DAYTIME_STREAMS,
			 LOCALTIME_STREAM, GMT_STREAM);
		/* Stream 0 always exists: every association has one. */
		if (send_on_stream(fd, LOCALTIME_STREAM, DAYTIME_PPID_REFUSED,
				   text) < 0)
			warn("%s: sendmsg", peer);
		return;
	}

	/* One instant, two renderings: the lines differ only by zone. */
	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(local, sizeof(local), TIME_FORMAT "\n", &tm) == 0 ||
	    gmtime_r(&now, &tm) == NULL ||
	    strftime(gmt, sizeof(gmt), TIME_FORMAT "\n", &tm) == 0) {
		warnx("%s: cannot format the time", peer);
		return;
	}
	if (send_on_stream(fd, LOCALTIME_STREAM, 0, local) < 0 ||
	    send_on_stream(fd, GMT_STREAM, 0, gmt) < 0) {
		warn("%s: sendmsg", peer);
		return;
	}
	printf("%s: local time on stream %d, GMT on stream %d\n", peer,
	       LOCALTIME_STREAM, GMT_STREAM);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	const char *host = NULL;
	uint16_t port = DAYTIME_PORT;
	unsigned long ostreams = DAYTIME_STREAMS;
	int opt, lfd;

	while ((opt = getopt(argc, argv, ":a:p:o:h")) != -1) {
		switch (opt) {
		case 'a':
			host = optarg;
			break;
		case 'p':
			if (parse_port(optarg, &port) < 0)
				usage(stderr, EXIT_USAGE);
			break;
		case 'o':
			if (parse_number(optarg, "outbound streams", 1,
					 UINT16_MAX, &ostreams) < 0)
				usage(stderr, EXIT_USAGE);
			break;
		case 'h':
			usage(stdout, 0);
			break;
		case ':':
			fprintf(stderr, "%s: option -%c needs a value\n",
				program_invocation_short_name, optopt);
			usage(stderr, EXIT_USAGE);
			break;
		default:
			fprintf(stderr, "%s: unknown option -%c\n",
				program_invocation_short_name, optopt);
			usage(stderr, EXIT_USAGE);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n",
			program_invocation_short_name, argv[optind]);
		usage(stderr, EXIT_USAGE);
	}

	/* Read TZ now: localtime_r() need not do it for us (POSIX). */
	tzset();
	lfd = open_listener(host, port, (uint16_t)ostreams);

	for (;;) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		char name[INET6_ADDRSTRLEN + 16], addr[INET6_ADDRSTRLEN];
		int fd;

		fd = accept(lfd, (struct sockaddr *)&peer, &len);
		if (fd < 0) {
			/* These concern one client that already left. */
			if (errno == EINTR || errno == ECONNABORTED) {
				if (errno == ECONNABORTED)
					warn("accept");
				continue;
			}
			err(1, "accept");
		}
		snprintf(name, sizeof(name), "%s port %u",
			 addr_str((struct sockaddr *)&peer, addr, sizeof(addr)),
			 addr_port((struct sockaddr *)&peer));
		serve(fd, name);
		/*
		 * With no unread data, close() starts the graceful
		 * SHUTDOWN; the kernel still delivers what was queued.
		 */
		if (close(fd) < 0)
			warn("%s: close", name);
	}
}
