/* SPDX-License-Identifier: 0BSD */
/*
 * provoke.c - a client that makes SCTP notifications happen, and prints
 * the ones its own end gets.
 *
 * Each option is one way to make an event happen, at one end or at both
 * (events/README.md has the table). The calls are in the order they
 * happen: socket options before the association, sctp_connectx(), what
 * it does once the association is up (data on a stream, with a PR-SCTP
 * lifetime; a stream reconfiguration; an AUTH key retired), then the
 * events until its end, printed as sctp_events prints them (events.h).
 *
 * Try (two terminals):
 *   $ events/sctp_events -a 127.0.0.1 -p 9999
 *   $ events/provoke -a 127.0.0.1 -p 9999 -m hello -t 1
 *
 * Read: RFC 6458 sections 5.3 (SCTP_SNDINFO, SCTP_PRINFO) and 8 (socket
 * options); RFC 6525 (stream reconfiguration); RFC 4895 (AUTH).
 */
#include <poll.h>
#include <unistd.h>

#include "events.h"

#define MS_PER_S 1000
/* Outbound streams -R add asks for. */
#define STREAMS_TO_ADD 2

static const char options[] =
	"[-a ADDR] -p PORT [-m TEXT] [-l LENGTH] [-s STREAM] [-x MS]\n"
	"          [-R out|in|assoc|add] [-A IND] [-k KEY:SECRET]... [-K KEY]\n"
	"          [-d KEY] [-t SECONDS] [-X]\n"
	"  -a ADDR    the server (default 127.0.0.1)\n"
	"  -p PORT    its port\n"
	"  -A IND     announce adaptation layer indication IND\n"
	"  -k KEY:SECRET  an AUTH shared key; DATA must be signed\n"
	"  -K KEY     sign with key number KEY\n"
	"once the association is up:\n"
	"  -m TEXT    send TEXT\n"
	"  -l LENGTH  send a message of LENGTH bytes\n"
	"  -s STREAM  send on STREAM (default 0); -R in/out resets only it\n"
	"  -x MS      PR-SCTP: drop what is not sent within MS ms\n"
	"  -R WHAT    reset the outgoing (out) or incoming (in) streams or "
	"the\n"
	"             association (assoc), or add 2 outgoing streams (add)\n"
	"  -d KEY     deactivate AUTH key number KEY\n"
	"  -t SECONDS end it SECONDS later: SHUTDOWN, or ABORT with -X\n"
	"  -h         this help (also --help)\n";

/*
 * Send one message on stream SID of association ASSOC: sendmsg() with an
 * SCTP_SNDINFO cmsg, and an SCTP_PRINFO one when TTL (ms) sets a PR-SCTP
 * lifetime (sctp_sendv() of libsctp 1.0.19 cannot take both). Returns
 * what sendmsg() does: -1 with errno, or the whole length.
 */
static ssize_t
send_msg(int fd, const void *buf, size_t len, uint16_t sid, uint16_t flags,
	 sctp_assoc_t assoc, uint32_t ttl)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct sctp_sndinfo)) +
			 CMSG_SPACE(sizeof(struct sctp_prinfo))];
		struct cmsghdr align;
	} ctl = { { 0 } };
	struct sctp_sndinfo si = { .snd_sid = sid,
				   .snd_flags = flags,
				   .snd_assoc_id = assoc };
	struct sctp_prinfo pr = { .pr_policy = SCTP_PR_SCTP_TTL,
				  .pr_value = ttl };
	struct iovec iov = { (void *)buf, len };
	struct msghdr m = { .msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = ctl.buf,
			    .msg_controllen = ttl ? sizeof(ctl.buf)
						  : CMSG_SPACE(sizeof(si)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);

	c->cmsg_level = IPPROTO_SCTP;
	c->cmsg_type = SCTP_SNDINFO;
	c->cmsg_len = CMSG_LEN(sizeof(si));
	memcpy(CMSG_DATA(c), &si, sizeof(si));
	if (ttl) {
		c = CMSG_NXTHDR(&m, c);
		c->cmsg_level = IPPROTO_SCTP;
		c->cmsg_type = SCTP_PRINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pr));
		memcpy(CMSG_DATA(c), &pr, sizeof(pr));
	}
	return sendmsg(fd, &m, MSG_NOSIGNAL);
}

