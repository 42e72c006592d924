/* SPDX-License-Identifier: 0BSD */
/*
 * multihome_server - multihoming, server side: one endpoint, several
 * addresses, one association that spans them all.
 *
 * A TCP listener has one address (or the wildcard). An SCTP endpoint binds
 * a SET of addresses with sctp_bindx(), and every association it accepts
 * lists that whole set in its INIT-ACK, so the peer can reach it over any
 * of them. sctp_getladdrs() shows the set; bound to the wildcard on an
 * IPv6 socket it is every address of the host, IPv4 and IPv6 alike.
 *
 * One one-to-many socket (SOCK_SEQPACKET) serves every association in a
 * single recvmsg() loop: it echoes each message on the stream it came
 * in on, and prints each association's events with a timestamp, and
 * with -v every message and the client address it came from: when a
 * path fails, that address changes and the association lives on. The -T
 * settings (named as the net.sctp sysctls) apply to every association.
 *
 * Try:
 *   terminal 1: multihome/multihome_server -a 127.0.0.1 -a 127.0.0.2
 *   terminal 2: multihome/multihome_client -a 127.0.0.1 -a 127.0.0.2 -c 20
 * multihome/failover.sh breaks a path under a running association.
 *
 * Read: sctp_bindx(3), sctp_getladdrs(3), sctp_getpaddrs(3), sctp(7),
 * RFC 6458 section 6.1.2 (SCTP_PEER_ADDR_CHANGE), multihome/README.md.
 */
#include "multihome.h"

/* Largest message echoed whole: a bigger one is dropped, with a word. */
#define MAX_MESSAGE 65536

/* On a one-to-many socket listen() only switches accepting on. */
#define LISTEN_BACKLOG 1

static const char options[] =
	"[-a ADDR]... [-p PORT] [-T NAME=VALUE]... [-v] [-h]\n"
	"  -a ADDR        address to bind (repeat it; default: every one)\n"
	"  -p PORT        port (default 3016; 0: the kernel picks one)\n"
	"  -T NAME=VALUE  path-failure setting for every association "
	"(times in ms):\n"
	"                 " TUNING_NAMES "\n"
	"  -v             print every message echoed, and where it came from\n"
	"  -h             this help (also --help)\n";

/*
 * Bind every -a address (none: the wildcard, "::", which covers IPv4
 * too), set the socket up and listen. Prints the address set, the
 * settings and the "listening on" line.
 */
static int
open_endpoint(struct common_args *a)
{
	struct sockaddr_storage ss[MAX_ADDRS];
	int family = AF_INET, fd, i;

	if (a->n == 0)
		a->hosts[a->n++] = "::";
	for (i = 0; i < a->n; i++) {
		addr_arg(a->hosts[i], a->port, IPPROTO_SCTP, &ss[i], options);
		if (ss[i].ss_family == AF_INET6)
			family = AF_INET6;
	}
	fd = socket(family, SOCK_SEQPACKET, IPPROTO_SCTP);
	if (fd < 0)
		err(1, "socket");
	/*
	 * sctp_bindx() takes a packed array, but one call per address names
	 * an address this host does not have. The first call picks the
	 * port (0: the kernel's choice); the later ones inherit it.
	 */
	for (i = 0; i < a->n; i++)
		if (sctp_bindx(fd, (struct sockaddr *)&ss[i], 1,
			       SCTP_BINDX_ADD_ADDR) < 0)
			err(1, "sctp_bindx %s", a->hosts[i]);
	setup_socket(fd, family, &a->t);
	if (listen(fd, LISTEN_BACKLOG) < 0)
		err(1, "listen");
	print_addrs(fd, 0, false, "");
	print_settings(fd, SCTP_FUTURE_ASSOC);
	print_listening(fd);
	return fd;
}

/*
 * The send buffer belongs to the socket, shared by all its associations:
 * a peer that never reads keeps its echoes there, unacknowledged, until
 * the buffer is full for everyone. Find such peers (SCTP_STATUS: their
 * receive window is closed while we have data for them) and ABORT them,
 * which frees their share. Returns how many were aborted.
 */
