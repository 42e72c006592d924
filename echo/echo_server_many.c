/* SPDX-License-Identifier: 0BSD */
/*
 * echo_server_many.c - an SCTP echo server, one-to-many (SOCK_SEQPACKET).
 *
 * One socket and no accept() serve every association: each message comes
 * with the association and the stream it belongs to (SCTP_RCVINFO), and
 * the echo names both (SCTP_SNDINFO). Associations are learnt from
 * SCTP_ASSOC_CHANGE notifications, which come through the same recvmsg()
 * as the data, never to be echoed. -t closes idle associations
 * (SCTP_AUTOCLOSE); SIGINT or SIGTERM SHUTDOWNs them all (SCTP_EOF).
 *
 * All associations share the socket's send buffer: a peer that never
 * reads would fill it and stall everyone. So a send waits SEND_TIMEOUT at
 * most (SO_SNDTIMEO), then the association whose echo it was is ABORTed:
 * normally the non-reader, whose echoes filled the buffer, though a reader
 * whose echo comes at the wrong moment may pay instead.
 * Try: echo/echo_server_many -v -t 30, then echo/echo_client -s 3 -m hi
 * Read: sctp(7), RFC 6458 sections 3, 5.3.4, 5.3.5, 6.1.1 and 8.1.8.
 */
#include <signal.h>
#include <unistd.h>

#include "util.h"

#define PROTOCOL IPPROTO_SCTP /* no TCP twin: TCP has no one-to-many */
#include "echo.h"

#define SEND_TIMEOUT 2	/* seconds an echo may wait for room */
#define CLOSE_TIMEOUT 5 /* seconds SIGTERM waits for SHUTDOWNs */

static int
open_socket(const struct sockaddr_storage *ss, socklen_t len, unsigned in,
	    unsigned out, int autoclose)
{
	struct sctp_event ac = { .se_type = SCTP_ASSOC_CHANGE, .se_on = 1 },
			  pd = { .se_type = SCTP_PARTIAL_DELIVERY_EVENT,
				 .se_on = 1 };
	struct timeval tv = { SEND_TIMEOUT, 0 };
	int sd = socket(ss->ss_family, SOCK_SEQPACKET, IPPROTO_SCTP);

	if (sd < 0)
		err(1, "socket");
	/* Each notification type is a setsockopt of its own (RFC 6458). */
	if (setsockopt(sd, IPPROTO_SCTP, SCTP_EVENT, &ac, sizeof(ac)) ||
	    setsockopt(sd, IPPROTO_SCTP, SCTP_EVENT, &pd, sizeof(pd)))
		err(1, "setsockopt SCTP_EVENT");
	if (autoclose && setsockopt(sd, IPPROTO_SCTP, SCTP_AUTOCLOSE,
				    &autoclose, sizeof(autoclose)))
		err(1, "setsockopt SCTP_AUTOCLOSE");
	if (setsockopt(sd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)))
		err(1, "setsockopt SO_SNDTIMEO");
	serve_on(sd, ss, len, in, out);
	return sd;
}

static volatile sig_atomic_t stop;
static int verbose;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* ABORT association ID now; the caller drops what it still has for us. */
static sctp_assoc_t
abort_assoc(int sd, sctp_assoc_t id, const char *why)
{
	warnx("association %d: %s: aborting it", (int)id, why);
	if (send_msg(sd, NULL, 0, 0, 0, SCTP_ABORT, id))
		warn("sendmsg SCTP_ABORT");
	return id;
}

/* A notification: returns +1 or -1 as an association comes or goes. */
static int
notification(int sd, const union sctp_notification *sn)
{
	const struct sctp_assoc_change *sac = &sn->sn_assoc_change;
	struct sctp_status st = { .sstat_assoc_id = sac->sac_assoc_id };
	socklen_t len = sizeof(st);
	char peer[ADDR_STRLEN];
	int id = (int)sac->sac_assoc_id;

	if (sn->sn_header.sn_type == SCTP_PARTIAL_DELIVERY_EVENT)
		warnx("association %d: partial delivery aborted",
		      (int)sn->sn_pdapi_event.pdapi_assoc_id);
	if (sn->sn_header.sn_type != SCTP_ASSOC_CHANGE ||
	    sac->sac_state == SCTP_RESTART)
		return 0;
	if (sac->sac_state != SCTP_COMM_UP) {
		printf("association %d closed (%s)\n", id,
		       sac->sac_state == SCTP_COMM_LOST ? "COMM_LOST"
							: "SHUTDOWN_COMP");
		return -1;
	}
	/* No getpeername() on a one-to-many socket: SCTP_STATUS has it. */
	if (getsockopt(sd, IPPROTO_SCTP, SCTP_STATUS, &st, &len))
		warn("association %d: SCTP_STATUS", id);
	printf("association %d up: %s, %u streams in, %u out\n", id,
	       addr_str((void *)&st.sstat_primary.spinfo_address, peer),
	       sac->sac_inbound_streams, sac->sac_outbound_streams);
	return 1;
}

