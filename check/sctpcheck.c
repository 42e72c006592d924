/*
 * sctpcheck - does this kernel speak SCTP, and if not, why?
 *
 * lksctp's checksctp prints one line. This goes further: when SCTP works it
 * opens both socket styles, sets up a real association over 127.0.0.1 (and
 * ::1) inside this one process, sends a message across, and shows the
 * streams negotiated and the kernel's SCTP tunables. When SCTP does not
 * work it tells the cases apart (kernel built without it, module not
 * installed, blacklisted, not loaded, refused by a sandbox) and says what
 * to do. It never loads a module or changes anything: when sctp.ko is not
 * loaded it does not even call socket(), since the kernel would load the
 * module on demand for it.
 *
 * Try:
 *   terminal 1: check/sctpcheck
 *   terminal 2: tests/seccomp-deny EPERM check/sctpcheck    (a sandbox)
 *
 * Read: sctp(7), socket(2), modprobe.d(5), os-release(5), seccomp(2).
 */
#include <dirent.h>
#include <err.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <unistd.h>
#include <sys/utsname.h>

#include "util_old.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
/* Default -t: how long a loopback association may take to come up and
 * carry its message. Microseconds on real hardware, more in an emulated
 * VM; when a firewall drops SCTP, INIT is retried for minutes. */
#define LOOPBACK_TIMEOUT_S 10
#define MAX_TIMEOUT_S 3600
#define MS_PER_S 1000
#define PROBE_MESSAGE "hello from sctpcheck"
/* The lines of a kernel's .config that matter here. */
#define CONFIG_SET "CONFIG_IP_SCTP=" /* then y (built in) or m (module) */
#define CONFIG_UNSET "# CONFIG_IP_SCTP is not set"
/* A /proc/modules line starts with the module's name and a space. */
#define MODULES_LINE "sctp "
/* modprobe reads only the files with this suffix. */
#define CONF_SUFFIX ".conf"
/* Blacklist entries reported, at most. */
#define MAX_BLOCKS 4

/* Where kmod reads modprobe.d(5) files, highest priority first. */
static const char *const modprobe_dirs[] = {
	"/etc/modprobe.d",     "/run/modprobe.d", "/usr/local/lib/modprobe.d",
	"/usr/lib/modprobe.d", "/lib/modprobe.d",
};
/* Names sctp.ko has under /lib/modules/RELEASE, by compression. */
static const char *const module_names[] = {
	"sctp.ko",
	"sctp.ko.xz",
	"sctp.ko.zst",
	"sctp.ko.gz",
};
/* Which package ships sctp.ko, by os-release ID or a word of ID_LIKE. */
static const struct {
	const char *id, *command; /* the kernel release follows command */
} module_packages[] = {
	{ "ubuntu", "apt-get install linux-modules-extra-" },
	{ "debian", "apt-get install --reinstall linux-image-" },
	{ "fedora", "dnf install kernel-modules-extra-" },
	{ "rhel", "dnf install kernel-modules-extra-" },
};
/* The tunables worth knowing, from /proc/sys/net/sctp (see sctp(7)). */
static const struct {
	const char *name, *unit, *meaning;
} tunables[] = {
	{ "rto_initial", "ms", "first retransmission timeout" },
	{ "rto_min", "ms", "retransmission timeout, lowest" },
	{ "rto_max", "ms", "retransmission timeout, highest" },
	{ "hb_interval", "ms", "heartbeat interval on an idle path" },
	{ "sack_timeout", "ms", "delayed SACK timer" },
	{ "valid_cookie_life", "ms", "lifetime of the handshake's cookie" },
	{ "path_max_retrans", "", "retransmissions before a path is down" },
	{ "pf_retrans", "", "... before it is potentially failed" },
	{ "association_max_retrans", "", "... before the association aborts" },
	{ "max_init_retransmits", "", "INIT retransmissions before giving up" },
	{ "cookie_hmac_alg", "", "HMAC that signs the cookie" },
	{ "auth_enable", "", "SCTP-AUTH, RFC 4895" },
	{ "addip_enable", "", "dynamic addresses, RFC 5061" },
	{ "prsctp_enable", "", "partial reliability, RFC 3758" },
	{ "reconf_enable", "", "stream reconfiguration, RFC 6525" },
	{ "intl_enable", "", "message interleaving (I-DATA), RFC 8260" },
	{ "udp_port", "", "UDP encapsulation port (0: off), RFC 6951" },
};

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
		char where[PATH_MAX + 16]; /* FILE:LINE */
		char text[512];
		bool hard; /* install sctp /bin/true: modprobe does nothing */
	} blocks[MAX_BLOCKS];
	int nblocks;
	char os_id[64], os_like[256], os_name[256];
};

