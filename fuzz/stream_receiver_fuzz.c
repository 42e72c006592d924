/*
 * stream_receiver_fuzz.c - libFuzzer target: stream_receiver.c's
 * message reassembly (receive_message) and its parsing of the sender's
 * header (tally_message), then the report, on a receive queue the
 * fuzzer writes (fake_socket.h).
 *
 * The functions are static, so this file includes
 * multistream/stream_receiver.c with recvmsg pointed at the fake queue
 * and err()/errx() brought back here. Checks on top of the sanitizers:
 *   - every whole message is counted once: received + duplicates +
 *     malformed equals the messages handed over;
 *   - no more messages are received than the first header announced;
 *   - the program gives up (errx) only for a message longer than its
 *     buffer, which stream_sender never sends.
 *
 * The header's message count and flow count size the receiver's tables
 * (up to 10,000,000 messages and 65,535 flows: hundreds of megabytes,
 * and a report that walks every message once per flow). Inputs whose
 * first header asks for more than FUZZ_TABLE_MAX cells are skipped, to
 * keep each run short; hostile.bats covers the big ones on a real
 * association.
 *
 * Try:
 *   fuzz/run.sh 10 stream_receiver
 */
#include <endian.h>
#include <err.h>
#include <unistd.h>
#include <sys/time.h>
#include <sys/uio.h>

#include "util_old.h"
#include "fake_socket.h"

int stream_receiver_main(int argc, char **argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define recvmsg fake_recvmsg
#define err fake_errx
#define errx fake_errx
#define main stream_receiver_main
#include "../multistream/stream_receiver.c"
#undef main
#undef errx
#undef err
#undef recvmsg

#define FAKE_FD 1000
/* Largest count x flows a run may ask the tables for (see above). */
#define FUZZ_TABLE_MAX (1 << 16)
/* Most inbound streams a run grants: enough to go past them. */
#define FUZZ_STREAMS_MAX 16

static unsigned char buf[MAX_LENGTH];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* volatile: kept across the longjmp() of an errx(). */
	volatile unsigned long handed = 0;
	struct tally t;
	unsigned stream = 0;
	int unordered = 0, verbose = 0, code;
	ssize_t n;

	memset(&t, 0, sizeof(t));
	t.streams = 1;
	if (size > 0) {
		t.streams = 1 + data[0] % FUZZ_STREAMS_MAX;
		verbose = data[0] >= 128;
		data++;
		size--;
	}
	t.last_ordered = malloc(t.streams * sizeof(*t.last_ordered));
	if (t.last_ordered == NULL)
		abort();
	for (unsigned s = 0; s < t.streams; s++)
		t.last_ordered[s] = -1;
	fake_start(data, size, true);

	code = setjmp(fake_exit);
	if (code == 0) {
		while ((n = receive_message(FAKE_FD, buf, sizeof(buf), &stream,
					    &unordered)) > 0) {
			if (t.delay == NULL && (size_t)n >= HEADER_SIZE &&
			    (uint64_t)get32(buf + OFF_COUNT) *
					    get16(buf + OFF_FLOWS) >
				    FUZZ_TABLE_MAX)
				continue; /* too big to be quick, see above */
			tally_message(&t, buf, (size_t)n, stream, unordered,
				      verbose);
			handed++;
		}
		report(&t);
		if (t.received + t.duplicates + t.malformed != handed) {
			fprintf(stderr, "%lu messages, %lu counted\n", handed,
				t.received + t.duplicates + t.malformed);
			abort();
		}
		if (t.received > t.count) {
			fprintf(stderr, "%lu received of %u announced\n",
				t.received, t.count);
			abort();
		}
	} else if (strstr(fake_exit_text, "a message longer than") == NULL) {
		fprintf(stderr, "gave up: %s\n", fake_exit_text);
		abort();
	}
	free(t.delay);
	free(t.flow_of);
	free(t.flow);
	free(t.last_ordered);
	return 0;
}
