/* SPDX-License-Identifier: 0BSD */
/*
 * diagnose.h - why a system has no SCTP, from its files alone: the
 * kernel's configuration, /proc/modules, /lib/modules, modprobe.d(5) and
 * os-release(5), read under a root directory (sctpcheck -R: a fake tree).
 * sctpcheck.c makes the socket calls; this says what their failure means.
 */
#ifndef SCTPCHECK_DIAGNOSE_H
#define SCTPCHECK_DIAGNOSE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_BLOCKS 4 /* blacklist entries reported, at most */

/* What the files say about SCTP on this system. */
struct facts {
	char release[256];
	char config_file[PATH_MAX]; /* "" when no kernel config was found */
	char config_line[256];
	char config;  /* CONFIG_IP_SCTP: 'y', 'm', 'n', or 0 when unknown */
	bool modules; /* loadable module support: /proc/modules exists */
	const char *loaded; /* "as a module", "built in", or NULL: absent */
	bool modules_dir;   /* /lib/modules/RELEASE exists */
	char module_file[PATH_MAX]; /* "" when sctp.ko is not installed */
	struct {
		char where[PATH_MAX + 16], text[512]; /* FILE:LINE, the line */
		bool hard; /* install sctp /bin/true: modprobe does nothing */
	} blocks[MAX_BLOCKS];
	int nblocks;
	char os_id[64];
	const char *install; /* the release follows; NULL: not known here */
};

/*
 * Every answer: the two where the kernel opens SCTP sockets, then the
 * failures in the order diagnose() checks them. Each has a stable id for
 * scripts, what follows "SCTP not supported: ", and the advice that every
 * instance gets (print_diagnosis() adds what depends on the facts).
 */
enum diagnosis {
	SUPPORTED,
	LOOPBACK_FAILED, /* a socket style or an association failed */
	POLICY,
	NO_SCTP,
	SOCKET_FAILED,
	NOT_INSTALLED,
	BLACKLISTED,
	NOT_LOADED,
};
extern const struct diagnosis_text {
	const char *id, *summary, *advice;
} diagnoses[];

/* FX from the files under ROOT ("": the real system), for FX->release. */
void read_facts(struct facts *fx, const char *root);
/* FMT's path under read_facts()'s ROOT, in a buffer the next call reuses. */
const char *rooted(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The first line of FILE (gzip'd: *.gz) that starts with KEY, without its
 * newline, into LINE; what follows KEY, or NULL (LINE "") if none. */
const char *file_line(const char *file, const char *key, char *line,
		      size_t size);
/* Which case applies (ERROR: socket()'s errno; 0: it was not called). */
enum diagnosis diagnose(const struct facts *fx, int error);
/* "SCTP not supported: " case D and its evidence (for LOOPBACK_FAILED, the
 * supported report has said it all), then what to do in this instance. */
void print_diagnosis(const struct facts *fx, enum diagnosis d, int error);
#endif /* SCTPCHECK_DIAGNOSE_H */
