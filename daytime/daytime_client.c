/* SPDX-License-Identifier: 0BSD */
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
 * The articles used sctp_recvmsg() and the SCTP_EVENTS subscription
 * instead: daytime_client_legacy.c is this client written that way.
 * Before connecting, SCTP_INITMSG says how many inbound streams this end
 * accepts (daytime.h, client_socket()): with -i 1 the server refuses.
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
#include <unistd.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <netinet/sctp.h>

#include "daytime.h"

/* The defaults: DAYTIME_PORT and DAYTIME_STREAMS (daytime.h). */
static const char options[] =
	"[-a ADDR] [-p PORT] [-i STREAMS] [-v] [-h]\n"
	"  -a ADDR     server address (default 127.0.0.1)\n"
	"  -p PORT     server port (default 3013)\n"
	"  -i STREAMS  most inbound streams to accept (default 2;\n"
	"              1 shows the server's refusal)\n"
	"  -v          also print the stream counts and each message's\n"
	"              stream, SSN and PPID on stderr\n"
	"  -h          this help (also --help)\n";

/*
 * One whole message into BUF (CAP bytes at most), its SCTP_RCVINFO into
 * INFO and the recvmsg() flags into FLAGS (MSG_NOTIFICATION: news from
 * the kernel, not data). A long message may come in parts; MSG_EOR marks
 * the last. Returns its length, 0 when the server has ended the
 * association, -1 with errno (EMSGSIZE: longer than CAP).
 */
static ssize_t
recv_msg(int fd, void *buf, size_t cap, struct sctp_rcvinfo *info, int *flags)
{
	size_t len = 0;

	do {
		union {
			struct cmsghdr align; /* CMSG_* need alignment */
			char bytes[CMSG_SPACE(sizeof(*info))];
		} control;
		struct iovec iov = { (char *)buf + len, cap - len };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = control.bytes,
				      .msg_controllen = sizeof(control.bytes) };
		struct cmsghdr *cmsg;
		ssize_t n;

		if (len == cap) {
			errno = EMSGSIZE;
			return -1;
		}
		n = recvmsg(fd, &msg, 0);
		if (n == 0 && len > 0) {
			errno = ECONNRESET; /* it ended inside a message */
			return -1;
		}
		if (n <= 0)
			return n;
		for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL;
		     cmsg = CMSG_NXTHDR(&msg, cmsg))
			if (cmsg->cmsg_level == IPPROTO_SCTP &&
			    cmsg->cmsg_type == SCTP_RCVINFO)
				memcpy(info, CMSG_DATA(cmsg), sizeof(*info));
		len += (size_t)n;
		*flags = msg.msg_flags;
	} while (!(*flags & MSG_EOR));
	return (ssize_t)len;
}

int
main(int argc, char **argv)
{
	struct client c = CLIENT_DEFAULTS;
	struct sctp_event ev = { .se_type = SCTP_ASSOC_CHANGE, .se_on = 1 };
	struct sockaddr_storage ss;
	socklen_t sslen;
	int opt, fd, on = 1;

	while ((opt = next_opt(argc, argv, ":a:p:i:vh", options)) != -1)
		client_option(opt, &c, options);
	fd = client_socket(&c, &ss, &sslen, options);
	/* Without this, recvmsg() says nothing about streams. */
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on)) < 0)
		err(1, "setsockopt SCTP_RECVRCVINFO");
	/*
	 * -v: COMM_UP gives the stream counts. (SCTP_STATUS after connect()
	 * fails if a quick server has already ended the association; the
	 * notification waits in the queue, ahead of the data.)
	 */
	if (c.verbose &&
	    setsockopt(fd, IPPROTO_SCTP, SCTP_EVENT, &ev, sizeof(ev)) < 0)
		err(1, "setsockopt SCTP_EVENT");
	if (connect(fd, (struct sockaddr *)&ss, sslen) < 0)
		err(1, "connect");

	while (c.got < DAYTIME_STREAMS) {
		char text[MAX_MESSAGE];
		struct sctp_rcvinfo info;
		int flags;
		ssize_t n = recv_msg(fd, text, sizeof(text) - 1, &info, &flags);

		if (n < 0)
			err(1, "recvmsg");
		take_message(&c, text, (size_t)n, flags, info.rcv_sid,
			     info.rcv_ssn, ntohl(info.rcv_ppid));
	}
	/* Both came: nothing unread, so close() is a graceful SHUTDOWN. */
	if (close(fd) < 0)
		err(1, "close");
	return 0;
}
