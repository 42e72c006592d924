/*
 * events_receive_fuzz.c - libFuzzer target: sctp_events.c's receive
 * path (receive, notification): notification parts joined up to
 * MSG_EOR in a buffer of NOTE_MAX bytes, then decoded, with data parts
 * mixed in, on a receive queue the fuzzer writes (fake_socket.h).
 *
 * receive() is static, so this file includes events/sctp_events.c with
 * recvmsg/sendmsg pointed at the fake queue and err()/errx() brought
 * back here. A notification bigger than NOTE_MAX must be cut, never
 * overflow; a COMM_UP in the input makes the program send (-m), which
 * the fake send buffer accepts or refuses.
 *
 * Try:
 *   fuzz/run.sh 10 events_receive
 */
#include <err.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <unistd.h>

#include "util_old.h"
#include "decode.h"
#include "fake_socket.h"

int sctp_events_main(int argc, char **argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define recvmsg fake_recvmsg
#define sendmsg fake_sendmsg
#define err fake_errx
#define errx fake_errx
#define main sctp_events_main
#include "../events/sctp_events.c"
#undef main
#undef errx
#undef err
#undef sendmsg
#undef recvmsg

#define FAKE_FD 1000
/*
 * Each record takes a few calls, and a generated (FAKE_BIG) one up to a
 * call per byte it hands out: more calls than that is a spinning loop.
 */
#define CALLS_PER_BYTE 4
#define CALLS_MIN 1000

static struct session session;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *texts[] = { "hello" };
	struct opts o;
	unsigned long calls = 0;

	memset(&o, 0, sizeof(o));
	o.listen = true;
	o.count = 1;
	o.adaptation = o.active_key = o.deactivate_key = o.end_after = -1;
	if (size > 0) {
		o.verbose = data[0] & 1;
		o.one_to_one = data[0] & 2;
		if (data[0] & 4) {
			o.texts[0] = texts[0];
			o.ntexts = 1;
		}
		data++;
		size--;
	}
	memset(&session, 0, sizeof(session));
	session.end_at = -1;
	fake_start(data, size, true);
	if (setjmp(fake_exit) != 0) {
		fprintf(stderr, "gave up: %s\n", fake_exit_text);
		abort();
	}
	for (;;) {
		int r = receive(FAKE_FD, &o, &session, 0);

		if (r == 0 || session.over)
			break;
		if (r < 0 && !fake.have_part && fake.left < FAKE_HEADER)
			break; /* the queue is empty for good */
		if (++calls >
		    CALLS_PER_BYTE * size + CALLS_MIN + fake.delivered)
			abort(); /* spinning */
	}
	if (session.note_len > sizeof(session.note))
		abort();
	return 0;
}
