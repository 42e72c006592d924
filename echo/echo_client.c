/* SPDX-License-Identifier: 0BSD */
/*
 * echo_client.c - sends messages to an echo server and checks the echoes.
 *
 * The client side of a one-to-one association: a TCP client but for
 * IPPROTO_SCTP in socket() (built with -DUSE_TCP it is tcp_echo_client).
 * Each line of stdin, or each -m TEXT, or a -l LENGTH message, -c times,
 * goes out as one message on stream -s; its echo must come back whole, on
 * that stream, in order: exit status 0, else 1 (2: a bad command line).
 * -m and -l messages are pipelined; lines go one at a time.
 * Try: echo/echo_server, and elsewhere echo/echo_client -v -s 2 -m hello
 * Read: sctp(7), RFC 6458 sections 5.3.4, 5.3.5 and 8.2.1 (SCTP_STATUS).
 */
#include <limits.h>
#include <unistd.h>

#include "util.h"

#ifdef USE_TCP
#define PROTOCOL IPPROTO_TCP /* tcp_echo_client */
#else
#define PROTOCOL IPPROTO_SCTP
#endif
#include "echo.h"

/* Messages in flight: at most WINDOW, and FLIGHT bytes (or one message),
 * so that the echoes fit in our receive buffer while we send: neither end
 * then waits for the other. */
#define WINDOW 16
#define FLIGHT (64 * 1024)

static int sd, sndbuf, verbose;
static unsigned sid;
static const char **texts; /* the -m TEXTs */
static unsigned long ntexts, length, total;
static char *echo, *pattern; /* sndbuf bytes; -l bytes */

static void
connect_to(const char *host, unsigned port, const char *options)
{
	unsigned streams = sid < 10 ? 10 : sid + 1; /* 10: Linux's */
	struct sctp_initmsg im = { .sinit_num_ostreams = streams,
				   .sinit_max_instreams = streams };
	struct sctp_status st = { 0 };
	struct sockaddr_storage ss;
	socklen_t len = addr_arg(host, port, PROTOCOL, &ss, options);
	socklen_t sl = sizeof(int), stl = sizeof(st);
	int proto, on = 1, size = SNDBUF_WANTED;
	char a[ADDR_STRLEN];

	addr_str((struct sockaddr *)&ss, a);
	sd = socket(ss.ss_family, SOCK_STREAM, PROTOCOL);
	if (sd < 0)
		err(1, "socket");
	/* What it really is: withsctp makes the TCP twin's socket SCTP. */
	if (getsockopt(sd, SOL_SOCKET, SO_PROTOCOL, &proto, &sl))
		err(1, "getsockopt SO_PROTOCOL");
	if (proto == IPPROTO_SCTP &&
	    (setsockopt(sd, IPPROTO_SCTP, SCTP_INITMSG, &im, sizeof(im)) ||
	     setsockopt(sd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on))))
		err(1, "setsockopt SCTP_INITMSG, SCTP_RECVRCVINFO");
	if (setsockopt(sd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)))
		err(1, "setsockopt SO_SNDBUF");
	if (connect(sd, (struct sockaddr *)&ss, len))
		err(1, "connect to %s", a);
	if (getsockopt(sd, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl))
		err(1, "getsockopt SO_SNDBUF");
	/* Did the server grant the stream we mean to use? */
	if (proto == IPPROTO_SCTP &&
	    getsockopt(sd, IPPROTO_SCTP, SCTP_STATUS, &st, &stl))
		err(1, "getsockopt SCTP_STATUS");
	if (proto != IPPROTO_SCTP) /* a byte stream each way */
		st.sstat_outstrms = st.sstat_instrms = 1;
	if (verbose)
		fprintf(stderr,
			"connected to %s over %s\nsend buffer %d bytes\n"
			"%u streams out, %u in\n",
			a, proto == IPPROTO_SCTP ? "SCTP" : "TCP", sndbuf,
			st.sstat_outstrms, st.sstat_instrms);
	if (sid >= st.sstat_outstrms && proto != IPPROTO_SCTP)
		errx(1, "stream %u: TCP has only one stream", sid);
	if (sid >= st.sstat_outstrms)
		errx(1,
		     "stream %u was not granted: the server accepted %u "
		     "streams (0 to %u)",
		     sid, st.sstat_outstrms, st.sstat_outstrms - 1u);
}

/*
 * Message K (from 0), or NULL after the last: the next line of stdin (one
 * at a time: K is never more than one past the last line read), the next
 * -m TEXT, or for -l its number and then a pattern, so that a lost,
 * doubled or reordered echo cannot look right.
 */
static const char *
message(unsigned long k, size_t *len)
{
	static char *line;
	static size_t cap, used;
	static unsigned long lines, lineno;
	ssize_t n;

	while (!length && !ntexts && k == lines &&
	       (n = getline(&line, &cap, stdin)) > 0) {
		used = (size_t)n - (line[n - 1] == '\n');
		lineno++;
		/* A DATA chunk carries at least one byte (RFC 9260 3.3.1). */
		if (used == 0)
			warnx("line %lu is empty: SCTP has no empty messages, "
			      "skipped",
			      lineno);
		lines += used > 0;
	}
	if (ferror(stdin))
		err(1, "read stdin");
	*len = length ? length : ntexts ? strlen(texts[k % ntexts]) : used;
	if (!length && !ntexts)
		return k < lines ? line : NULL;
	if (k >= total)
		return NULL;
	if (length == 0)
		return texts[k % ntexts];
	n = snprintf(pattern, length, "%lu:", k + 1);
	for (size_t i = (size_t)n; i < length; i++)
		pattern[i] = (char)('a' + (k + i) % 26);
	return pattern;
}

