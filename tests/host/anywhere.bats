#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# The suite passes from a checkout anywhere a user may put it: here, a
# copy of the tree under a mode-0700 directory (as mktemp -d, /root and
# many homes are) and a path with a space. The sctpcheck tests that run as
# user nobody, who cannot enter such a directory, must still pass. Runs on
# this machine (tests/nosctp/ needs a kernel WITHOUT SCTP).

bats_require_minimum_version 1.5.0

load ../test_helper

setup() {
	has_sctp && skip "this kernel speaks SCTP: tests/nosctp/ is for one without it"
	PRIVATE=$(mktemp -d)
	SRC="$PRIVATE/with space/sctp samples"
	mkdir -p "$SRC"
	chmod 700 "$PRIVATE" "$PRIVATE/with space"
	# The sources only (what git tracks, plus work not yet committed).
	(cd "$TOP" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$SRC")
}

teardown() {
	[ -z "${PRIVATE:-}" ] || rm -rf "$PRIVATE"
}

@test "from a checkout under a 0700 directory, with a space in its path, tests/nosctp/sctpcheck.bats passes" {
	run make -C "$SRC" check/sctpcheck tests/seccomp-deny
	assert_success
	# The premise: user nobody cannot reach the programs there (so that
	# seccomp-deny, run as nobody, could not exec sctpcheck there).
	run setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$SRC/check/sctpcheck"
	assert_failure
	run bats --tap "$SRC/tests/nosctp/sctpcheck.bats"
	assert_success
	assert_line --regexp '^ok [0-9]+ EACCES from a sandbox, for an ordinary user'
	assert_line --regexp '^ok [0-9]+ gives an ordinary user the same diagnosis'
	refute_line --regexp '^not ok '
}
