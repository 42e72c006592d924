/* SPDX-License-Identifier: 0BSD */
/*
 * echo.h - the one way the echo programs send and receive a message.
 *
 * SCTP keeps each message whole, and names its stream in a control
 * message: SCTP_SNDINFO going out, SCTP_RCVINFO coming in (RFC 6458
 * 5.3.4, 5.3.5; the receiver turns SCTP_RECVRCVINFO on). The includer
 * defines PROTOCOL: a TCP twin (IPPROTO_TCP) has no messages, so each
 * read is taken as one, and the kernel ignores the SCTP control message.
 * Include it after util.h.
 */
#ifndef ECHO_H
#define ECHO_H

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/sctp.h>

/* Linux refuses to send a message longer than the send buffer (EMSGSIZE),
 * which it caps at net.core.wmem_max, doubled: 425984 bytes by default.
 * The programs ask for SNDBUF_WANTED; the servers echo up to MAX_MESSAGE. */
#define SNDBUF_WANTED (1 << 20)
#define MAX_MESSAGE (400 * 1024)

/*
 * BUF as one message on stream SID, with FLAGS (SCTP_UNORDERED; SCTP_EOF
 * or SCTP_ABORT with no data end an association; SCTP_SENDALL: every
 * association of a one-to-many socket) to ASSOC (one-to-many only).
 * MSG_NOSIGNAL: a peer that is gone is an EPIPE, not a SIGPIPE. Returns
 * 0 when the kernel took the whole message, -1 with errno (a blocking
 * TCP send is short only when a signal cuts it: EINTR).
 */
static int
send_msg(int fd, const void *buf, size_t len, uint16_t sid, uint32_t ppid,
	 uint16_t flags, sctp_assoc_t assoc)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct sctp_sndinfo))];
		struct cmsghdr align;
	} control = { { 0 } };
	struct sctp_sndinfo snd = { .snd_sid = sid,
				    .snd_flags = flags,
				    .snd_ppid = ppid,
				    .snd_assoc_id = assoc };
	struct iovec iov = { (void *)buf, len };
	struct msghdr msg = { .msg_iov = &iov,
			      .msg_iovlen = 1,
			      .msg_control = control.buf,
			      .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	ssize_t n;

	cm->cmsg_level = IPPROTO_SCTP;
	cm->cmsg_type = SCTP_SNDINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(snd));
	memcpy(CMSG_DATA(cm), &snd, sizeof(snd));
	n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	if (n >= 0 && (size_t)n < len)
		errno = EINTR;
	return n >= 0 && (size_t)n == len ? 0 : -1;
}

/*
 * One whole message into BUF: the parts recvmsg() returns, joined up to
 * MSG_EOR; its stream, flags and association in *INFO; MSG_NOTIFICATION
 * in *FLAGS for a notification, which is never part of a message (one
 * that comes in the middle ends it: the rest of the message is gone).
 * Returns its length, 0 at EOF, -1 with errno: EMSGSIZE when it is longer
 * than CAP (the rest of it is left unread), ECONNRESET when the peer left
 * in the middle of it.
 */
static ssize_t
recv_msg(int fd, void *buf, size_t cap, struct sctp_rcvinfo *info, int *flags)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct sctp_rcvinfo))];
		struct cmsghdr align;
	} control;
	size_t len = 0;

	memset(info, 0, sizeof(*info));
	*flags = 0;
	do {
		struct iovec iov = { (char *)buf + len, cap - len };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = control.buf,
				      .msg_controllen = sizeof(control.buf) };
		ssize_t n;

		if (len == cap) {
			errno = EMSGSIZE;
			return -1;
		}
		n = recvmsg(fd, &msg, 0);
		if (n < 0 && errno == EINTR && len > 0)
			continue; /* a signal in the middle of a message */
		if (n == 0 && len > 0)
			errno = ECONNRESET; /* EOF in the middle of a message */
		if (n < 0 || (n == 0 && len > 0))
			return -1;
		if (n == 0)
			return 0;
		if (msg.msg_flags & MSG_NOTIFICATION && len > 0) {
			memmove(buf, (char *)buf + len, (size_t)n);
			len = 0;
		}
		for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm;
		     cm = CMSG_NXTHDR(&msg, cm))
			if (cm->cmsg_level == IPPROTO_SCTP &&
			    cm->cmsg_type == SCTP_RCVINFO)
				memcpy(info, CMSG_DATA(cm), sizeof(*info));
		len += (size_t)n;
		*flags = msg.msg_flags;
	} while (PROTOCOL == IPPROTO_SCTP && !(*flags & MSG_EOR));
	return (ssize_t)len;
}

/*
 * What both servers do with their socket: over SCTP, the streams to accept
 * and offer (SCTP_INITMSG) and an SCTP_RCVINFO with every message
 * (SCTP_RECVRCVINFO); SO_REUSEADDR (so that a restart binds while the old
 * associations still close); the send buffer (it bounds the message size);
 * bind(), listen() (on a one-to-many socket it lets associations in: there
 * is no accept()), and the line scripts wait for. Accepted sockets inherit
 * the options.
 */
static inline void
serve_on(int fd, const struct sockaddr_storage *ss, socklen_t len, unsigned in,
	 unsigned out)
{
	struct sctp_initmsg im = { .sinit_num_ostreams = out,
				   .sinit_max_instreams = in };
	int on = 1, size = SNDBUF_WANTED;

	if (PROTOCOL == IPPROTO_SCTP &&
	    (setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &im, sizeof(im)) ||
	     setsockopt(fd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on))))
		err(1, "setsockopt SCTP_INITMSG, SCTP_RECVRCVINFO");
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)))
		err(1, "setsockopt SO_REUSEADDR, SO_SNDBUF");
	if (bind(fd, (const struct sockaddr *)ss, len))
		err(1, "bind");
	if (listen(fd, SOMAXCONN))
		err(1, "listen");
	print_listening(fd);
}

#endif /* ECHO_H */