/* -R: where the system's files are; "" is the real system. */
static const char *root = "";

/* FILE under ROOT, in BUF (of PATH_MAX bytes). */
static const char *
rpath(char *buf, const char *file)
{
	if (snprintf(buf, PATH_MAX, "%s%s", root, file) >= PATH_MAX)
		errx(1, "%s%s: path too long", root, file);
	return buf;
}

static FILE *
ropen(const char *file)
{
	char path[PATH_MAX];

	return fopen(rpath(path, file), "r");
}

static bool
exists(const char *file)
{
	char path[PATH_MAX];

	return access(rpath(path, file), F_OK) == 0;
}

/*
 * CONFIG_IP_SCTP from /boot/config-RELEASE (Debian, Ubuntu and Fedora
 * install it with the kernel), else from /proc/config.gz (kernels built
 * with IKCONFIG_PROC, like this suite's CI machine). The .gz goes through
 * gzip -dc with popen(): one more process, but no zlib to link for one
 * line of text.
 */
static void
read_config(struct facts *fx)
{
	char path[PATH_MAX], cmd[PATH_MAX + 32], line[256];
	bool gz = false;
	FILE *f;

	snprintf(fx->config_file, sizeof(fx->config_file), "/boot/config-%s",
		 fx->release);
	f = ropen(fx->config_file);
	/* A quote in -R ROOT would break the shell command: skip it. */
	if (f == NULL && exists("/proc/config.gz") &&
	    strchr(rpath(path, "/proc/config.gz"), '\'') == NULL) {
		snprintf(cmd, sizeof(cmd), "gzip -dc '%s' 2>/dev/null", path);
		f = popen(cmd, "r");
		gz = true;
		snprintf(fx->config_file, sizeof(fx->config_file),
			 "/proc/config.gz");
	}
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if (strcmp(line, CONFIG_UNSET) == 0)
			fx->config = 'n';
		else if (strncmp(line, CONFIG_SET, strlen(CONFIG_SET)) == 0)
			fx->config = line[strlen(CONFIG_SET)];
		if (fx->config != 0) {
			snprintf(fx->config_line, sizeof(fx->config_line), "%s",
				 line);
			break;
		}
	}
	if (f != NULL && gz)
		pclose(f);
	else if (f != NULL)
		fclose(f);
	if (fx->config == 0)
		fx->config_file[0] = '\0';
}

/* Is sctp in the running kernel, and is its module installed? */
static void
read_modules(struct facts *fx)
{
	char file[PATH_MAX], line[256];
	FILE *f = ropen("/proc/modules");

	fx->modules = f != NULL;
	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, MODULES_LINE, strlen(MODULES_LINE)) == 0)
			fx->loaded = "as a module";
	if (f != NULL)
		fclose(f);
	/* Built-in code with parameters shows up in /sys/module too. */
	if (fx->loaded == NULL &&
	    (exists("/sys/module/sctp") || fx->config == 'y'))
		fx->loaded = "built in";

	snprintf(file, sizeof(file), "/lib/modules/%s", fx->release);
	fx->modules_dir = exists(file);
	for (size_t i = 0; i < ARRAY_LEN(module_names); i++) {
		snprintf(file, sizeof(file),
			 "/lib/modules/%s/kernel/net/sctp/%s", fx->release,
			 module_names[i]);
		if (exists(file)) {
			snprintf(fx->module_file, sizeof(fx->module_file), "%s",
				 file);
			break;
		}
	}
}

