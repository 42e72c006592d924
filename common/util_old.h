/* SPDX-License-Identifier: 0BSD */
/*
 * util.h - the one helper header every program in this suite shares.
 *
 * It stays tiny on purpose: argument parsing, address printing and name
 * tables. It never opens, binds or configures a socket and never calls an
 * sctp_* function, so every SCTP call a program teaches stays visible in
 * that program's own file. Everything here is static inline: no globals,
 * no library to link.
 *
 * Command-line letters mean the same thing in every program:
 *   -a ADDR    address to bind (servers) or connect to (clients);
 *              repeat it where a program takes several (multihoming)
 *   -p PORT    port (0: the kernel picks one; servers print it)
 *   -s STREAM  stream number to send on
 *   -m TEXT    message to send (repeatable)
 *   -c COUNT   how many messages
 *   -l LENGTH  message length in bytes
 *   -o N       outbound streams to ask for (SCTP_INITMSG)
 *   -i N       most inbound streams to accept (SCTP_INITMSG)
 *   -r RATE    messages per second
 *   -u         send unordered (SCTP_UNORDERED)
 *   -t SECONDS a timeout (idle autoclose, run time)
 *   -v         verbose
 *   -h         help on stdout, exit 0
 * A bad command line prints one reason and the usage on stderr, exit 2.
 */
#ifndef SCTP_SAMPLES_UTIL_H
#define SCTP_SAMPLES_UTIL_H

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <netinet/sctp.h>

/* Exit status for a bad command line, as in the shell and most tools. */
#define EXIT_USAGE 2

/*
 * Parse a whole decimal number in [min, max]. Returns 0, or -1 (with a
 * reason on stderr naming the option) when the text is not such a number.
 */
static inline int
parse_number(const char *text, const char *what, unsigned long min,
	     unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	/* strtoul would also take " 80", "+80" and "-80" (wrapped): refuse. */
	if (text[0] < '0' || text[0] > '9')
		goto bad;
	v = strtoul(text, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		goto bad;
	*out = v;
	return 0;
bad:
	fprintf(stderr, "%s: %s: '%s' is not a number from %lu to %lu\n",
		program_invocation_short_name, what, text, min, max);
	return -1;
}

/* A port number, 0 to 65535 (0 lets the kernel choose). */
static inline int
parse_port(const char *text, uint16_t *port)
{
	unsigned long v;

	if (parse_number(text, "port", 0, UINT16_MAX, &v) < 0)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/*
 * Resolve HOST (a name, an IPv4 or an IPv6 literal) for the given socket
 * type and protocol. Passing IPPROTO_SCTP matters: without it getaddrinfo
 * has no reason to return SCTP-capable entries. Returns 0 or -1 with the
 * reason on stderr (an unresolvable host is a command-line problem).
 */
static inline int
resolve(const char *host, uint16_t port, int socktype, int protocol,
	int passive, struct addrinfo **res)
{
	struct addrinfo hints;
	char service[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = socktype;
	hints.ai_protocol = protocol;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	snprintf(service, sizeof(service), "%u", (unsigned)port);
	rc = getaddrinfo(host, service, &hints, res);
	if (rc != 0) {
		fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name,
			host ? host : "(any)",
			rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		return -1;
	}
	return 0;
}

/* The address part of SA as text ("127.0.0.1", "::1"); "?" if unknown. */
static inline const char *
addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	const void *a = NULL;

	if (sa->sa_family == AF_INET)
		a = &((const struct sockaddr_in *)(const void *)sa)->sin_addr;
	else if (sa->sa_family == AF_INET6)
		a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	if (a == NULL ||
	    inet_ntop(sa->sa_family, a, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?(family %d)", sa->sa_family);
	return buf;
}

/* The port of an AF_INET or AF_INET6 address, in host byte order. */
static inline unsigned
addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)sa)
				     ->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)sa)
				     ->sin6_port);
	return 0;
}

/* Size of one packed address in an sctp_bindx/sctp_getladdrs array. */
static inline size_t
addr_len(const struct sockaddr *sa)
{
	return sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
					 : sizeof(struct sockaddr_in);
}

/*
 * The line every server prints once it is ready, so that scripts and
 * tests can wait for it instead of sleeping. SA comes from getsockname(),
 * so a port asked for as 0 shows the one the kernel chose.
 */
static inline void
print_listening(const struct sockaddr *sa)
{
	char buf[INET6_ADDRSTRLEN + 16];

	printf("listening on %s port %u\n", addr_str(sa, buf, sizeof(buf)),
	       addr_port(sa));
	fflush(stdout);
}

/* Wall-clock time as "HH:MM:SS.mmm", for event lines. */
static inline const char *
clock_str(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	snprintf(buf, len, "%02d:%02d:%02d.%03ld", tm.tm_hour, tm.tm_min,
		 tm.tm_sec, ts.tv_nsec / 1000000);
	return buf;
}

