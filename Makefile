# SPDX-License-Identifier: 0BSD
# SCTP socket samples: a plain Makefile.
#
#   make                 build every program (gcc by default; make CC=clang);
#                        installs nothing, needs only a C compiler and libsctp
#   make check           run the bats suite on a real kernel SCTP stack
#                        (in a throwaway VM when this kernel has none);
#                        TESTS="tests/echo.bats ...": those files only
#   make demo            the guided tour
#   make deps            install the Debian packages the suite needs
#                        (check and demo install theirs: tests/deps.sh)
#   make install         sctpcheck in BINDIR, the samples in SAMPLEDIR, the
#                        sources and READMEs in DOCDIR; PREFIX, DESTDIR
#   make uninstall       remove what install put there
#   make clean           remove what make and make bench build;
#                        distclean: the VM cache and run outputs too
#   make format-check    compare the sources with .clang-format
#   make shellcheck      shellcheck every shell script
#   make SANITIZE=1 ...  build with AddressSanitizer + UBSan
#
# CFLAGS is yours; the warnings live in WARNINGS, so `make CFLAGS=-O0`
# keeps them. CI adds -Werror through WERROR=1.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec
DOCDIR ?= $(PREFIX)/share/doc/sctp-samples
MANDIR ?= $(PREFIX)/share/man
# The samples have generic names (echo_server, ...): they get a directory
# of their own rather than a place in BINDIR.
SAMPLEDIR = $(LIBEXECDIR)/sctp-samples
CC ?= cc
CFLAGS ?= -O2 -g
WARNINGS = -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wcast-align \
	-Wstrict-prototypes -Wmissing-prototypes -Wpointer-arith \
	-Wwrite-strings -Wundef