/*
 * Note LINE of a modprobe.d file if it stops sctp from loading:
 * "blacklist sctp" stops loading on demand (socket() asking for it),
 * "install sctp /bin/true" (or false) even an explicit modprobe sctp.
 */
static void
check_conf_line(struct facts *fx, const char *file, int lineno,
		const char *line)
{
	char word[16], module[64], command[256];
	int n = sscanf(line, "%15s %63s %255s", word, module, command);
	const char *base = n == 3 ? strrchr(command, '/') : NULL;
	bool hard;

	if (n < 2 || strcmp(module, "sctp") != 0 || fx->nblocks == MAX_BLOCKS)
		return;
	base = base != NULL ? base + 1 : command;
	hard = n == 3 && strcmp(word, "install") == 0 &&
	       (strcmp(base, "true") == 0 || strcmp(base, "false") == 0);
	if (!hard && strcmp(word, "blacklist") != 0)
		return;
	snprintf(fx->blocks[fx->nblocks].where, sizeof(fx->blocks[0].where),
		 "%s:%d", file, lineno);
	snprintf(fx->blocks[fx->nblocks].text, sizeof(fx->blocks[0].text),
		 "%.*s", (int)strcspn(line, "\n"), line);
	fx->blocks[fx->nblocks++].hard = hard;
}

static int
conf_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name), suffix = strlen(CONF_SUFFIX);

	return n > suffix && strcmp(d->d_name + n - suffix, CONF_SUFFIX) == 0;
}

/* Every *.conf in the modprobe.d directories, as modprobe reads them. */
static void
read_modprobe_d(struct facts *fx)
{
	char path[PATH_MAX], file[PATH_MAX], line[512];

	for (size_t d = 0; d < ARRAY_LEN(modprobe_dirs); d++) {
		struct dirent **names;
		int n = scandir(rpath(path, modprobe_dirs[d]), &names,
				conf_file, alphasort);

		for (int i = 0; i < n; i++) {
			bool shadowed = false;
			int lineno = 0;
			FILE *f;

			/* A file of the same name in an earlier directory
			 * replaces this one (and /lib may be /usr/lib). */
			for (size_t e = 0; e < d && !shadowed; e++) {
				snprintf(file, sizeof(file), "%s/%s",
					 modprobe_dirs[e], names[i]->d_name);
				shadowed = exists(file);
			}
			snprintf(file, sizeof(file), "%s/%s", modprobe_dirs[d],
				 names[i]->d_name);
			f = shadowed ? NULL : ropen(file);
			while (f != NULL && fgets(line, sizeof(line), f))
				check_conf_line(fx, file, ++lineno, line);
			if (f != NULL)
				fclose(f);
			free(names[i]);
		}
		if (n >= 0)
			free(names);
	}
}

/* ID, ID_LIKE and PRETTY_NAME from os-release(5). */
static void
read_os_release(struct facts *fx)
{
	char line[256], *value;
	FILE *f = ropen("/etc/os-release");
	size_t n;

	if (f == NULL)
		f = ropen("/usr/lib/os-release");
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		if ((value = strchr(line, '=')) == NULL)
			continue;
		*value++ = '\0';
		n = strlen(value);
		if (n >= 2 && (*value == '"' || *value == '\'')) {
			value[n - 1] = '\0';
			value++;
		}
		if (strcmp(line, "ID") == 0)
			snprintf(fx->os_id, sizeof(fx->os_id), "%s", value);
		else if (strcmp(line, "ID_LIKE") == 0)
			snprintf(fx->os_like, sizeof(fx->os_like), "%s", value);
		else if (strcmp(line, "PRETTY_NAME") == 0)
			snprintf(fx->os_name, sizeof(fx->os_name), "%s", value);
	}
	if (f != NULL)
		fclose(f);
}

