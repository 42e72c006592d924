/* SPDX-License-Identifier: 0BSD */
/*
 * diagnose.c - why a system has no SCTP (see diagnose.h), and what to do
 * about it. Never loads or changes anything. Read: modprobe.d(5),
 * os-release(5), proc(5) /proc/modules and /proc/config.gz.
 */
#include <glob.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include "diagnose.h"

/* Where kmod reads modprobe.d(5) files, highest priority first: glob(3)
 * keeps the alternatives of a brace in their order. */
#define MODPROBE_D "{/etc,/run,/usr/local/lib,/usr/lib,/lib}/modprobe.d/*.conf"
/* Names sctp.ko has under /lib/modules/RELEASE, by compression. */
static const char *const module_names[] = { "sctp.ko", "sctp.ko.xz",
					    "sctp.ko.zst", "sctp.ko.gz" };
/* Which package ships sctp.ko, by os-release ID or a word of ID_LIKE. */
static const struct {
	const char *id, *command; /* the kernel release follows command */
} module_packages[] = {
	{ "ubuntu", "apt-get install linux-modules-extra-" },
	{ "debian", "apt-get install --reinstall linux-image-" },
	{ "fedora", "dnf install kernel-modules-extra-" },
	{ "rhel", "dnf install kernel-modules-extra-" },
};

const struct diagnosis_text diagnoses[] = {
	[SUPPORTED] = { "supported", NULL, NULL },
	[LOOPBACK_FAILED] = { "loopback_failed", NULL,
			      "  SCTP is there but did not work over loopback:"
			      " is a firewall dropping it?\n"
			      "  look: nft list ruleset; allow it first: nft"
			      " insert rule inet filter input iif lo meta"
			      " l4proto sctp accept\n" },
	[POLICY] = { "blocked_by_policy",
		     "blocked by policy (a sandbox refused the socket)",
		     "  a seccomp filter (container runtimes, systemd's"
		     " SystemCallFilter=) usually\n"
		     "  gives EPERM, a security module (SELinux, AppArmor)"
		     " EACCES. Run sctpcheck\n"
		     "  outside the sandbox to compare, then allow socket()"
		     " with protocol 132\n"
		     "  (IPPROTO_SCTP) in its policy, e.g. a container's"
		     " --security-opt seccomp=FILE;\n"
		     "  SELinux denials: ausearch -m avc -ts recent\n" },
	[NO_SCTP] = { "kernel_without_sctp", "kernel built without SCTP",
		      "  boot a kernel built with CONFIG_IP_SCTP=m or =y, e.g."
		      " Debian's stock linux-image-amd64,\n"
		      "  or run this suite in its VM, which boots such a"
		      " kernel: make check does it automatically\n" },
	[SOCKET_FAILED] = { "socket_failed",
			    "SCTP is in the kernel, yet socket() failed",
			    "  see the error above and the kernel log"
			    " (dmesg)\n" },
	[NOT_INSTALLED] = { "module_not_installed", "sctp module not installed",
			    "  then run sctpcheck again\n" },
	[BLACKLISTED] = { "module_blacklisted", "sctp module blacklisted",
			  "  then load it: modprobe sctp\n" },
	[NOT_LOADED] = { "module_not_loaded",
			 "sctp module present but not loaded",
			 "  load it (as root): modprobe sctp\n"
			 "  and at every boot: echo sctp >"
			 " /etc/modules-load.d/sctp.conf\n" },
};

/* -R: where the system's files are; "" is the real system. */
static const char *root = "";

const char *
rooted(const char *fmt, ...)
{
	static char path[PATH_MAX];
	size_t n = (size_t)snprintf(path, sizeof(path), "%s", root);
	va_list ap;

	va_start(ap, fmt);
	if (n < sizeof(path))
		vsnprintf(path + n, sizeof(path) - n, fmt, ap);
	va_end(ap);
	return path;
}

/*
 * A .gz goes through gzip -dc with popen(): one more process, but no zlib
 * to link for one line of text (/proc/config.gz). A quote in FILE would
 * break that command: not read.
 */