/*
 * -R: one stream reconfiguration request (RFC 6525; sysctl
 * net.sctp.reconf_enable=1 at both ends). Linux allows one outstanding
 * request per association; the answer comes back as a STREAM_RESET,
 * ASSOC_RESET or STREAM_CHANGE event at both ends.
 */
static void
reconfigure(int fd, const char *what, long stream, sctp_assoc_t id)
{
	struct sctp_add_streams as = { .sas_assoc_id = id,
				       .sas_outstrms = STREAMS_TO_ADD };
	uint16_t one = stream >= 0; /* none listed: every stream */
	union {
		struct sctp_reset_streams rs;
		char buf[sizeof(struct sctp_reset_streams) + sizeof(uint16_t)];
	} u = { .rs = { .srs_assoc_id = id, .srs_number_streams = one } };

	if (!strcmp(what, "assoc")) {
		/* Both directions start again from fresh TSNs and SSNs. */
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_RESET_ASSOC, &id,
			       sizeof(id)) < 0)
			warn("setsockopt SCTP_RESET_ASSOC");
		return;
	}
	if (!strcmp(what, "add")) {
		if (setsockopt(fd, IPPROTO_SCTP, SCTP_ADD_STREAMS, &as,
			       sizeof(as)) < 0)
			warn("setsockopt SCTP_ADD_STREAMS");
		return;
	}
	/* "out" or "in": the streams of one direction start again at SSN 0. */
	u.rs.srs_flags = !strcmp(what, "out") ? SCTP_STREAM_RESET_OUTGOING
					      : SCTP_STREAM_RESET_INCOMING;
	u.rs.srs_stream_list[0] = (uint16_t)stream; /* read if ONE */
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_RESET_STREAMS, &u,
		       (socklen_t)(sizeof(u.rs) + one * sizeof(uint16_t))) < 0)
		warn("setsockopt SCTP_RESET_STREAMS");
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * MS_PER_S + ts.tv_nsec / (1000 * 1000);
}

