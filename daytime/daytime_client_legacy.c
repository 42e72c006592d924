/* SPDX-License-Identifier: 0BSD */
/*
 * daytime_client_legacy - daytime_client as the articles wrote it: the
 * stream number from sctp_recvmsg() and the SCTP_EVENTS subscription,
 * calls RFC 6458 deprecates but most SCTP code on the web still uses. It
 * prints what daytime_client prints; README.md sets the two side by side.
 *
 * Two details make the old calls work. Each has an option that leaves it
 * out, to show what goes wrong (README.md, "The articles' calls"):
 *   - sctp_recvmsg() fills its struct sctp_sndrcvinfo only when the socket
 *     subscribes to sctp_data_io_event. Without it (-n), or with the new
 *     SCTP_RECVRCVINFO in its place (-r), sinfo is left as it was: every
 *     message seems to come on stream 0, and a refusal passes for a time.
 *   - *msg_flags is in AND out: libsctp passes it to recvmsg() as its
 *     flags, so it is set to 0 before each call. -F FLAGS sets FLAGS.
 *
 * Try (with daytime/daytime_server running):
 *   daytime/daytime_client_legacy        (the same two lines)
 *   daytime/daytime_client_legacy -n     (exit 1: two messages "on 0")
 *   daytime/daytime_client_legacy -F 2   (MSG_PEEK: the same one twice)
 *
 * Read: sctp_recvmsg(3), sctp(7), RFC 6458 (which deprecates sctp_recvmsg,
 * SCTP_EVENTS and the SCTP_SNDRCV it delivers).
 */
#include <limits.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/sctp.h>

#include "daytime.h"

/* The defaults: DAYTIME_PORT and DAYTIME_STREAMS (daytime.h). */
static const char options[] =
	"[-a ADDR] [-p PORT] [-i STREAMS] [-v] [-n | -r] [-F FLAGS] [-h]\n"
	"  -a ADDR     server address (default 127.0.0.1)\n"
	"  -p PORT     server port (default 3013)\n"
	"  -i STREAMS  most inbound streams to accept (default 2)\n"
	"  -v          also the stream counts and each message's stream,\n"
	"              SSN and PPID on stderr\n"
	"  -n          no sctp_data_io_event (shows the pitfall)\n"
	"  -r          SCTP_RECVRCVINFO instead of it (the same pitfall)\n"
	"  -F FLAGS    *msg_flags before each call, instead of 0 (decimal;\n"
	"              shows the pitfall: 2 is MSG_PEEK)\n"
	"  -h          this help (also --help)\n";

int
main(int argc, char **argv)
{
	struct client c = CLIENT_DEFAULTS;
	struct sctp_event_subscribe events = { 0 };
	bool no_io = false, rcvinfo = false;
	struct sockaddr_storage ss;
	socklen_t sslen;
	int opt, fd, on = 1, start_flags = 0;

	while ((opt = next_opt(argc, argv, ":a:p:i:vnrF:h", options)) != -1) {
		if (opt == 'n')
			no_io = true;
		else if (opt == 'r')
			rcvinfo = true;
		else if (opt == 'F')
			start_flags = (int)number_arg(optarg, "flags", 0,
						      INT_MAX, options);
		else
			client_option(opt, &c, options);
	}
	fd = client_socket(&c, &ss, &sslen, options);
	/*
	 * The articles' subscription: one struct, a flag per kind of news.
	 * sctp_data_io_event is what attaches the SCTP_SNDRCV control message
	 * that sctp_recvmsg() copies into sinfo; -v adds COMM_UP.
	 */
	events.sctp_data_io_event = !no_io && !rcvinfo;
	events.sctp_association_event = c.verbose;
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_EVENTS, &events, sizeof(events)) <
	    0)
		err(1, "setsockopt SCTP_EVENTS");
	/* -r: the new option instead, which sctp_recvmsg() ignores. */
	if (rcvinfo &&
	    setsockopt(fd, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on)) < 0)
		err(1, "setsockopt SCTP_RECVRCVINFO");
	if (connect(fd, (struct sockaddr *)&ss, sslen) < 0)
		err(1, "connect");

	while (c.got < DAYTIME_STREAMS) {
		char text[MAX_MESSAGE];
		/* Zeroed: without sctp_data_io_event it stays so (stream 0). */
		struct sctp_sndrcvinfo sinfo = { 0 };
		int flags = start_flags; /* in AND out: 0 on the way in */
		int n = sctp_recvmsg(fd, text, sizeof(text) - 1, NULL, NULL,
				     &sinfo, &flags);

		if (n < 0)
			err(1, "sctp_recvmsg");
		/* A call returns what fits; MSG_EOR marks a message's end. */
		if (n > 0 && !(flags & MSG_EOR))
			errx(1, "a message longer than %zu bytes",
			     sizeof(text) - 1);
		take_message(&c, text, (size_t)n, flags, sinfo.sinfo_stream,
			     sinfo.sinfo_ssn, ntohl(sinfo.sinfo_ppid));
	}
	/* Both came: nothing unread, so close() is a graceful SHUTDOWN. */
	if (close(fd) < 0)
		err(1, "close");
	return 0;
}