const char *
file_line(const char *file, const char *key, char *line, size_t size)
{
	size_t len = strlen(file);
	bool gz = len > 3 && strcmp(file + len - 3, ".gz") == 0;
	char cmd[PATH_MAX + 16];
	const char *found = NULL;
	FILE *f = NULL;

	snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", file);
	if (!gz)
		f = fopen(file, "r");
	else if (access(file, R_OK) == 0 && strchr(file, '\'') == NULL)
		f = popen(cmd, "r");
	while (f != NULL && found == NULL && fgets(line, (int)size, f))
		if (strncmp(line, key, strlen(key)) == 0)
			found = line + strlen(key);
	line[found != NULL ? strcspn(line, "\n") : 0] = '\0';
	if (f != NULL && gz)
		pclose(f);
	else if (f != NULL)
		fclose(f);
	return found;
}

/*
 * The CONFIG_IP_SCTP line of /boot/config-RELEASE (Debian, Ubuntu and
 * Fedora install it with the kernel), else of /proc/config.gz (kernels
 * built with IKCONFIG_PROC, like this suite's CI machine).
 */
static void
read_config(struct facts *fx)
{
	char *line = fx->config_line;
	size_t size = sizeof(fx->config_line);

	snprintf(fx->config_file, sizeof(fx->config_file), "/boot/config-%s",
		 fx->release);
	if (access(rooted("%s", fx->config_file), F_OK) != 0)
		strcpy(fx->config_file, "/proc/config.gz");
	if (file_line(rooted("%s", fx->config_file), "CONFIG_IP_SCTP=", line,
		      size) != NULL)
		fx->config = line[15]; /* y: built in, m: a module */
	else if (file_line(rooted("%s", fx->config_file),
			   "# CONFIG_IP_SCTP is not set", line, size) != NULL)
		fx->config = 'n';
	else
		fx->config_file[0] = '\0';
}

/* Is sctp in the running kernel, and is its module installed? */
static void
read_modules(struct facts *fx)
{
	char line[256];

	fx->modules = access(rooted("/proc/modules"), F_OK) == 0;
	/* A line of name, size, ...; built-in code with parameters shows
	 * up in /sys/module too. */
	if (file_line(rooted("/proc/modules"), "sctp ", line, sizeof(line)))
		fx->loaded = "as a module";
	else if (access(rooted("/sys/module/sctp"), F_OK) == 0 ||
		 fx->config == 'y')
		fx->loaded = "built in";
	fx->modules_dir =
		access(rooted("/lib/modules/%s", fx->release), F_OK) == 0;
	for (size_t i = 0; i < ARRAY_LEN(module_names); i++) {
		const char *file = rooted("/lib/modules/%s/kernel/net/sctp/%s",
					  fx->release, module_names[i]);

		if (fx->module_file[0] == '\0' && access(file, F_OK) == 0)
			strcpy(fx->module_file, file + strlen(root));
	}
}

/*
 * Note line LINENO of FILE if it stops sctp from loading: "blacklist sctp"
 * stops loading on demand (socket() asking for it), "install sctp
 * /bin/true" (or false) even an explicit modprobe sctp.
 */
static void
check_conf_line(struct facts *fx, const char *file, int lineno,
		const char *line)
{
	char word[16] = "", module[64], command[256] = "";
	int n = sscanf(line, "%15s %63s %255s", word, module, command);
	const char *slash = strrchr(command, '/');
	const char *base = slash ? slash + 1 : command; /* "/bin/true": true */
	bool hard = strcmp(word, "install") == 0 &&
		    (strcmp(base, "true") == 0 || strcmp(base, "false") == 0);

	if (n < 2 || strcmp(module, "sctp") != 0 || fx->nblocks == MAX_BLOCKS ||
	    (!hard && strcmp(word, "blacklist") != 0))
		return;
	snprintf(fx->blocks[fx->nblocks].where, sizeof(fx->blocks[0].where),
		 "%s:%d", file, lineno);
	snprintf(fx->blocks[fx->nblocks].text, sizeof(fx->blocks[0].text),
		 "%.*s", (int)strcspn(line, "\n"), line);
	fx->blocks[fx->nblocks++].hard = hard;
}

/*
 * Every *.conf of the modprobe.d directories, as modprobe reads them: a
 * file of the same name in an earlier directory replaces this one (and
 * /lib may be /usr/lib).
 */