ifeq ($(WERROR),1)
WARNINGS += -Werror
endif
ifeq ($(SANITIZE),1)
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
endif
# libsctp (<netinet/sctp.h>, -lsctp): as pkg-config gives it where it
# knows the library (libsctp-dev ships libsctp.pc), else found by a test
# compile before the first program is built (LIBSCTP_CHECK, below).
PKG_CONFIG ?= pkg-config
ifeq ($(shell $(PKG_CONFIG) --exists libsctp 2>/dev/null && echo yes),yes)
SCTP_CFLAGS := $(shell $(PKG_CONFIG) --cflags libsctp)
SCTP_LIBS := $(shell $(PKG_CONFIG) --libs libsctp)
else
SCTP_LIBS = -lsctp
LIBSCTP_CHECK = $(LIBSCTP_STAMP)
endif
LIBSCTP_STAMP = .cache/libsctp
# _GNU_SOURCE: getaddrinfo, program_invocation_short_name, struct ucred.
ALL_CPPFLAGS = -Icommon -D_GNU_SOURCE $(SCTP_CFLAGS) $(CPPFLAGS)
ALL_CFLAGS = -std=c11 $(WARNINGS) $(SANFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LDLIBS ?= $(SCTP_LIBS)

# One line per directory; each program is one .c file of the same name.
CHECK_PROGS = check/sctpcheck
# sctpcheck(1), in man(7) roff: its own source, nothing to build.
MANPAGES = check/sctpcheck.1
ECHO_PROGS = echo/echo_server echo/echo_server_many echo/echo_client
DAYTIME_PROGS = daytime/daytime_server daytime/daytime_client \
	daytime/daytime_client_legacy
MULTISTREAM_PROGS = multistream/stream_sender multistream/stream_receiver
MULTIHOME_PROGS = multihome/multihome_server multihome/multihome_client
EVENTS_PROGS = events/sctp_events events/provoke
ASSOC_PROGS = assoc/assoc_server assoc/assoc_client

# Twins: the same source built for TCP with -DUSE_TCP (see echo/README.md).
ECHO_TWINS = echo/tcp_echo_server echo/tcp_echo_client
MULTISTREAM_TWINS = multistream/tcp_stream_sender multistream/tcp_stream_receiver
TCP_TWINS = $(ECHO_TWINS) $(MULTISTREAM_TWINS)

PROGS = $(CHECK_PROGS) $(ECHO_PROGS) $(DAYTIME_PROGS) $(MULTISTREAM_PROGS) \
	$(MULTIHOME_PROGS) $(EVENTS_PROGS) $(ASSOC_PROGS) $(TCP_TWINS)
# Programs only the tests use; built by `make`, never installed.
TEST_PROGS = tests/seccomp-deny tests/decode_test tests/flow_test
# Every fuzz target, compiled (not linked) by every build: see fuzz/%.o.
FUZZ_OBJS = $(patsubst %.c,%.o,$(wildcard fuzz/*_fuzz.c))
HEADERS = common/util.h
# Man pages `make install` puts in section 1 (none: nothing).
MANPAGES ?=

all: $(PROGS) $(TEST_PROGS) $(FUZZ_OBJS)

# Everything is rebuilt when the compiler or flags change (CC=clang,
# SANITIZE=1, ...): this file holds the last command line used.
FLAGS_STAMP = .cache/build-flags
$(FLAGS_STAMP): FORCE | $(LIBSCTP_CHECK)
	@mkdir -p $(@D)
	@echo '$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(LDLIBS)' | \
		cmp -s - $@ || \
		echo '$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(LDLIBS)' >$@
FORCE:

# Without pkg-config's word, a program that includes <netinet/sctp.h> and
# links with -lsctp says whether libsctp is here; if not, the build stops
# before any program with one message saying what to install.
define LIBSCTP_MISSING
libsctp is missing (<netinet/sctp.h> and -lsctp). Install it:
  Debian, Ubuntu:  sudo apt-get install libsctp-dev
  Fedora, RHEL:    sudo dnf install lksctp-tools-devel
  Arch:            sudo pacman -S lksctp-tools
  Alpine:          sudo apk add lksctp-tools-dev
endef
export LIBSCTP_MISSING
$(LIBSCTP_STAMP):
	@mkdir -p $(@D)
	@printf '#include <netinet/sctp.h>\nint main(void) { return sctp_bindx(0, 0, 0, 0); }\n' >$@.c
	@$(CC) $(ALL_CPPFLAGS) $(ALL_LDFLAGS) -o $@.out $@.c $(LDLIBS) 2>/dev/null || \
		{ rm -f $@.c; echo "$$LIBSCTP_MISSING" >&2; exit 1; }
	@rm -f $@.c $@.out
	@touch $@

# What building needs, installed as root on Debian (tests/deps.sh); only
# make check and make demo ask for it: a plain make installs nothing.
build-deps:
	@tests/deps.sh build

%: %.c $(HEADERS) $(FLAGS_STAMP)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LDLIBS)

# A twin tcp_NAME is built from NAME.c with USE_TCP defined.
define twin_rule
$(1): $$(dir $(1))$$(patsubst tcp_%,%,$$(notdir $(1))).c $$(HEADERS) $$(FLAGS_STAMP)
	$$(CC) $$(ALL_CPPFLAGS) -DUSE_TCP $$(ALL_CFLAGS) $$(ALL_LDFLAGS) -o $$@ $$(filter %.c,$$^) $$(LDLIBS)
endef
$(foreach t,$(TCP_TWINS),$(eval $(call twin_rule,$(t))))
# What the daytime programs share.
$(DAYTIME_PROGS): daytime/daytime.h
# What the assoc programs share.
$(ASSOC_PROGS): assoc/assoc.h
# What the echo programs share.
$(ECHO_PROGS) $(ECHO_TWINS): echo/echo.h
# What the multihome programs share; addrs.h, the address walker, is
# fuzz/addr_fuzz.c's too.
$(MULTIHOME_PROGS): multihome/multihome.h multihome/addrs.h
# Fuzz targets, compiled without libFuzzer (not linked: it brings main)
# by every build, so that a rename in what they call breaks the build,
# not the next fuzz run.
fuzz/addr_fuzz.o: multihome/addrs.h
fuzz/%.o: fuzz/%.c $(HEADERS) $(FLAGS_STAMP)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -Werror=implicit-function-declaration -c -o $@ $<
# sctpcheck's diagnosis (what the system's files say) is a file of its own.
check/sctpcheck: %: %.c check/diagnose.c check/diagnose.h $(HEADERS) $(FLAGS_STAMP)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< check/diagnose.c $(LDLIBS)
# The notification decoder is a file of its own, linked into both events
# programs, its unit test and its fuzz target.
$(EVENTS_PROGS): events/events.h
$(EVENTS_PROGS) tests/decode_test: %: %.c events/decode.c events/decode.h $(HEADERS) $(FLAGS_STAMP)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< events/decode.c $(LDLIBS)
fuzz/decode_fuzz.o: events/decode.h
# The multistream message header (flow.c: the receivers parse what a peer
# sent with it) is linked into both programs, their twins (whose rule
# links every .c it depends on), its unit test and its fuzz target.
MULTISTREAM_FLOW = multistream/flow.c multistream/flow.h
$(MULTISTREAM_PROGS) tests/flow_test: %: %.c $(MULTISTREAM_FLOW) $(HEADERS) $(FLAGS_STAMP)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< multistream/flow.c $(LDLIBS)
$(MULTISTREAM_TWINS): $(MULTISTREAM_FLOW)
fuzz/stream_receiver_fuzz.o: multistream/flow.h

deps:
	@tests/deps.sh build test format lint vm

# The packages first, then the build (a make of its own, so that even
# make -j builds nothing before they are there).
check: build-deps
	@$(MAKE) --no-print-directory all
	SANITIZE=$(SANITIZE) tests/run $(TESTS)

demo: build-deps
	@$(MAKE) --no-print-directory all
	tests/demo

# Installed: the kernel check as a command; the samples, under their own
# names, in SAMPLEDIR; each lesson's README and sources (and the shared
# header) in DOCDIR, as the tree has them; the man pages MANPAGES lists.
LESSON_DIRS = $(sort $(dir $(PROGS))) common/
SAMPLES = $(filter-out $(CHECK_PROGS),$(PROGS))
DOCS = README.md LICENSE $(wildcard $(foreach d,$(LESSON_DIRS), \
	$(d)README.md $(d)*.c $(d)*.h $(d)*.sh))
DOC_DIRS = $(patsubst %/,%,$(filter-out ./,$(sort $(dir $(DOCS)))))
install: $(PROGS) $(MANPAGES)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SAMPLEDIR) \
		$(addprefix $(DESTDIR)$(DOCDIR)/,$(DOC_DIRS))
	install -m 755 $(CHECK_PROGS) $(DESTDIR)$(BINDIR)
	install -m 755 $(SAMPLES) $(DESTDIR)$(SAMPLEDIR)
	$(foreach f,$(DOCS),install -m 644 $(f) $(DESTDIR)$(DOCDIR)/$(dir $(f)) &&) true
	$(if $(MANPAGES),install -d $(DESTDIR)$(MANDIR)/man1)
	$(if $(MANPAGES),install -m 644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1)

# Exactly what install put there, then the directories it made for it.
uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(CHECK_PROGS))) \
		$(addprefix $(DESTDIR)$(SAMPLEDIR)/,$(notdir $(SAMPLES))) \
		$(addprefix $(DESTDIR)$(DOCDIR)/,$(DOCS)) \
		$(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(MANPAGES)))
	rmdir $(DESTDIR)$(SAMPLEDIR) $(addprefix $(DESTDIR)$(DOCDIR)/,$(DOC_DIRS)) \
		$(DESTDIR)$(DOCDIR) 2>/dev/null || true

SOURCES = $(wildcard common/*.h */*.c */*.h)

format-check:
	clang-format --dry-run -Werror $(SOURCES)

format:
	clang-format -i $(SOURCES)

# Shell scripts for shellcheck (settings and exceptions: .shellcheckrc):
# every NAME.sh of a directory, and the scripts without a suffix. The bats
# helpers are sourced: the variables they set are for the .bats files that
# load them (SC2034), and they read the ones bats sets, $output and
# $status (SC2154); shellcheck sees neither side.
SHELL_SCRIPTS = */*.sh tests/run .ci/run bench/run
SHELL_LIBS = tests/test_helper.bash tests/lib/*.bash
shellcheck:
	shellcheck $(wildcard $(SHELL_SCRIPTS))
	shellcheck --exclude=SC2034,SC2154 $(wildcard $(SHELL_LIBS))

clean:
	rm -f $(PROGS) $(TEST_PROGS) $(FUZZ_OBJS) $(BENCH_DRIVERS) $(FLAGS_STAMP) \
		$(LIBSCTP_STAMP)

# Also the VM's kernel cache, the recorded test times and the outputs of
# the tour, the fuzzers and the benchmarks.
distclean: clean
	rm -rf .cache tour-out fuzz/out bench/out

# Benchmarks, side by side with iperf3 (bench/BENCHMARKS.md): measured in
# the VM when this kernel has no SCTP, about 15 minutes. The drivers are
# built here only; not part of `make all`, `make check` or CI.
BENCH_DRIVERS = bench/bulk bench/echo_load
bench: all $(BENCH_DRIVERS)
	bench/run

# Fuzzing (fuzz/run.sh, tests/ROBUSTNESS.md): every parser of untrusted
# bytes under libFuzzer with ASan + UBSan, FUZZ_SECONDS each. Needs clang.
FUZZ_SECONDS ?= 60
fuzz:
	fuzz/run.sh $(FUZZ_SECONDS)

.PHONY: FORCE all build-deps deps check demo install uninstall format-check \
	format shellcheck clean distclean bench fuzz
