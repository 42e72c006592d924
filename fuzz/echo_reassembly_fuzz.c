/*
 * echo_reassembly_fuzz.c - libFuzzer target: echo_server.c's message
 * reassembly (read_client, send_echo) on a receive queue the fuzzer
 * writes (fake_socket.h).
 *
 * read_client() and send_echo() are static, so this file includes
 * echo/echo_server.c itself, with recvmsg and sendmsg pointed at the
 * fake queue. What it checks on top of the sanitizers:
 *   - every whole data message is echoed once, byte for byte, in order,
 *     on the stream and with the PPID it came with;
 *   - notification bytes never end up in an echo;
 *   - a client is dropped only at the end of its input or f or a message
 *     longer than the largest echo (max_message, the send buffer).
 *
 * Try:
 *   fuzz/run.sh 10 echo_reassembly
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/sctp.h>

#include "fake_socket.h"

int echo_server_main(int argc, char **argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define recvmsg fake_recvmsg
#define sendmsg fake_sendmsg
#define main echo_server_main
#include "../echo/echo_server.c"
#undef main
#undef sendmsg
#undef recvmsg

/* A descriptor number nothing else uses: the fake ignores it anyway. */
#define FAKE_FD 1000
/* Each record takes a few rounds at most (a part, an EAGAIN, a refused
 * send); a loop that needs far more than that is spinning. */
#define ROUNDS_PER_BYTE 4
#define ROUNDS_MIN 1000

/* Whole messages received and not yet echoed, oldest first. */
struct expected {
	uint8_t *bytes;
	size_t len;
	bool info;
	uint16_t sid;
	uint32_t ppid;
};

static struct {
	struct expected queue[4]; /* one in hand, at most, plus margin */
	size_t count;
	uint8_t *cur; /* the data message being received */
	size_t cur_len, cur_cap;
} want;

static void
on_part(const struct fake_part *p, size_t off, size_t n, bool eor)
{
	if (p->notification)
		return;
	if (want.cur_len + n > want.cur_cap) {
		size_t cap = (want.cur_len + n) * 2;
		uint8_t *q = realloc(want.cur, cap);

		if (q == NULL)
			abort();
		want.cur = q;
		want.cur_cap = cap;
	}
	fake_copy(p, off, n, want.cur + want.cur_len);
	want.cur_len += n;
	if (!eor)
		return;
	if (want.count == sizeof(want.queue) / sizeof(want.queue[0])) {
		fprintf(stderr, "more than %zu echoes owed\n", want.count);
		abort();
	}
	want.queue[want.count++] = (struct expected){
		.bytes = want.cur,
		.len = want.cur_len,
		.info = p->info,
		.sid = p->sid,
		.ppid = p->ppid,
	};
	want.cur = NULL;
	want.cur_len = want.cur_cap = 0;
}

static int
on_send(const struct msghdr *msg)
{
	struct expected e;
	struct sctp_sndinfo snd;
	bool has = fake_sndinfo(msg, &snd);
	const uint8_t *sent = msg->msg_iov[0].iov_base;
	size_t len = msg->msg_iov[0].iov_len;

	if (want.count == 0) {
		fprintf(stderr, "an echo of %zu bytes nobody sent\n", len);
		abort();
	}
	e = want.queue[0];
	if (msg->msg_iovlen != 1 || len != e.len ||
	    (len && memcmp(sent, e.bytes, len) != 0)) {
		fprintf(stderr, "echo of %zu bytes, the message had %zu\n", len,
			e.len);
		abort();
	}
	if (has != e.info ||
	    (has && (snd.snd_sid != e.sid || snd.snd_ppid != e.ppid))) {
		fprintf(stderr, "echo on the wrong stream or PPID\n");
		abort();
	}
	free(e.bytes);
	memmove(&want.queue[0], &want.queue[1],
		--want.count * sizeof(want.queue[0]));
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct client c = { .fd = FAKE_FD };
	bool at_end = size > 0 && (data[0] & 1);
	int rc = 0;

	verbose = size > 0 && (data[0] & 2);
	/* The largest echo is the send buffer the kernel gave (main() asks
	 * for it); a few sizes around the read chunk find the edges. */
	max_message = size > 0 ? READ_CHUNK / 2 * (1 + (data[0] >> 2 & 7))
			       : READ_CHUNK;
	if (size > 0) {
		data++;
		size--;
	}
	memset(&want, 0, sizeof(want));
	fake_start(data, size, at_end);
	fake_on_part = on_part;
	fake_on_send = on_send;
	snprintf(c.peer, sizeof(c.peer), "fuzz");

	/* The server's loop for one client: POLLOUT sends the echo in
	 * hand, POLLIN reads; here every round is both. */
	for (unsigned long round = 0;; round++) {
		if (round > ROUNDS_PER_BYTE * size + ROUNDS_MIN)
			abort(); /* the loop spins: it would hang the server */
		if (c.echoing)
			rc = send_echo(&c);
		if (rc == 0 && !c.echoing)
			rc = read_client(&c);
		if (rc < 0)
			break;
		if (!c.echoing && !fake.have_part && fake.left < FAKE_HEADER)
			break; /* the queue is empty for good */
	}
	if (rc < 0 &&
	    !(fake.eof && !fake.have_part && fake.left < FAKE_HEADER) &&
	    c.len <= max_message) {
		fprintf(stderr, "client dropped after %zu bytes\n", c.len);
		abort();
	}
	/* Everything whole was echoed, unless the client was dropped in
	 * the middle of an over-long message that came after it. */
	if (want.count != 0) {
		fprintf(stderr, "%zu messages never echoed\n", want.count);
		abort();
	}
	free(c.buf);
	free(want.cur);
	return 0;
}
