/*
 * fake_socket.h - a scripted SCTP receive queue for the reassembly fuzz
 * targets.
 *
 * The programs' receive loops are static functions that call recvmsg()
 * and sendmsg() themselves. A target includes the program's .c file
 * after `#define recvmsg fake_recvmsg` (and sendmsg, getsockopt), so the
 * very code students read runs on a receive queue the fuzzer writes.
 *
 * The queue behaves as the kernel promises, never worse: a message
 * comes in parts (at most iov_len bytes each, MSG_EOR on the last),
 * parts of one message are never interleaved with anything else, and
 * notifications are whole or cut at a buffer boundary like data. What
 * the fuzzer chooses: the kinds, sizes, streams, PPIDs and bytes of the
 * messages, where partial delivery cuts them, EAGAIN and EINTR between
 * parts, and which sendmsg() calls find the send buffer full.
 *
 * Input, a sequence of records:
 *   byte 0  flags, FAKE_* below
 *   byte 1  stream number (low byte; FAKE_SID_HIGH adds 0xff00)
 *   byte 2-3 length, little endian (times FAKE_BIG_UNIT with FAKE_BIG)
 *   then, unless FAKE_BIG, that many payload bytes (fewer at the end)
 * A FAKE_BIG payload is generated (every byte is byte 1 of the record),
 * so a short input can describe a message of megabytes.
 */
#ifndef FUZZ_FAKE_SOCKET_H
#define FUZZ_FAKE_SOCKET_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/sctp.h>

/* Record flags. */
#define FAKE_NOTIFICATION 0x01 /* a notification, not data */
#define FAKE_NO_INFO 0x02      /* data without an SCTP_RCVINFO cmsg */
#define FAKE_MORE 0x04	       /* the message goes on in the next record */
#define FAKE_EAGAIN 0x08       /* one EAGAIN before this record */
#define FAKE_EINTR 0x10	       /* one EINTR before this record */
#define FAKE_SEND_FULL 0x20    /* the next sendmsg() finds the buffer full */
#define FAKE_BIG 0x40	       /* generated payload of length * BIG_UNIT */
#define FAKE_SID_HIGH 0x80     /* stream number 0xff00 + byte 1 */

/* Header bytes of a record, and the unit of a generated payload. */
#define FAKE_HEADER 4
#define FAKE_BIG_UNIT 32

/* One delivery the fake kernel is handing out. */
struct fake_part {
	const uint8_t *data; /* NULL: generated from fill */
	uint8_t fill;
	size_t len, off;
	bool notification, info, more;
	uint16_t sid;
	uint32_t ppid;
};

static struct {
	const uint8_t *in;
	size_t left;
	struct fake_part part; /* the record being delivered */
	bool have_part;
	bool in_message; /* the last part had no MSG_EOR */
	bool msg_notification, msg_info;
	uint16_t msg_sid;
	uint32_t msg_ppid;
	int send_full; /* sendmsg() calls left to refuse */
	bool eof;      /* input used up: recvmsg() returns 0 (peer gone) */
	unsigned long recv_calls, send_calls;
	unsigned long long delivered; /* bytes recvmsg() handed out */
} fake;

/* Callbacks a target may set to watch what goes in and out. */
static void (*fake_on_part)(const struct fake_part *p, size_t off, size_t n,
			    bool eor);
static int (*fake_on_send)(const struct msghdr *msg);

static inline void
fake_start(const uint8_t *data, size_t size, bool eof_at_end)
{
	memset(&fake, 0, sizeof(fake));
	fake.in = data;
	fake.left = size;
	fake.eof = eof_at_end;
}

/* Copy N bytes of part P from offset OFF. */
static inline void
fake_copy(const struct fake_part *p, size_t off, size_t n, uint8_t *to)
{
	if (p->data)
		memcpy(to, p->data + off, n);
	else
		memset(to, p->fill, n);
}

/* Take the next record off the input. Returns -1 with errno, 0 at the
 * end of the input, 1 with fake.part set. */
static inline int
fake_next_record(void)
{
	uint8_t flags;
	size_t len;
	struct fake_part *p = &fake.part;

	if (fake.left < FAKE_HEADER)
		return 0;
	flags = fake.in[0];
	memset(p, 0, sizeof(*p));
	p->sid = (uint16_t)(fake.in[1] | (flags & FAKE_SID_HIGH ? 0xff00 : 0));
	p->fill = fake.in[1];
	len = (size_t)fake.in[2] | (size_t)fake.in[3] << 8;
	fake.in += FAKE_HEADER;
	fake.left -= FAKE_HEADER;
	if (flags & FAKE_BIG) {
		len *= FAKE_BIG_UNIT;
	} else {
		if (len > fake.left)
			len = fake.left;
		p->data = fake.in;
		fake.in += len;
		fake.left -= len;
	}
	p->len = len;
	p->more = (flags & FAKE_MORE) != 0;
	if (fake.in_message) {
		/* Parts of one message share everything. */
		p->notification = fake.msg_notification;
		p->info = fake.msg_info;
		p->sid = fake.msg_sid;
		p->ppid = fake.msg_ppid;
	} else {
		p->notification = (flags & FAKE_NOTIFICATION) != 0;
		p->info = !p->notification && !(flags & FAKE_NO_INFO);
		p->ppid = (uint32_t)len * 2654435761u; /* any value */
		fake.msg_notification = p->notification;
		fake.msg_info = p->info;
		fake.msg_sid = p->sid;
		fake.msg_ppid = p->ppid;
	}
	/* The kernel never hands out an empty part: SCTP has no empty
	 * messages, and a message's last part carries its last byte. */
	if (p->len == 0) {
		p->len = 1;
		p->data = NULL;
	}
	if (flags & FAKE_SEND_FULL)
		fake.send_full++;
	fake.have_part = true;
	if (flags & (FAKE_EAGAIN | FAKE_EINTR)) {
		errno = flags & FAKE_EINTR ? EINTR : EAGAIN;
		return -1;
	}
	return 1;
}

