/*
 * daytime_client - multistreaming, receiving side: tell messages apart by
 * the stream they arrived on. The daytime server sends the local time on
 * stream 0 and GMT on stream 1; this client prints them as
 *   (Local) Sat Nov 22 13:12:03 2025
 *   (GMT  ) Fri Nov 21 23:12:03 2025
 * in the order they arrive, and exits 0 only when both came.
 *
 * The stream number comes with each message in an SCTP_RCVINFO control
 * message, switched on with the SCTP_RECVRCVINFO socket option (RFC 6458).
 * The article this follows used sctp_recvmsg() and the SCTP_EVENTS
 * sctp_data_io_event subscription; both are deprecated (see README.md).
 * Before connecting, SCTP_INITMSG says how many inbound streams this end
 * accepts: -i 1 leaves the server a single stream, and it refuses.
 *
 * Try:
 *   terminal 1: daytime/daytime_server
 *   terminal 2: daytime/daytime_client
 *               daytime/daytime_client -v       (streams and SSNs)
 *               daytime/daytime_client -i 1     (refused: exit status 1)
 *
 * Read: sctp(7), recvmsg(2), cmsg(3), connect(2), RFC 6458 sections
 * 5.3.5 (SCTP_RCVINFO), 8.1.29 (SCTP_RECVRCVINFO), 8.1.3 (SCTP_INITMSG).
 */
#include <err.h>
#include <stdbool.h>
#include <unistd.h>
#include <sys/uio.h>

#include "util_old.h"

/* Where the server listens by default; see daytime_server.c. */
#define DEFAULT_HOST "127.0.0.1"
#define DAYTIME_PORT 3013

/* Which stream carries what; daytime_server.c uses the same numbers. */
#define LOCALTIME_STREAM 0
#define GMT_STREAM 1
/* Streams the service needs, and so what we ask for by default. */
#define DAYTIME_STREAMS 2

/* PPID the server puts on its refusal message; see daytime_server.c. */
#define DAYTIME_PPID_REFUSED 0x44415954u

/* The client never sends data: one outbound stream is enough. */
#define CLIENT_OSTREAMS 1

/* Longest message we accept; the server's lines are far shorter. */
#define MAX_MESSAGE 256

static void
usage(FILE *out, int status)
{
	fprintf(out,
		"usage: %s [-a ADDR] [-p PORT] [-i STREAMS] [-v] [-h]\n"
		"  -a ADDR     server address (default %s)\n"
		"  -p PORT     server port (default %d)\n"
		"  -i STREAMS  most inbound streams to accept (default %d;\n"
		"              1 shows the server's refusal)\n"
		"  -v          also print the stream counts and each "
		"message's\n"
		"              stream, SSN and PPID on stderr\n"
		"  -h          this help\n",
		program_invocation_short_name, DEFAULT_HOST, DAYTIME_PORT,
		DAYTIME_STREAMS);
	exit(status);
}

/*
 * Connect to the first address of HOST that answers, after asking for at
 * most INSTREAMS inbound streams and for an SCTP_RCVINFO with every
 * message; with COMM_UP, for the SCTP_ASSOC_CHANGE notifications too.
 */
static int
connect_to(const char *host, uint16_t port, uint16_t instreams, bool comm_up)
{
	struct addrinfo *res, *ai;
	struct sctp_initmsg init;
	const char *failed = "socket";
	int fd = -1, saved = 0, on = 1;

	if (resolve(host, port, SOCK_STREAM, IPPROTO_SCTP, 0, &res) < 0)
		usage(stderr, EXIT_USAGE);
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			failed = "socket";
			continue;
		}
		/* Must precede connect(): the numbers travel in the INIT. */
		memset(&init, 0, sizeof(init));
		init.sinit_num_ostreams = CLIENT_OSTREAMS;
		init.sinit_max_instreams = instreams;
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &init,
			       sizeof(init)) < 0)
			err(1, "setsockopt SCTP_INITMSG");
		/* Without this, recvmsg() says nothing about streams. */
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on,
			       sizeof(on)) < 0)
			err(1, "setsockopt SCTP_RECVRCVINFO");
		/* -v: COMM_UP says how many streams each way were agreed.
		 * SCTP_STATUS after connect() would too, but a quick server
		 * may have sent both messages and ended the association by
		 * then (EINVAL); the notification waits, ahead of the data. */
		if (comm_up) {
			struct sctp_event ev = { .se_type = SCTP_ASSOC_CHANGE,
						 .se_on = 1 };

			if (setsockopt(fd, IPPROTO_SCTP, SCTP_EVENT, &ev,
				       sizeof(ev)) < 0)
				err(1, "setsockopt SCTP_EVENT");
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		failed = "connect";
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		errno = saved;
		err(1, "%s", failed);
	}
	return fd;
}

