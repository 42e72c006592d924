/* SPDX-License-Identifier: 0BSD */
/*
 * util.h - what every program shares: the command-line idiom, addresses as
 * text. No socket is opened here and no sctp_* called: every SCTP call
 * stays visible in its lesson.
 *
 * Letters mean the same everywhere: -a ADDR (repeatable when multihoming),
 * -p PORT (0: the kernel picks), -s STREAM to send on, -u unordered, -i N
 * inbound streams to accept, -o N outbound streams to ask for, -m TEXT,
 * -c COUNT, -l LENGTH, -r RATE per second, -t SECONDS, -v verbose; -h and
 * --help: usage, exit 0. A bad command line: a reason and usage, exit 2.
 */
#ifndef SCTP_SAMPLES_UTIL_H
#define SCTP_SAMPLES_UTIL_H

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <netdb.h>
#include <arpa/inet.h>

#define EXIT_USAGE 2 /* a bad command line, as in the shell */

/* A bad command line: "prog: WHAT: WHY" (unless WHAT is NULL), then the
 * usage after the program's name, OPTIONS; exit 2. */
static inline void
usage_error(const char *options, const char *what, const char *why)
{
	if (what)
		warnx("%s: %s", what, why);
	fprintf(stderr, "usage: %s %s", program_invocation_short_name, options);
	exit(EXIT_USAGE);
}

/* getopt_long(3) answering -h, --help and --version; OPTS starts with ':'.
 * A missing value, an unknown option, an operand: usage errors. */
static inline int
next_opt(int argc, char **argv, const char *opts, const char *options)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 1 },
		{ NULL, 0, NULL, 0 },
	};
	int opt = getopt_long(argc, argv, opts, longopts, NULL);

	if (opt == 'h') {
		printf("usage: %s %s", program_invocation_short_name, options);
		exit(0);
	}
	if (opt == 1) {
		printf("%s (sctp-samples) 2.0\n",
		       program_invocation_short_name);
		exit(0);
	}
	if (opt == ':' || opt == '?')
		usage_error(options, argv[optind - 1],
			    opt == ':' ? "needs a value" : "unknown option");
	if (opt == -1 && optind < argc)
		usage_error(options, argv[optind], "unexpected argument");
	return opt;
}

/* A decimal number in [min, max]: 0, or -1 and why ("-1", " 1": no). */
static inline int
parse_number(const char *text, const char *what, unsigned long min,
	     unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	if (text[0] >= '0' && text[0] <= '9') {
		*out = strtoul(text, &end, 10);
		if (errno == 0 && *end == '\0' && *out >= min && *out <= max)
			return 0;
	}
	warnx("%s: '%s' is not a number from %lu to %lu", what, text, min, max);
	return -1;
}

/* parse_number() for an option's value: a bad one is a usage error. */
static inline unsigned long
number_arg(const char *text, const char *what, unsigned long min,
	   unsigned long max, const char *options)
{
	unsigned long v;

	if (parse_number(text, what, min, max, &v) < 0)
		usage_error(options, NULL, NULL);
	return v;
}

/* HOST (name or literal; NULL: "::", every address of both families) and
 * PORT into SS; returns its length. A bad host is a usage error. */
static inline socklen_t
addr_arg(const char *host, unsigned port, int protocol,
	 struct sockaddr_storage *ss, const char *options)
{
	struct addrinfo *ai, hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
				       .ai_family = host ? 0 : AF_INET6,
				       .ai_protocol = protocol };
	char service[8];
	socklen_t len;
	int rc;

	snprintf(service, sizeof(service), "%u", port);
	rc = getaddrinfo(host, service, &hints, &ai);
	if (rc != 0)
		usage_error(options, host ? host : "::", gai_strerror(rc));
	memcpy(ss, ai->ai_addr, len = ai->ai_addrlen);
	freeaddrinfo(ai);
	return len;
}

/* SA as "ADDR port N" ("::1 port 5000"), into BUF of ADDR_STRLEN. */
#define ADDR_STRLEN (INET6_ADDRSTRLEN + 12)
static inline const char *
addr_str(const struct sockaddr *sa, char *buf)
{
	const struct sockaddr_in *in = (const void *)sa;
	const struct sockaddr_in6 *in6 = (const void *)sa;
	int v6 = sa->sa_family == AF_INET6;
	char a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(sa->sa_family,
		  v6 ? (const void *)&in6->sin6_addr
		     : (const void *)&in->sin_addr,
		  a, sizeof(a));
	snprintf(buf, ADDR_STRLEN, "%s port %u", a,
		 ntohs(v6 ? in6->sin6_port : in->sin_port));
	return buf;
}

/* What a server prints once FD listens: scripts wait for the line. */
static inline void
print_listening(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char buf[ADDR_STRLEN];

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		err(1, "getsockname");
	printf("listening on %s\n", addr_str((void *)&ss, buf));
	fflush(stdout);
}

/* accept() failed. Out of descriptors or memory: one line (one write: it
 * never breaks in two), a second's wait (no busy loop, no flooded log),
 * and serve again once they are freed. */
static inline void
accept_failed(void)
{
	if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
		return; /* a signal; a client gone before it was accepted */
	if (errno != EMFILE && errno != ENFILE && errno != ENOBUFS &&
	    errno != ENOMEM)
		err(1, "accept");
	fprintf(stderr, "%s: accept (retrying in 1 s): %s\n",
		program_invocation_short_name, strerror(errno));
	nanosleep(&(struct timespec){ 1, 0 }, NULL);
}

/* Wall-clock time as "HH:MM:SS.mmm", for timestamped lines. */
static inline const char *
clock_str(char *buf, size_t len)
{
	struct timespec ts;
	char hms[16];

	clock_gettime(CLOCK_REALTIME, &ts);
	strftime(hms, sizeof(hms), "%T", localtime(&ts.tv_sec));
	snprintf(buf, len, "%s.%03ld", hms, ts.tv_nsec / 1000000);
	return buf;
}
#endif /* SCTP_SAMPLES_UTIL_H */