/* The command that installs sctp.ko here, or NULL if unknown. */
static const char *
package_command(const struct facts *fx)
{
	char ids[sizeof(fx->os_id) + sizeof(fx->os_like) + 1];

	snprintf(ids, sizeof(ids), "%s %s", fx->os_id, fx->os_like);
	for (char *w = strtok(ids, " "); w != NULL; w = strtok(NULL, " "))
		for (size_t i = 0; i < ARRAY_LEN(module_packages); i++)
			if (strcmp(w, module_packages[i].id) == 0)
				return module_packages[i].command;
	return NULL;
}

/* The files' side of the story, after socket()'s (ERROR 0: not called). */
static void
print_evidence(const struct facts *fx, int error)
{
	char line[128];
	FILE *f;

	if (error != 0)
		printf("  socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP): %s "
		       "(%s)\n",
		       strerror(error), strerrorname_np(error));
	else
		printf("  socket(): not called, or the kernel would load "
		       "sctp.ko for it\n");
	if (fx->config_file[0] != '\0')
		printf("  kernel %s: %s says \"%s\"\n", fx->release,
		       fx->config_file, fx->config_line);
	else
		printf("  kernel %s: no /boot/config-%s or /proc/config.gz\n",
		       fx->release, fx->release);
	if (!fx->modules)
		printf("  loadable modules: not supported by this kernel "
		       "(no /proc/modules)\n");
	else if (fx->module_file[0] != '\0')
		printf("  sctp module: %s, %s\n", fx->module_file,
		       fx->loaded ? "loaded" : "not loaded");
	else
		printf("  sctp module: none in /lib/modules/%s%s\n",
		       fx->release,
		       fx->modules_dir ? "" : " (no such directory)");
	for (int i = 0; i < fx->nblocks; i++)
		printf("  %s: %s\n", fx->blocks[i].where, fx->blocks[i].text);
	/* This process's own status, not ROOT's: the sandbox is ours. */
	if ((error == EPERM || error == EACCES) &&
	    (f = fopen("/proc/self/status", "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (strcmp(line, "Seccomp:\t2\n") == 0)
				printf("  this process runs under a seccomp "
				       "filter (Seccomp: 2 in "
				       "/proc/self/status)\n");
		fclose(f);
	}
}

/* Why socket() failed with ERROR (0: not called), and what to do. */
static void
diagnose(const struct facts *fx, int error)
{
	const char *install = package_command(fx);

	printf("SCTP not supported: ");
	if (error == EPERM || error == EACCES) {
		printf("blocked by policy (a sandbox refused the socket)\n");
		print_evidence(fx, error);
		printf("what to do:\n"
		       "  a seccomp filter (container runtimes, systemd's "
		       "SystemCallFilter=) usually\n"
		       "  gives EPERM, a security module (SELinux, AppArmor) "
		       "EACCES. Run sctpcheck\n"
		       "  outside the sandbox to compare, then allow socket() "
		       "with protocol 132\n"
		       "  (IPPROTO_SCTP) in its policy, e.g. a container's "
		       "--security-opt seccomp=FILE;\n"
		       "  SELinux denials: ausearch -m avc -ts recent\n");
		if (fx->config == 'n')
			printf("  (outside it too, this kernel has no SCTP: "
			       "see "
			       "its configuration above)\n");
	} else if (fx->config == 'n' ||
		   (!fx->modules && error == EPROTONOSUPPORT)) {
		printf("kernel built without SCTP\n");
		print_evidence(fx, error);
		printf("what to do:\n");
		if (!fx->modules)
			printf("  this kernel cannot load modules either: "
			       "nothing can add SCTP to it\n");
		printf("  boot a kernel built with CONFIG_IP_SCTP=m or =y, "
		       "e.g. Debian's stock linux-image-amd64,\n"
		       "  or run this suite in its VM, which boots such a "
		       "kernel: make check does it automatically\n");
	} else if (fx->loaded != NULL) {
		printf("SCTP is in the kernel, yet socket() failed\n");
		print_evidence(fx, error);
		printf("what to do:\n"
		       "  look at the error above and at the kernel log "
		       "(dmesg)\n");
	} else if (fx->module_file[0] == '\0') {
		printf("sctp module not installed\n");
		print_evidence(fx, error);
		printf("what to do:\n");
		if (!fx->modules_dir)
			printf("  no modules at all for the running kernel: "
			       "if it was upgraded, reboot into the new one\n");
		if (install != NULL)
			printf("  install it on %s: %s%s\n",
			       fx->os_name[0] ? fx->os_name : fx->os_id,
			       install, fx->release);
		else
			printf("  install your distribution's package of extra "
			       "kernel modules for %s\n",
			       fx->release);
		printf("  then run sctpcheck again (the package may add a "
		       "blacklist entry)\n");
	} else if (fx->nblocks > 0) {
		printf("sctp module blacklisted\n");
		print_evidence(fx, error);
		printf("what to do:\n");
		for (int i = 0; i < fx->nblocks; i++)
			printf("  comment out %s (as root): %s\n",
			       fx->blocks[i].where,
			       fx->blocks[i].hard
				       ? "modprobe runs that command instead "
					 "of loading sctp"
				       : "it stops the kernel loading sctp "
					 "when a program asks");
		printf("  then load it: modprobe sctp\n");
	} else {
		printf("sctp module present but not loaded\n");
		print_evidence(fx, error);
		printf("what to do:\n"
		       "  load it (as root): modprobe sctp\n"
		       "  and at every boot: echo sctp > "
		       "/etc/modules-load.d/sctp.conf\n"
		       "  (a program's first SCTP socket() would also make the "
		       "kernel load it)\n");
	}
}

/* Wait up to TIMEOUT_MS for EVENTS on FD; -1 with ETIMEDOUT if none. */
static int
wait_for(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		errno = ETIMEDOUT;
	return n > 0 ? 0 : -1;
}

/*
 * One association over FAMILY's loopback address, inside this process: a
 * one-to-many listener and a one-to-one client. The kernel answers INIT
 * and COOKIE-ECHO by itself, so a nonblocking connect() and poll() do
 * without a second thread. Each step may take TIMEOUT_MS. Returns 0 when
 * the message crossed whole, 1 when FAMILY has no loopback address here,
 * -1 on failure (printed).
 */
static int
loopback(int family, int timeout_ms)
{
	const char *name = family == AF_INET ? "127.0.0.1" : "::1";
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} addr = { .sa.sa_family = (sa_family_t)family };
	socklen_t len = family == AF_INET ? sizeof(addr.in) : sizeof(addr.in6);
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct sctp_rcvinfo))];
	} control;
	char message[] = PROBE_MESSAGE, data[sizeof(message) * 2];
	struct iovec iov = { message, strlen(message) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct sctp_sndinfo snd = { 0 };
	struct sctp_rcvinfo rcv = { 0 };
	struct sctp_status st;
	socklen_t optlen;
	struct cmsghdr *c;
	const char *step = "socket";
	int srv, cli = -1, on = 1, soerr = 0, rc = -1;
	size_t got = 0;
	ssize_t n;

	if (family == AF_INET)
		addr.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else
		addr.in6.sin6_addr = in6addr_loopback;
	srv = socket(family, SOCK_SEQPACKET, IPPROTO_SCTP);
	if (srv < 0 || bind(srv, &addr.sa, len) < 0) {
		if (family == AF_INET6 &&
		    (errno == EAFNOSUPPORT || errno == EADDRNOTAVAIL)) {
			printf("  %s: not tried, no IPv6 loopback here (%s)\n",
			       name, strerror(errno));
			rc = 1;
			goto out;
		}
		step = srv < 0 ? "socket" : "bind";
		goto fail;
	}
	/* Have every message come with SCTP_RCVINFO: it names the stream. */
	step = "setsockopt(SCTP_RECVRCVINFO)";
	if (setsockopt(srv, IPPROTO_SCTP, SCTP_RECVRCVINFO, &on, sizeof(on)))
		goto fail;
	/* One-to-many sockets accept associations only after listen(). */
	step = "listen";
	if (listen(srv, SOMAXCONN) < 0)
		goto fail;
	step = "getsockname";
	if (getsockname(srv, &addr.sa, &len) < 0)
		goto fail;

	step = "socket";
	if ((cli = socket(family, SOCK_STREAM, IPPROTO_SCTP)) < 0)
		goto fail;
	step = "fcntl(O_NONBLOCK)";
	if (fcntl(cli, F_SETFL, O_NONBLOCK) < 0)
		goto fail;
	step = "connect";
	if (connect(cli, &addr.sa, len) < 0 && errno != EINPROGRESS)
		goto fail;
	if (wait_for(cli, POLLOUT, timeout_ms) < 0)
		goto fail;
	optlen = sizeof(soerr);
	if (getsockopt(cli, SOL_SOCKET, SO_ERROR, &soerr, &optlen) < 0)
		goto fail;
	if ((errno = soerr) != 0)
		goto fail;
	step = "getsockopt(SCTP_STATUS)";
	optlen = sizeof(st);
	if (getsockopt(cli, IPPROTO_SCTP, SCTP_STATUS, &st, &optlen) < 0)
		goto fail;
	printf("  %s: association %s on port %u, streams: %u in, %u out\n",
	       name, sctp_assoc_state_name(st.sstat_state), addr_port(&addr.sa),
	       st.sstat_instrms, st.sstat_outstrms);

	/* Send on the last outbound stream: proof the count is real. */
	snd.snd_sid = (uint16_t)(st.sstat_outstrms - 1);
	mh.msg_control = control.buf;
	mh.msg_controllen = CMSG_SPACE(sizeof(snd));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = IPPROTO_SCTP;
	c->cmsg_type = SCTP_SNDINFO;
	c->cmsg_len = CMSG_LEN(sizeof(snd));
	memcpy(CMSG_DATA(c), &snd, sizeof(snd));
	step = "sendmsg";
	if (sendmsg(cli, &mh, MSG_NOSIGNAL) < 0)
		goto fail;

	step = "recvmsg";
	for (;;) {
		if (wait_for(srv, POLLIN, timeout_ms) < 0)
			goto fail;
		iov = (struct iovec){ data + got, sizeof(data) - got };
		mh = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1 };
		mh.msg_control = control.buf;
		mh.msg_controllen = sizeof(control.buf);
		if ((n = recvmsg(srv, &mh, 0)) < 0)
			goto fail;
		/* None is subscribed, but notification bytes are no data. */
		if (mh.msg_flags & MSG_NOTIFICATION)
			continue;
		got += (size_t)n;
		for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == IPPROTO_SCTP &&
			    c->cmsg_type == SCTP_RCVINFO)
				memcpy(&rcv, CMSG_DATA(c), sizeof(rcv));
		/* A message may come in parts: MSG_EOR marks its end. */
		if ((mh.msg_flags & MSG_EOR) || got == sizeof(data))
			break;
	}
	if (got != strlen(message) || memcmp(data, message, got) != 0 ||
	    rcv.rcv_sid != snd.snd_sid) {
		printf("  %s: the message arrived changed: %zu bytes on "
		       "stream %u\n",
		       name, got, rcv.rcv_sid);
		goto out;
	}
	printf("  %s: a %zu-byte message arrived whole on stream %u\n", name,
	       got, rcv.rcv_sid);
	rc = 0;
	goto out;