int
main(int argc, char **argv)
{
	const char *host = "127.0.0.1", *text = NULL, *reconf = NULL;
	char *keys[KEYS_MAX];
	unsigned long port = 0, length = 0, ttl = 0, adaptation = 0;
	/* The numbers that may be left out: -1 until given. */
	long stream = -1, active_key = -1, deactivate_key = -1, end_after = -1;
	long long end_at;
	uint16_t sid, end_flag = SCTP_EOF;
	int nkeys = 0, opt, fd;
	struct sockaddr_storage ss;
	sctp_assoc_t id;
	bool adapt = false, over;
	ssize_t n;

	while ((opt = next_opt(argc, argv, ":a:p:m:l:s:x:R:A:k:K:d:t:Xh",
			       options)) != -1) {
		switch (opt) {
		case 'a':
			host = optarg;
			break;
		case 'p':
			port = number_arg(optarg, "-p", 0, 65535, options);
			break;
		case 'm':
			text = optarg;
			break;
		case 'l':
			length =
				number_arg(optarg, "-l", 1, INT32_MAX, options);
			break;
		case 's':
			stream = number_arg(optarg, "-s", 0, 65535, options);
			break;
		case 'x':
			ttl = number_arg(optarg, "-x", 1, UINT32_MAX, options);
			break;
		case 'R':
			if (strcmp(optarg, "out") && strcmp(optarg, "in") &&
			    strcmp(optarg, "assoc") && strcmp(optarg, "add"))
				usage_error(options, "-R",
					    "takes out, in, assoc or add");
			reconf = optarg;
			break;
		case 'A':
			adaptation = number_arg(optarg, "-A", 0, UINT32_MAX,
						options);
			adapt = true;
			break;
		case 'k':
			key_arg(optarg, keys, &nkeys, options);
			break;
		case 'K':
			active_key =
				number_arg(optarg, "-K", 0, 65535, options);
			break;
		case 'd':
			deactivate_key =
				number_arg(optarg, "-d", 0, 65535, options);
			break;
		case 't':
			end_after =
				number_arg(optarg, "-t", 0, INT32_MAX, options);
			break;
		case 'X':
			end_flag = SCTP_ABORT;
			break;
		}
	}
	if (port == 0)
		usage_error(options, "-p", "the server's port is needed");
	catch_signals();

	addr_arg(host, port, IPPROTO_SCTP, &ss, options);
	fd = socket(ss.ss_family, SOCK_SEQPACKET, IPPROTO_SCTP);
	if (fd < 0)
		err(1, "socket");
	/* Socket options first: the association takes them at its start. */
	if (adapt &&
	    setsockopt(fd, IPPROTO_SCTP, SCTP_ADAPTATION_LAYER,
		       &(struct sctp_setadaptation){ (uint32_t)adaptation },
		       sizeof(struct sctp_setadaptation)) < 0)
		err(1, "setsockopt SCTP_ADAPTATION_LAYER");
	add_keys(fd, keys, nkeys);
	if (active_key >= 0 &&
	    setsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_ACTIVE_KEY,
		       &(struct sctp_authkeyid){ SCTP_FUTURE_ASSOC,
						 (uint16_t)active_key },
		       sizeof(struct sctp_authkeyid)) < 0)
		err(1, "setsockopt SCTP_AUTH_ACTIVE_KEY");
	subscribe(fd, ~0UL);

	/* Blocks until the association is up (COMM_UP) or failed. */
	if (sctp_connectx(fd, (struct sockaddr *)&ss, 1, &id) < 0) {
		warn("sctp_connectx");
		/* The event that says why (CANT_STR_ASSOC) is queued. */
		drain(fd, false);
		return 1;
	}

	/* What the association gets once it is up. */
	sid = stream < 0 ? 0 : (uint16_t)stream;
	if (text &&
	    send_msg(fd, text, strlen(text), sid, 0, id, (uint32_t)ttl) < 0)
		warn("sendmsg");
	if (length) {
		char *big = malloc(length);

		if (!big)
			err(1, "malloc");
		for (size_t i = 0; i < length; i++)
			big[i] = (char)('a' + i % 26);
		if (send_msg(fd, big, length, sid, 0, id, (uint32_t)ttl) < 0)
			warn("sendmsg");
		free(big);
	}
	if (reconf)
		reconfigure(fd, reconf, stream, id);
	if (deactivate_key >= 0) {
		/* The key stays in use until nothing refers to it; then the
		 * kernel says FREE_KEY (AUTHENTICATION_EVENT). */
		struct sctp_authkeyid kid = { id, (uint16_t)deactivate_key };

		if (setsockopt(fd, IPPROTO_SCTP, SCTP_AUTH_DEACTIVATE_KEY, &kid,
			       sizeof(kid)) < 0)
			warn("setsockopt SCTP_AUTH_DEACTIVATE_KEY");
	}

	end_at = end_after < 0 ? -1 : now_ms() + end_after * MS_PER_S;
	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = end_at - now_ms();
		int r = poll(&pfd, 1,
			     end_at < 0 ? -1 : (int)(left > 0 ? left : 0));

		if (r == 0) {
			/* -t: SCTP_EOF (SHUTDOWN) or SCTP_ABORT (-X), of the
			 * association the sndinfo names. */
			if (send_msg(fd, NULL, 0, 0, end_flag, id, 0) < 0)
				warn("sendmsg");
			end_at = -1;
			continue;
		}
		if (r < 0 || (n = show(fd, false, &over)) < 0) {
			if (errno == EINTR)
				continue;
			err(1, r < 0 ? "poll" : "recvmsg");
		}
		if (n == 0 || over)
			break; /* EOF, or the association is over */
	}
	close(fd);
	return 0;
}