/* Monotonic time in nanoseconds, for measuring delays. */
static inline int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Name tables. Type numbers differ between Linux and BSD: use the names.
 * Each returns NULL for a value it does not know, so the caller can print
 * the number instead of dropping it.
 */

static inline const char *
sctp_sn_type_name(unsigned type)
{
	switch (type) {
	case SCTP_ASSOC_CHANGE:
		return "ASSOC_CHANGE";
	case SCTP_PEER_ADDR_CHANGE:
		return "PEER_ADDR_CHANGE";
	case SCTP_SEND_FAILED:
		return "SEND_FAILED";
	case SCTP_REMOTE_ERROR:
		return "REMOTE_ERROR";
	case SCTP_SHUTDOWN_EVENT:
		return "SHUTDOWN_EVENT";
	case SCTP_PARTIAL_DELIVERY_EVENT:
		return "PARTIAL_DELIVERY_EVENT";
	case SCTP_ADAPTATION_INDICATION:
		return "ADAPTATION_INDICATION";
	case SCTP_AUTHENTICATION_EVENT:
		return "AUTHENTICATION_EVENT";
	case SCTP_SENDER_DRY_EVENT:
		return "SENDER_DRY_EVENT";
	case SCTP_STREAM_RESET_EVENT:
		return "STREAM_RESET_EVENT";
	case SCTP_ASSOC_RESET_EVENT:
		return "ASSOC_RESET_EVENT";
	case SCTP_STREAM_CHANGE_EVENT:
		return "STREAM_CHANGE_EVENT";
	case SCTP_SEND_FAILED_EVENT:
		return "SEND_FAILED_EVENT";
	}
	return NULL;
}

/* sac_state of an SCTP_ASSOC_CHANGE notification. */
static inline const char *
sctp_assoc_change_name(unsigned state)
{
	switch (state) {
	case SCTP_COMM_UP:
		return "COMM_UP";
	case SCTP_COMM_LOST:
		return "COMM_LOST";
	case SCTP_RESTART:
		return "RESTART";
	case SCTP_SHUTDOWN_COMP:
		return "SHUTDOWN_COMP";
	case SCTP_CANT_STR_ASSOC:
		return "CANT_STR_ASSOC";
	}
	return NULL;
}

/* spc_state of an SCTP_PEER_ADDR_CHANGE notification. */
static inline const char *
sctp_paddr_change_name(unsigned state)
{
	switch (state) {
	case SCTP_ADDR_AVAILABLE:
		return "ADDR_AVAILABLE";
	case SCTP_ADDR_UNREACHABLE:
		return "ADDR_UNREACHABLE";
	case SCTP_ADDR_REMOVED:
		return "ADDR_REMOVED";
	case SCTP_ADDR_ADDED:
		return "ADDR_ADDED";
	case SCTP_ADDR_MADE_PRIM:
		return "ADDR_MADE_PRIM";
	case SCTP_ADDR_CONFIRMED:
		return "ADDR_CONFIRMED";
	case SCTP_ADDR_POTENTIALLY_FAILED:
		return "ADDR_POTENTIALLY_FAILED";
	}
	return NULL;
}

/* spinfo_state of SCTP_GET_PEER_ADDR_INFO / sstat_primary. */
static inline const char *
sctp_path_state_name(int state)
{
	switch (state) {
	case SCTP_INACTIVE:
		return "INACTIVE";
	case SCTP_PF:
		return "POTENTIALLY_FAILED";
	case SCTP_ACTIVE:
		return "ACTIVE";
	case SCTP_UNCONFIRMED:
		return "UNCONFIRMED";
	}
	return NULL;
}

/* sstat_state of SCTP_STATUS. */
static inline const char *
sctp_assoc_state_name(int state)
{
	switch (state) {
	case SCTP_EMPTY:
		return "EMPTY";
	case SCTP_CLOSED:
		return "CLOSED";
	case SCTP_COOKIE_WAIT:
		return "COOKIE_WAIT";
	case SCTP_COOKIE_ECHOED:
		return "COOKIE_ECHOED";
	case SCTP_ESTABLISHED:
		return "ESTABLISHED";
	case SCTP_SHUTDOWN_PENDING:
		return "SHUTDOWN_PENDING";
	case SCTP_SHUTDOWN_SENT:
		return "SHUTDOWN_SENT";
	case SCTP_SHUTDOWN_RECEIVED:
		return "SHUTDOWN_RECEIVED";
	case SCTP_SHUTDOWN_ACK_SENT:
		return "SHUTDOWN_ACK_SENT";
	}
	return NULL;
}
#endif /* SCTP_SAMPLES_UTIL_H */