/* Message K, LEN bytes of DATA, on our stream; exit 1 if it cannot go. */
static void
send_message(unsigned long k, const char *data, size_t len)
{
	if (send_msg(sd, data, len, (uint16_t)sid, 0, 0, 0) == 0)
		return;
	if (errno == EMSGSIZE)
		errx(1,
		     "message %lu (%zu bytes) is larger than the send buffer "
		     "(SO_SNDBUF %d bytes): sendmsg: %s",
		     k + 1, len, sndbuf, strerror(errno));
	err(1, "sendmsg");
}

/* Echo K must be DATA: print it (TEXT) or its size; exit 1 if it is not. */
static void
check_echo(unsigned long k, const char *data, size_t len, int text)
{
	struct sctp_rcvinfo info;
	int flags;
	ssize_t n = recv_msg(sd, echo, (size_t)sndbuf, &info, &flags);

	if (n == 0)
		errx(1, "the server closed the association after %lu echoes",
		     k);
	if (n < 0)
		err(1, "recvmsg"); /* EMSGSIZE: longer than we could send */
	if (text)
		printf("%.*s\n", (int)n, echo);
	else
		printf("echo %lu: %zd bytes\n", k + 1, n);
	if (verbose)
		fprintf(stderr, "echo %lu: %zd bytes on stream %u\n", k + 1, n,
			info.rcv_sid);
	if ((size_t)n != len || memcmp(echo, data, len) != 0)
		errx(1,
		     "echo %lu differs from message %lu (%zu bytes sent, %zd "
		     "came back)",
		     k + 1, k + 1, len, n);
	if (info.rcv_sid != sid)
		errx(1, "echo %lu came back on stream %u, sent on %u", k + 1,
		     info.rcv_sid, sid);
}

static const char options[] =
	"[-a HOST] [-p PORT] [-s STREAM] [-m TEXT]... [-l LENGTH] [-c COUNT] "
	"[-v] [-h]\n"
	"  -a HOST    server name or address (default 127.0.0.1)\n"
	"  -p PORT    server port (default 2013)\n"
	"  -s STREAM  stream to send on (default 0)\n"
	"  -m TEXT    send TEXT as one message (repeatable); without -m or\n"
	"             -l, each line of stdin is one message\n"
	"  -l LENGTH  send a generated message of LENGTH bytes\n"
	"  -c COUNT   send the -m or -l messages COUNT times (default 1)\n"
	"  -v         say more on stderr (streams, send buffer, time)\n"
	"  -h         this help (also --help)\n";

int
main(int argc, char **argv)
{
	unsigned long port = 2013, reps = 1, sent = 0, got, window;
	size_t len, longest = 0;
	const char *host = "127.0.0.1", *data;
	time_t start;
	int opt;

	texts = calloc((size_t)argc, sizeof(*texts));
	if (texts == NULL)
		err(1, "calloc");
	while ((opt = next_opt(argc, argv, ":a:p:s:m:l:c:vh", options)) != -1) {
		if (opt == 'a')
			host = optarg;
		else if (opt == 'p')
			port = number_arg(optarg, "port", 0, 65535, options);
		else if (opt == 's')
			sid = number_arg(optarg, "stream", 0, 65534, options);
		else if (opt == 'l')
			length = number_arg(optarg, "length", 1,
					    64 * SNDBUF_WANTED, options);
		else if (opt == 'c')
			reps = number_arg(optarg, "count", 1, INT_MAX, options);
		else if (opt == 'v')
			verbose = 1;
		else if (*optarg == '\0')
			usage_error(options, "-m",
				    "SCTP has no empty messages");
		else
			texts[ntexts++] = optarg;
	}
	for (unsigned long i = 0; i < ntexts; i++)
		if (strlen(texts[i]) > longest)
			longest = strlen(texts[i]);
	if (length && ntexts)
		usage_error(options, "-m and -l", "one or the other");
	if (length && (pattern = malloc(length)) == NULL)
		err(1, "malloc");
	total = length ? reps : ntexts * reps;

	connect_to(host, (unsigned)port, options);
	if ((echo = malloc((size_t)sndbuf)) == NULL)
		err(1, "malloc");
	start = time(NULL);
	/* Lines one at a time; others up to WINDOW, FLIGHT bytes at most. */
	window = length || ntexts ? FLIGHT / (length + longest + 1) + 1 : 1;
	if (window > WINDOW)
		window = WINDOW;
	for (got = 0;; got++) {
		while (sent - got < window && (data = message(sent, &len)))
			send_message(sent++, data, len);
		if (got == sent)
			break; /* no more messages, every echo back */
		data = message(got, &len);
		check_echo(got, data, len, length == 0);
	}
	if (verbose)
		fprintf(stderr, "%lu echoes in %ld s\n", got,
			(long)(time(NULL) - start));
	/* Nothing is left unread, so close() ends with SHUTDOWN. */
	if (close(sd))
		err(1, "close");
	return 0;
}