static int
abort_non_readers(int fd)
{
	struct sctp_assoc_ids *ids;
	uint32_t count;
	socklen_t len = sizeof(count);
	int aborted = 0;

	if (getsockopt(fd, IPPROTO_SCTP, SCTP_GET_ASSOC_NUMBER, &count, &len))
		return 0;
	len = (socklen_t)(sizeof(*ids) + count * sizeof(sctp_assoc_t));
	ids = malloc(len);
	if (ids == NULL)
		err(1, "malloc");
	/* More associations by now? Try again at the next full buffer. */
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_GET_ASSOC_ID_LIST, ids, &len))
		ids->gaids_number_of_ids = 0;
	for (uint32_t i = 0; i < ids->gaids_number_of_ids; i++) {
		struct sctp_status st = { .sstat_assoc_id =
						  ids->gaids_assoc_id[i] };

		len = sizeof(st);
		if (getsockopt(fd, IPPROTO_SCTP, SCTP_STATUS, &st, &len) ||
		    st.sstat_rwnd > 0 ||
		    st.sstat_unackdata + st.sstat_penddata == 0)
			continue;
		warnx("assoc %d: not reading (receive window closed, our send "
		      "buffer full): aborting it",
		      (int)st.sstat_assoc_id);
		if (send_msg(fd, NULL, 0, 0, 0, SCTP_ABORT, st.sstat_assoc_id))
			warn("sendmsg SCTP_ABORT");
		else
			aborted++;
	}
	free(ids);
	return aborted;
}

/* Every association's messages and notifications, as they come. */
static void
serve(int fd, bool verbose)
{
	static union {
		union sctp_notification sn; /* aligns the buffer for it */
		char data[MAX_MESSAGE];
	} in;
	struct sctp_rcvinfo info = { 0 };
	struct sockaddr_storage from;
	char now[CLOCK_LEN], text[ADDR_STRLEN];
	int flags, state;
	ssize_t n;

	for (;;) {
		n = recv_msg(fd, in.data, sizeof(in.data), &info, &flags,
			     &from);
		if (n < 0 && errno == EMSGSIZE) {
			warnx("assoc %d: message over %d bytes dropped",
			      (int)info.rcv_assoc_id, MAX_MESSAGE);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err(1, "recvmsg");
		/* A new association: the client's addresses, its paths. */
		if (flags & MSG_NOTIFICATION) {
			state = print_event(&in.sn, (size_t)n);
			if (state == SCTP_COMM_UP || state == SCTP_RESTART)
				print_addrs(fd,
					    in.sn.sn_assoc_change.sac_assoc_id,
					    true, "  ");
			continue;
		}
		if (verbose) {
			printf("%s assoc %d: echo %zd bytes on stream %u from "
			       "%s\n",
			       clock_str(now, sizeof(now)),
			       (int)info.rcv_assoc_id, n, info.rcv_sid,
			       addr_str((struct sockaddr *)&from, text));
			fflush(stdout);
		}
		if (send_msg(fd, in.data, (size_t)n, info.rcv_sid,
			     info.rcv_ppid, 0, info.rcv_assoc_id) == 0)
			continue;
		/* A full buffer: free what non-readers hold, try once more. */
		if (errno == EAGAIN && abort_non_readers(fd) > 0 &&
		    send_msg(fd, in.data, (size_t)n, info.rcv_sid,
			     info.rcv_ppid, 0, info.rcv_assoc_id) == 0)
			continue;
		/* One peer's trouble is a warning: that echo is lost. */
		warn("sendmsg to assoc %d", (int)info.rcv_assoc_id);
	}
}

int
main(int argc, char **argv)
{
	struct common_args a = { .port = MULTIHOME_PORT };
	bool verbose = false;
	int opt;

	while ((opt = next_opt(argc, argv, ":a:p:T:vh", options)) != -1) {
		if (opt == 'v')
			verbose = true;
		else
			common_opt(opt, &a, options);
	}
	serve(open_endpoint(&a), verbose);
	return 0;
}