fail:
	printf("  %s: %s: %s\n", name, step, strerror(errno));
out:
	if (srv >= 0)
		close(srv);
	if (cli >= 0)
		close(cli);
	return rc;
}

static void
print_tunables(void)
{
	char file[PATH_MAX], value[64];
	FILE *f;

	printf("kernel tunables (/proc/sys/net/sctp, this network "
	       "namespace):\n");
	for (size_t i = 0; i < ARRAY_LEN(tunables); i++) {
		const char *unit = tunables[i].unit;

		snprintf(file, sizeof(file), "/proc/sys/net/sctp/%s",
			 tunables[i].name);
		snprintf(value, sizeof(value), "absent");
		if ((f = ropen(file)) != NULL) {
			if (fgets(value, sizeof(value), f) != NULL)
				value[strcspn(value, "\n")] = '\0';
			fclose(f);
		} else {
			unit = "";
		}
		printf("  %-24s %6s %-2s  %s\n", tunables[i].name, value, unit,
		       tunables[i].meaning);
	}
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: sctpcheck [-R ROOT] [-k RELEASE] [-t SECONDS]\n"
		"Does this kernel speak SCTP? If so, open both socket styles, "
		"run an\n"
		"association over loopback and show the tunables. If not, say "
		"why and\n"
		"what to do. Never loads a module or changes the system.\n"
		"  -R ROOT     read /proc, /sys, /etc, /run, /lib, /usr and "
		"/boot under ROOT\n"
		"              (a fake tree, for tests); socket() still asks "
		"the "
		"running kernel\n"
		"  -k RELEASE  the kernel release to look up (default: uname "
		"-r)\n"
		"  -t SECONDS  how long each loopback step may take (default "
		"10)\n"
		"  -h          this help\n"
		"Exit status: 0 SCTP works, 1 it does not, 2 bad usage.\n");
}

