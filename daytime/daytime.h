/* SPDX-License-Identifier: 0BSD */
/*
 * daytime.h - what daytime_server and its two clients (daytime_client,
 * daytime_client_legacy) agree on: the port, which stream carries what,
 * the PPID of a refusal, and what a client does with each message it
 * gets. The clients differ only in how they receive; this is the rest.
 */
#ifndef DAYTIME_H
#define DAYTIME_H

#include <stdbool.h>
#include <netinet/in.h> /* before netinet/sctp.h, which needs it */
#include <netinet/sctp.h>

#include "util.h"

/*
 * Daytime's own port is 13 (RFC 867), but ports below 1024 need root or
 * CAP_NET_BIND_SERVICE (README.md), so the default sits above 1024.
 */
#define DAYTIME_PORT 3013

/* Which stream carries what, and so how many streams the service needs. */
#define LOCALTIME_STREAM 0
#define GMT_STREAM 1
#define DAYTIME_STREAMS 2

/*
 * Payload protocol identifier of the server's refusal: "this is an
 * explanation, not a time" (the times use 0, unspecified). SCTP carries
 * it untouched. It spells "DAYT" and is no IANA-registered protocol, so
 * Wireshark does not decode the text as something else.
 */
#define DAYTIME_PPID_REFUSED 0x44415954u

/* Longest message either side handles: a time line or the refusal. */
#define MAX_MESSAGE 256

/*
 * What both clients keep: their command line (-a, -p, -i, -v) and how
 * far the server's answer has come.
 */
struct client {
	const char *host;
	unsigned port, instreams;
	bool verbose;
	bool seen[DAYTIME_STREAMS]; /* the streams heard from */
	int got;		    /* time messages taken */
};
#define CLIENT_DEFAULTS                                    \
	{                                                  \
		.host = "127.0.0.1", .port = DAYTIME_PORT, \
		.instreams = DAYTIME_STREAMS               \
	}

/* The options both clients have: false for any other. */
static inline bool
client_option(int opt, struct client *c, const char *options)
{
	switch (opt) {
	case 'a':
		c->host = optarg;
		return true;
	case 'p':
		c->port = number_arg(optarg, "port", 0, 65535, options);
		return true;
	case 'i':
		/* 0 would mean "the kernel default" to SCTP_INITMSG. */
		c->instreams = number_arg(optarg, "inbound streams", 1,
					  UINT16_MAX, options);
		return true;
	case 'v':
		c->verbose = true;
		return true;
	}
	return false;
}

/*
 * A client's socket, not yet connected, and the server's address in SS.
 * SCTP_INITMSG before connect(): the stream counts travel in the INIT.
 * The client never sends data, so one outbound stream is enough.
 */
static inline int
client_socket(const struct client *c, struct sockaddr_storage *ss,
	      socklen_t *len, const char *options)
{
	struct sctp_initmsg init = { .sinit_num_ostreams = 1,
				     .sinit_max_instreams = c->instreams };
	int fd;

	*len = addr_arg(c->host, c->port, IPPROTO_SCTP, ss, options);
	fd = socket(ss->ss_family, SOCK_STREAM, IPPROTO_SCTP);
	if (fd < 0)
		err(1, "socket");
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init)) < 0)
		err(1, "setsockopt SCTP_INITMSG");
	return fd;
}

/* -v: COMM_UP says how many streams each way were agreed. */
static inline void
print_streams(const void *note, size_t len)
{
	struct sctp_assoc_change sac;

	if (len < sizeof(sac))
		return;
	memcpy(&sac, note, sizeof(sac)); /* NOTE need not be aligned */
	if (sac.sac_type == SCTP_ASSOC_CHANGE && sac.sac_state == SCTP_COMM_UP)
		fprintf(stderr, "%s: %u inbound stream(s), %u outbound\n",
			program_invocation_short_name, sac.sac_inbound_streams,
			sac.sac_outbound_streams);
}

/*
 * What a client received: LEN bytes of TEXT (with room for a NUL after
 * them) and the receive FLAGS; for data, the stream SID, its stream
 * sequence number SSN and the PPID (host order). 0 bytes: the server
 * ended the association, too early unless both times came. A notification
 * is no data (MSG_NOTIFICATION). A time is printed, labelled by its
 * stream. Anything wrong: exit 1 with why; the PPID, not the text, marks
 * a refusal.
 */
static inline void
take_message(struct client *c, char *text, size_t len, int flags, uint16_t sid,
	     uint16_t ssn, uint32_t ppid)
{
	if (len == 0) {
		for (int i = 0; i < DAYTIME_STREAMS; i++)
			if (!c->seen[i])
				warnx("missing message on stream %d", i);
		errx(1, "the server closed the association early");
	}
	text[len] = '\0';
	if (flags & MSG_NOTIFICATION) {
		print_streams(text, len);
		return;
	}
	/* Drop the line ending the server put on the message. */
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	if (c->verbose)
		fprintf(stderr, "%s: stream %u ssn %u ppid %#x: %s\n",
			program_invocation_short_name, sid, ssn, ppid, text);
	if (ppid == DAYTIME_PPID_REFUSED)
		errx(1, "server refused: %s", text);
	if (sid >= DAYTIME_STREAMS)
		errx(1, "unexpected message on stream %u: %s", sid, text);
	if (c->seen[sid])
		errx(1, "second message on stream %u: %s", sid, text);
	c->seen[sid] = true;
	c->got++;
	printf("%s %s\n", sid == LOCALTIME_STREAM ? "(Local)" : "(GMT  )",
	       text);
}
#endif /* DAYTIME_H */
