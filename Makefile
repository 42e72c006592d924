# SCTP socket samples: a plain Makefile.
#
#   make                 build every program (gcc by default; make CC=clang)
#   make check           run the bats suite on a real kernel SCTP stack
#                        (in a throwaway VM when this kernel has none)
#   make demo            the guided tour
#   make deps            install the Debian packages the suite needs
#   make install         PREFIX=/usr/local DESTDIR= honoured
#   make format-check    compare the sources with .clang-format
#   make SANITIZE=1 ...  build with AddressSanitizer + UBSan
#
# CFLAGS is yours; the warnings live in WARNINGS, so `make CFLAGS=-O0`
# keeps them. CI adds -Werror through WERROR=1.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
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
# _GNU_SOURCE: getaddrinfo, program_invocation_short_name, struct ucred.
ALL_CPPFLAGS = -Icommon -D_GNU_SOURCE $(CPPFLAGS)
ALL_CFLAGS = -std=c11 $(WARNINGS) $(SANFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(SANFLAGS) $(LDFLAGS)
LDLIBS ?= -lsctp

# One line per directory; each program is one .c file of the same name.
CHECK_PROGS = check/sctpcheck
ECHO_PROGS = echo/echo_server echo/echo_server_many echo/echo_client
DAYTIME_PROGS = daytime/daytime_server daytime/daytime_client
MULTISTREAM_PROGS = multistream/stream_sender multistream/stream_receiver
MULTIHOME_PROGS = multihome/multihome_server multihome/multihome_client
EVENTS_PROGS = events/sctp_events

# Twins: the same source built for TCP with -DUSE_TCP (see echo/README.md).
ECHO_TWINS = echo/tcp_echo_server echo/tcp_echo_client
MULTISTREAM_TWINS = multistream/tcp_stream_sender multistream/tcp_stream_receiver
TCP_TWINS = $(ECHO_TWINS) $(MULTISTREAM_TWINS)

PROGS = $(CHECK_PROGS) $(ECHO_PROGS) $(DAYTIME_PROGS) $(MULTISTREAM_PROGS) \
	$(MULTIHOME_PROGS) $(EVENTS_PROGS) $(TCP_TWINS)
# Programs only the tests use; built by `make`, never installed.
TEST_PROGS = tests/seccomp-deny events/decode_test
HEADERS = common/util.h common/util_old.h

all: build-deps $(PROGS) $(TEST_PROGS)

# Everything is rebuilt when the compiler or flags change (CC=clang,
# SANITIZE=1, ...): this file holds the last command line used.
FLAGS_STAMP = .cache/build-flags
$(FLAGS_STAMP): FORCE
	@mkdir -p $(@D)
	@echo '$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(LDLIBS)' | \
		cmp -s - $@ || \
		echo '$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) $(LDLIBS)' >$@
FORCE:

build-deps:
	@tests/deps.sh build

%: %.c $(HEADERS) $(FLAGS_STAMP)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LDLIBS)

# A twin tcp_NAME is built from NAME.c with USE_TCP defined.
define twin_rule
$(1): $$(dir $(1))$$(patsubst tcp_%,%,$$(notdir $(1))).c $$(HEADERS) $$(FLAGS_STAMP)
	$$(CC) $$(ALL_CPPFLAGS) -DUSE_TCP $$(ALL_CFLAGS) $$(ALL_LDFLAGS) -o $$@ $$< $$(LDLIBS)
endef
$(foreach t,$(TCP_TWINS),$(eval $(call twin_rule,$(t))))
# The notification decoder is a file of its own, linked into the program,
# its unit test and the fuzz target.
events/sctp_events events/decode_test: %: %.c events/decode.c events/decode.h $(HEADERS) $(FLAGS_STAMP)
	$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< events/decode.c $(LDLIBS)

deps:
	@tests/deps.sh build test format vm

check: all
	SANITIZE=$(SANITIZE) tests/run

demo: all
	tests/demo

install: $(PROGS)
	install -d $(DESTDIR)$(BINDIR)
	install -m 755 $(PROGS) $(DESTDIR)$(BINDIR)

uninstall:
	rm -f $(addprefix $(DESTDIR)$(BINDIR)/,$(notdir $(PROGS)))

SOURCES = $(wildcard common/*.h */*.c */*.h)

format-check:
	clang-format --dry-run -Werror $(SOURCES)

format:
	clang-format -i $(SOURCES)

clean:
	rm -f $(PROGS) $(TEST_PROGS)

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

.PHONY: FORCE all build-deps deps check demo install uninstall format-check format clean bench fuzz