int
main(int argc, char *argv[])
{
	/* The two socket styles of sctp(7). */
	static const struct {
		int type;
		const char *name, *style;
	} styles[] = {
		{ SOCK_STREAM, "SOCK_STREAM", "one-to-one" },
		{ SOCK_SEQPACKET, "SOCK_SEQPACKET", "one-to-many" },
	};
	struct facts fx = { .loaded = NULL };
	struct utsname u;
	unsigned long timeout = LOOPBACK_TIMEOUT_S;
	int fd, opt, status = 0;

	while ((opt = getopt(argc, argv, "R:k:t:h")) != -1) {
		switch (opt) {
		case 'R':
			root = strcmp(optarg, "/") == 0 ? "" : optarg;
			break;
		case 'k':
			snprintf(fx.release, sizeof(fx.release), "%s", optarg);
			break;
		case 't':
			if (parse_number(optarg, "timeout", 1, MAX_TIMEOUT_S,
					 &timeout) < 0) {
				usage(stderr);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "sctpcheck: unexpected argument '%s'\n",
			argv[optind]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (fx.release[0] == '\0') {
		if (uname(&u) < 0)
			err(1, "uname");
		snprintf(fx.release, sizeof(fx.release), "%s", u.release);
	}
	read_config(&fx);
	read_modules(&fx);
	read_modprobe_d(&fx);
	read_os_release(&fx);

	/* Not loaded: socket() would make the kernel load it. Change
	 * nothing, diagnose from the files alone. */
	if (fx.modules && fx.loaded == NULL) {
		diagnose(&fx, 0);
		return 1;
	}
	for (size_t i = 0; i < ARRAY_LEN(styles); i++) {
		fd = socket(AF_INET, styles[i].type, IPPROTO_SCTP);
		if (fd < 0 && i == 0) {
			diagnose(&fx, errno);
			return 1;
		}
		if (i == 0)
			printf("SCTP supported\n  kernel %s, sctp %s\n",
			       fx.release, fx.loaded ? fx.loaded : "built in");
		printf("  socket(AF_INET, %s, IPPROTO_SCTP): %s style, %s\n",
		       styles[i].name, styles[i].style,
		       fd < 0 ? strerror(errno) : "ok");
		if (fd < 0)
			status = 1;
		else
			close(fd);
	}
	if (loopback(AF_INET, (int)timeout * MS_PER_S) < 0)
		status = 1;
	if (loopback(AF_INET6, (int)timeout * MS_PER_S) < 0)
		status = 1;
	print_tunables();
	if (status != 0)
		printf("what to do:\n"
		       "  SCTP is there but did not work over loopback: is a "
		       "firewall dropping it?\n"
		       "  look: nft list ruleset; allow it first: nft insert "
		       "rule inet filter input iif lo meta l4proto sctp "
		       "accept\n");
	return status;
}
