/* SPDX-License-Identifier: 0BSD */
/*
 * daytime_server - multistreaming: one association, two streams, two kinds
 * of message. Every client gets the local time on stream 0 and the same
 * instant in GMT on stream 1, then a graceful SHUTDOWN.
 *
 * A one-to-one (SOCK_STREAM) SCTP server, written like a TCP one. What SCTP
 * adds is the stream count: the server asks for DAYTIME_STREAMS outbound
 * streams with SCTP_INITMSG before listen(), and after accept() it reads
 * SCTP_STATUS to see how many the peer granted (the peer's inbound limit
 * wins). With fewer it cannot keep the promise: it says why on stream 0,
 * tagged with a PPID the client recognises, and closes gracefully.
 *
 * One client at a time is enough: the server never reads, and its two
 * short messages fit in the send buffer, so no client can make it wait.
 *
 * Try:
 *   terminal 1: TZ=Asia/Kolkata daytime/daytime_server
 *   terminal 2: daytime/daytime_client         (Local is GMT + 5:30)
 *               daytime/daytime_client -i 1    (refused: one stream)
 *
 * Read: sctp(7), sctp_sendv(3), accept(2), getsockopt(2), RFC 6458
 * sections 5.3.4 (SCTP_SNDINFO), 8.2.1 (SCTP_STATUS), 8.1.3 (SCTP_INITMSG).
 */
#include <signal.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/sctp.h>

#include "daytime.h"

/* The server never reads data, so one inbound stream is plenty. */
#define SERVER_INSTREAMS 1
/* A full accept queue makes Linux ABORT new clients: allow a burst. */
#define LISTEN_BACKLOG SOMAXCONN
/* Same layout as ctime(3), which the classic daytime servers send. */
#define TIME_FORMAT "%a %b %e %H:%M:%S %Y\n"

/* The defaults: DAYTIME_PORT and DAYTIME_STREAMS (daytime.h). */
static const char options[] =
	"[-a ADDR] [-p PORT] [-o STREAMS] [-h]\n"
	"  -a ADDR     address to listen on (default: every address)\n"
	"  -p PORT     port (default 3013; 0: the kernel picks one)\n"
	"  -o STREAMS  outbound streams to ask for (default 2; fewer\n"
	"              than 2 makes the server refuse every client)\n"
	"  -h          this help (also --help)\n";

/* BUF as one message on stream SID, tagged PPID: 0, or -1 with errno. */
static int
send_msg(int fd, const void *buf, size_t len, uint16_t sid, uint32_t ppid)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	/* SCTP copies the PPID to the wire as is: network byte order. */
	struct sctp_sndinfo info = { .snd_sid = sid, .snd_ppid = htonl(ppid) };

	/* An SCTP message is sent whole or not at all. */
	return sctp_sendv(fd, &iov, 1, NULL, 0, &info, sizeof(info),
			  SCTP_SENDV_SNDINFO, 0) < 0
		       ? -1
		       : 0;
}

/* One client: the streams granted, then the two times or the refusal. */
static void
serve(int fd, const char *peer)
{
	struct sctp_status status = { 0 };
	socklen_t len = sizeof(status);
	char local[MAX_MESSAGE], gmt[MAX_MESSAGE], why[MAX_MESSAGE];
	time_t now = time(NULL);
	struct tm tm;

	if (getsockopt(fd, IPPROTO_SCTP, SCTP_STATUS, &status, &len) < 0) {
		warn("%s: getsockopt SCTP_STATUS", peer);
		return;
	}
	if (status.sstat_outstrms < DAYTIME_STREAMS) {
		warnx("%s: only %u outbound stream(s) granted, need %d: "
		      "refused",
		      peer, status.sstat_outstrms, DAYTIME_STREAMS);
		snprintf(why, sizeof(why),
			 "the association has %u stream(s) from server to "
			 "client, daytime needs %d (local time on stream %d, "
			 "GMT on stream %d)\n",
			 status.sstat_outstrms, DAYTIME_STREAMS,
			 LOCALTIME_STREAM, GMT_STREAM);
		/* Stream 0 always exists: every association has one. */
		if (send_msg(fd, why, strlen(why), LOCALTIME_STREAM,
			     DAYTIME_PPID_REFUSED) < 0)
			warn("%s: sctp_sendv", peer);
		return;
	}

	/* One instant, two renderings: the lines differ only by zone. */
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(local, sizeof(local), TIME_FORMAT, &tm) == 0 ||
	    gmtime_r(&now, &tm) == NULL ||
	    strftime(gmt, sizeof(gmt), TIME_FORMAT, &tm) == 0) {
		warnx("%s: cannot format the time", peer);
		return;
	}
	if (send_msg(fd, local, strlen(local), LOCALTIME_STREAM, 0) < 0 ||
	    send_msg(fd, gmt, strlen(gmt), GMT_STREAM, 0) < 0) {
		warn("%s: sctp_sendv", peer);
		return;
	}
	printf("%s: local time on stream %d, GMT on stream %d\n", peer,
	       LOCALTIME_STREAM, GMT_STREAM);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	const char *host = NULL;
	unsigned port = DAYTIME_PORT, ostreams = DAYTIME_STREAMS;
	struct sockaddr_storage ss;
	struct sctp_initmsg init = { 0 };
	socklen_t sslen;
	int opt, lfd;

	while ((opt = next_opt(argc, argv, ":a:p:o:h", options)) != -1) {
		switch (opt) {
		case 'a':
			host = optarg;
			break;
		case 'p':
			port = number_arg(optarg, "port", 0, 65535, options);
			break;
		case 'o':
			ostreams = number_arg(optarg, "outbound streams", 1,
					      UINT16_MAX, options);
			break;
		}
	}
	sslen = addr_arg(host, port, IPPROTO_SCTP, &ss, options);
	signal(SIGPIPE, SIG_IGN); /* sctp_sendv has no MSG_NOSIGNAL: EPIPE */
	/* Read TZ now: localtime_r() need not do it for us (POSIX). */
	tzset();

	lfd = socket(ss.ss_family, SOCK_STREAM, IPPROTO_SCTP);
	if (lfd < 0)
		err(1, "socket");
	if (bind(lfd, (struct sockaddr *)&ss, sslen) < 0)
		err(1, "bind");
	/* Before listen(): for every INIT-ACK and every accepted socket. */
	init.sinit_num_ostreams = ostreams;
	init.sinit_max_instreams = SERVER_INSTREAMS;
	if (setsockopt(lfd, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init)) <
	    0)
		err(1, "setsockopt SCTP_INITMSG");
	if (listen(lfd, LISTEN_BACKLOG) < 0)
		err(1, "listen");
	print_listening(lfd);

	for (;;) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		char name[ADDR_STRLEN];
		int fd = accept(lfd, (struct sockaddr *)&peer, &len);

		if (fd < 0) {
			accept_failed(); /* out of descriptors: waits 1 s */
			continue;
		}
		serve(fd, addr_str((struct sockaddr *)&peer, name));
		/* Nothing unread: a graceful SHUTDOWN, after what is queued. */
		if (close(fd) < 0)
			warn("%s: close", name);
	}
}