static const char options[] =
	"[-a ADDR] [-p PORT] [-i STREAMS] [-o STREAMS] [-t SECS] [-v] [-h]\n"
	"  -a ADDR     address to listen on (default: every address)\n"
	"  -p PORT     port (default 2013; 0: the kernel picks)\n"
	"  -i STREAMS  inbound streams to accept (default 10)\n"
	"  -o STREAMS  outbound streams to offer (default 10)\n"
	"  -t SECS     close associations idle this long (SCTP_AUTOCLOSE)\n"
	"  -v          print every message\n"
	"  -h          this help (also --help)\n";

int
main(int argc, char **argv)
{
	unsigned long port = 2013, in = 10, out = 10, idle = 0, messages = 0;
	struct sigaction sa = { .sa_handler = on_signal };
	struct timeval tv = { CLOSE_TIMEOUT, 0 };
	static char buf[MAX_MESSAGE];
	const char *addr = NULL;
	struct sockaddr_storage ss;
	socklen_t len;
	struct sctp_rcvinfo info;
	sctp_assoc_t id, dropped = 0; /* ABORTed by us: drop its rest */
	int opt, sd, flags, live = 0, closing = 0;
	ssize_t n;

	while ((opt = next_opt(argc, argv, ":a:p:i:o:t:vh", options)) != -1) {
		if (opt == 'a')
			addr = optarg;
		else if (opt == 'p')
			port = number_arg(optarg, "port", 0, 65535, options);
		else if (opt == 'i')
			in = number_arg(optarg, "streams", 1, 65535, options);
		else if (opt == 'o')
			out = number_arg(optarg, "streams", 1, 65535, options);
		else if (opt == 't')
			idle = number_arg(optarg, "seconds", 1, 86400, options);
		else
			verbose = 1;
	}
	/* No SA_RESTART: a signal ends recvmsg() with EINTR. */
	if (sigaction(SIGINT, &sa, NULL) || sigaction(SIGTERM, &sa, NULL))
		err(1, "sigaction");
	setvbuf(stdout, NULL, _IOLBF, 0);
	len = addr_arg(addr, (unsigned)port, PROTOCOL, &ss, options);
	sd = open_socket(&ss, len, (unsigned)in, (unsigned)out, (int)idle);

	while (!closing || live > 0) {
		if (stop && !closing) {
			/* Backlog 0: no new associations. SCTP_EOF SHUTDOWNs
			 * one, SCTP_SENDALL every one (close() would ABORT). */
			printf("shutting down %d associations\n", live);
			closing = 1;
			if (listen(sd, 0) ||
			    send_msg(sd, NULL, 0, 0, 0, SCTP_EOF | SCTP_SENDALL,
				     0) ||
			    setsockopt(sd, SOL_SOCKET, SO_RCVTIMEO, &tv,
				       sizeof(tv)))
				warn("shutting down");
		}
		n = recv_msg(sd, buf, sizeof(buf), &info, &flags);
		id = info.rcv_assoc_id;
		/* CLOSE_TIMEOUT without a word, or (ENOTCONN) none was left */
		if (n < 0 && closing && (errno == EAGAIN || errno == ENOTCONN))
			break;
		if (n < 0 && errno == EMSGSIZE && id != dropped)
			dropped = abort_assoc(sd, id, "message over 400 KiB");
		else if (n < 0 && errno != EINTR && errno != EMSGSIZE)
			warn("recvmsg");
		if (n > 0 && (flags & MSG_NOTIFICATION))
			live += notification(sd, (void *)buf);
		if (n <= 0 || (flags & MSG_NOTIFICATION) || id == dropped)
			continue;
		messages++;
		if (verbose)
			printf("association %d: %zd bytes on stream %u\n",
			       (int)id, n, info.rcv_sid);
		if (closing)
			continue; /* we sent SHUTDOWN: nothing can go back */
		if (send_msg(sd, buf, (size_t)n, info.rcv_sid, info.rcv_ppid,
			     info.rcv_flags & SCTP_UNORDERED, id) == 0)
			continue;
		if (errno == EAGAIN)
			dropped = abort_assoc(sd, id, "not reading");
		else if (errno != EINTR)
			warn("association %d: sendmsg", (int)id);
	}
	printf("stopped after %lu messages\n", messages);
	return 0;
}