/* The one notification -v subscribes to: print COMM_UP's stream counts. */
static void
print_streams(const void *note, size_t size)
{
	struct sctp_assoc_change sac;

	if (size < sizeof(sac))
		return;
	memcpy(&sac, note, sizeof(sac));
	if (sac.sac_type == SCTP_ASSOC_CHANGE && sac.sac_state == SCTP_COMM_UP)
		fprintf(stderr, "%s: %u inbound stream(s), %u outbound\n",
			program_invocation_short_name, sac.sac_inbound_streams,
			sac.sac_outbound_streams);
}

/*
 * Read one whole message into BUF (NUL-terminated) with its SCTP_RCVINFO.
 * Returns its length, or 0 when the server has ended the association.
 * A large message may come in parts; MSG_EOR marks the last one.
 */
static size_t
recv_message(int fd, char *buf, size_t size, struct sctp_rcvinfo *info)
{
	size_t len = 0;
	bool have_info = false;

	for (;;) {
		union {
			struct cmsghdr align; /* CMSG_* need alignment */
			char buf[CMSG_SPACE(sizeof(struct sctp_rcvinfo))];
		} control;
		struct iovec iov;
		struct msghdr msg;
		struct cmsghdr *cmsg;
		ssize_t n;

		memset(&msg, 0, sizeof(msg));
		iov.iov_base = buf + len;
		iov.iov_len = size - 1 - len; /* room for the NUL */
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
		if (n == 0) {
			if (len > 0)
				errx(1, "association ended inside a message");
			return 0;
		}
		/* A notification (only -v subscribes to one) is never data. */
		if (msg.msg_flags & MSG_NOTIFICATION) {
			if (msg.msg_flags & MSG_EOR)
				print_streams(iov.iov_base, (size_t)n);
			continue;
		}
		for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL;
		     cmsg = CMSG_NXTHDR(&msg, cmsg)) {
			if (cmsg->cmsg_level == IPPROTO_SCTP &&
			    cmsg->cmsg_type == SCTP_RCVINFO && !have_info) {
				memcpy(info, CMSG_DATA(cmsg), sizeof(*info));
				have_info = true;
			}
		}
		len += (size_t)n;
		if (msg.msg_flags & MSG_EOR)
			break;
		if (len == size - 1)
			errx(1, "message longer than %zu bytes", size - 1);
	}
	if (!have_info)
		errx(1, "recvmsg: no SCTP_RCVINFO with the message");
	buf[len] = '\0';
	return len;
}

/* Drop the line ending the server put on the message. */
static void
chomp(char *text, size_t len)
{
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
}

int
main(int argc, char **argv)
{
	const char *host = DEFAULT_HOST;
	uint16_t port = DAYTIME_PORT;
	unsigned long instreams = DAYTIME_STREAMS;
	bool verbose = false, seen[DAYTIME_STREAMS] = { false };
	char text[MAX_MESSAGE];
	struct sctp_rcvinfo info;
	int opt, fd, got;

	while ((opt = getopt(argc, argv, ":a:p:i:vh")) != -1) {
		switch (opt) {
		case 'a':
			host = optarg;
			break;
		case 'p':
			if (parse_port(optarg, &port) < 0)
				usage(stderr, EXIT_USAGE);
			break;
		case 'i':
			/* 0 would mean "the kernel default" to SCTP_INITMSG. */
			if (parse_number(optarg, "inbound streams", 1,
					 UINT16_MAX, &instreams) < 0)
				usage(stderr, EXIT_USAGE);
			break;
		case 'v':
			verbose = true;
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

	fd = connect_to(host, port, (uint16_t)instreams, verbose);

	for (got = 0; got < DAYTIME_STREAMS; got++) {
		size_t len = recv_message(fd, text, sizeof(text), &info);

		if (len == 0) {
			for (int sid = 0; sid < DAYTIME_STREAMS; sid++)
				if (!seen[sid])
					warnx("missing message on stream %d",
					      sid);
			errx(1, "the server closed the association early");
		}
		chomp(text, len);
		if (verbose)
			fprintf(stderr, "%s: stream %u ssn %u ppid %#x: %s\n",
				program_invocation_short_name, info.rcv_sid,
				info.rcv_ssn, ntohl(info.rcv_ppid), text);
		/* The PPID, not the text, marks the server's refusal. */
		if (ntohl(info.rcv_ppid) == DAYTIME_PPID_REFUSED)
			errx(1, "server refused: %s", text);
		if (info.rcv_sid >= DAYTIME_STREAMS)
			errx(1, "unexpected message on stream %u: %s",
			     info.rcv_sid, text);
		if (seen[info.rcv_sid])
			errx(1, "second message on stream %u: %s", info.rcv_sid,
			     text);
		seen[info.rcv_sid] = true;
		printf("%s %s\n",
		       info.rcv_sid == LOCALTIME_STREAM ? "(Local)" : "(GMT  )",
		       text);
	}
	/*
	 * Both came. close() with nothing unread is a graceful SHUTDOWN
	 * (unread data would make Linux send an ABORT instead).
	 */
	if (close(fd) < 0)
		err(1, "close");
	return 0;
}