static void
read_modprobe_d(struct facts *fx)
{
	char line[512];
	glob_t g;

	if (glob(rooted(MODPROBE_D), GLOB_BRACE, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *file = g.gl_pathv[i] + strlen(root);
		bool shadowed = false;
		int lineno = 1;
		FILE *f;

		for (size_t e = 0; e < i && !shadowed; e++)
			shadowed = strcmp(strrchr(g.gl_pathv[e], '/'),
					  strrchr(file, '/')) == 0;
		f = shadowed ? NULL : fopen(g.gl_pathv[i], "r");
		while (f != NULL && fgets(line, sizeof(line), f))
			check_conf_line(fx, file, lineno++, line);
		if (f != NULL)
			fclose(f);
	}
	globfree(&g);
}

/* KEY's value in os-release(5) FILE, unquoted, into VALUE; "" if none. */
static void
os_release(const char *file, const char *key, char *value, size_t size)
{
	char line[256];
	const char *v = file_line(rooted("%s", file), key, line, sizeof(line));

	if (v == NULL)
		return;
	if (*v == '"' || *v == '\'')
		v++; /* a quoted list: "rhel centos fedora" */
	snprintf(value, size, "%.*s", (int)strcspn(v, "\"'"), v);
}

/* ID, and the command that installs sctp.ko: by ID or a word of ID_LIKE.
 * /usr/lib/os-release counts only when there is no /etc/os-release. */
static void
read_os_release(struct facts *fx)
{
	const char *file = access(rooted("/etc/os-release"), F_OK) == 0
				   ? "/etc/os-release"
				   : "/usr/lib/os-release";
	char ids[sizeof(fx->os_id) + 256];
	size_t n;

	os_release(file, "ID=", fx->os_id, sizeof(fx->os_id));
	n = (size_t)snprintf(ids, sizeof(ids), "%s ", fx->os_id);
	os_release(file, "ID_LIKE=", ids + n, sizeof(ids) - n);
	for (char *w = strtok(ids, " "); w != NULL; w = strtok(NULL, " "))
		for (size_t i = 0; i < ARRAY_LEN(module_packages); i++)
			if (fx->install == NULL &&
			    strcmp(w, module_packages[i].id) == 0)
				fx->install = module_packages[i].command;
}

enum diagnosis
diagnose(const struct facts *fx, int error)
{
	if (error == EPERM || error == EACCES)
		return POLICY;
	if (fx->config == 'n' || (!fx->modules && error == EPROTONOSUPPORT))
		return NO_SCTP;
	if (fx->loaded != NULL)
		return SOCKET_FAILED;
	if (fx->module_file[0] == '\0')
		return NOT_INSTALLED;
	return fx->nblocks > 0 ? BLACKLISTED : NOT_LOADED;
}

/* "SCTP not supported: " case D, then the files' side of the story after
 * socket()'s (ERROR 0: not called). */
static void
print_evidence(const struct facts *fx, enum diagnosis d, int error)
{
	char line[128];

	printf("SCTP not supported: %s\n", diagnoses[d].summary);
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
	/* This process's own status, not ROOT's: the sandbox is ours. Mode
	 * 2 is SECCOMP_MODE_FILTER. */
	if (d == POLICY && file_line("/proc/self/status", "Seccomp:\t2", line,
				     sizeof(line)) != NULL)
		printf("  this process runs under a seccomp filter "
		       "(Seccomp: 2 in /proc/self/status)\n");
}

void
print_diagnosis(const struct facts *fx, enum diagnosis d, int error)
{
	if (d != LOOPBACK_FAILED)
		print_evidence(fx, d, error);
	printf("what to do:\n");
	if (d == POLICY && fx->config == 'n')
		printf("  (outside the sandbox too, this kernel has no SCTP: "
		       "see its configuration above)\n");
	if (d == NO_SCTP && !fx->modules)
		printf("  this kernel cannot load modules either: nothing can "
		       "add SCTP to it\n");
	if (d == NOT_INSTALLED && !fx->modules_dir)
		printf("  no modules at all for the running kernel: if it was "
		       "upgraded, reboot into the new one\n");
	if (d == NOT_INSTALLED && fx->install != NULL)
		printf("  install it on %s: %s%s\n", fx->os_id, fx->install,
		       fx->release);
	else if (d == NOT_INSTALLED)
		printf("  install your distribution's package of extra kernel "
		       "modules for %s\n",
		       fx->release);
	for (int i = 0; d == BLACKLISTED && i < fx->nblocks; i++)
		printf("  comment out %s (as root): %s\n", fx->blocks[i].where,
		       fx->blocks[i].hard ? "modprobe runs that command "
					    "instead of loading sctp"
					  : "it stops the kernel loading sctp "
					    "when a program asks");
	fputs(diagnoses[d].advice, stdout);
}

void
read_facts(struct facts *fx, const char *rootdir)
{
	root = rootdir;
	read_config(fx);
	read_modules(fx);
	read_modprobe_d(fx);
	read_os_release(fx);
}