static inline ssize_t
fake_recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct fake_part *p = &fake.part;
	size_t room = 0, n, done = 0;
	bool eor;

	(void)fd;
	(void)flags;
	fake.recv_calls++;
	msg->msg_flags = 0;
	if (!fake.have_part) {
		int r = fake_next_record();

		if (r < 0)
			return -1;
		if (r == 0) {
			if (fake.eof && !fake.in_message) {
				msg->msg_controllen = 0;
				return 0;
			}
			errno = EAGAIN;
			return -1;
		}
	}
	for (size_t i = 0; i < (size_t)msg->msg_iovlen; i++)
		room += msg->msg_iov[i].iov_len;
	n = p->len - p->off < room ? p->len - p->off : room;
	if (n == 0 && p->len > 0) {
		errno = EINVAL; /* no room at all: a caller's bug */
		return -1;
	}
	for (size_t i = 0; i < (size_t)msg->msg_iovlen && done < n; i++) {
		size_t k = msg->msg_iov[i].iov_len;
		uint8_t *to = msg->msg_iov[i].iov_base;

		if (k > n - done)
			k = n - done;
		fake_copy(p, p->off + done, k, to);
		done += k;
	}
	eor = p->off + n == p->len && !p->more;
	if (fake_on_part)
		fake_on_part(p, p->off, n, eor);
	p->off += n;
	fake.delivered += n;
	if (p->off == p->len)
		fake.have_part = false;
	fake.in_message = !eor;
	if (eor)
		msg->msg_flags |= MSG_EOR;
	if (p->notification)
		msg->msg_flags |= MSG_NOTIFICATION;
	if (p->info && msg->msg_control &&
	    msg->msg_controllen >= CMSG_SPACE(sizeof(struct sctp_rcvinfo))) {
		struct cmsghdr *cm = CMSG_FIRSTHDR(msg);
		struct sctp_rcvinfo ri;

		memset(&ri, 0, sizeof(ri));
		ri.rcv_sid = p->sid;
		ri.rcv_ppid = p->ppid;
		ri.rcv_assoc_id = 1;
		cm->cmsg_level = IPPROTO_SCTP;
		cm->cmsg_type = SCTP_RCVINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(ri));
		memcpy(CMSG_DATA(cm), &ri, sizeof(ri));
		msg->msg_controllen = CMSG_SPACE(sizeof(ri));
	} else {
		msg->msg_controllen = 0;
	}
	return (ssize_t)n;
}

static inline ssize_t
fake_sendmsg(int fd, const struct msghdr *msg, int flags)
{
	size_t len = 0;

	(void)fd;
	(void)flags;
	fake.send_calls++;
	if (fake.send_full > 0) {
		fake.send_full--;
		errno = EAGAIN;
		return -1;
	}
	for (size_t i = 0; i < (size_t)msg->msg_iovlen; i++)
		len += msg->msg_iov[i].iov_len;
	if (fake_on_send && fake_on_send(msg) < 0)
		return -1;
	return (ssize_t)len;
}

/* The SCTP_SNDINFO of a sendmsg(), if it has one. */
static inline bool
fake_sndinfo(const struct msghdr *msg, struct sctp_sndinfo *out)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR((struct msghdr *)msg); cm;
	     cm = CMSG_NXTHDR((struct msghdr *)msg, cm))
		if (cm->cmsg_level == IPPROTO_SCTP &&
		    cm->cmsg_type == SCTP_SNDINFO) {
			memcpy(out, CMSG_DATA(cm), sizeof(*out));
			return true;
		}
	return false;
}

/*
 * err() and errx() end the program; in a fuzz target they come back
 * here instead (the target calls setjmp(fake_exit) first), with the
 * message kept in fake_exit_text so the target can judge it.
 */
static jmp_buf fake_exit;
static char fake_exit_text[256];

static inline void fake_errx(int status, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

static inline void
fake_errx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fake_exit_text, sizeof(fake_exit_text), fmt, ap);
	va_end(ap);
	longjmp(fake_exit, status ? status : 1);
}

#endif /* FUZZ_FAKE_SOCKET_H */
