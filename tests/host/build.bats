#!/usr/bin/env bats
# The Makefile's promises: PREFIX/DESTDIR, warnings that survive a CFLAGS
# override, rebuilds when the compiler changes. Run on this machine (no
# SCTP needed), in a scratch copy so the tree under test is not touched.

load ../test_helper

setup() {
	SRC=$BATS_TEST_TMPDIR/src
	mkdir -p "$SRC"
	# The sources only (what git tracks, plus work not yet committed).
	(cd "$TOP" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$SRC")
}

@test "make builds every program with zero warnings, and install/uninstall honour PREFIX and DESTDIR" {
	run make -C "$SRC" WERROR=1
	assert_success
	refute_output --partial warning:
	run make -s -C "$SRC" install PREFIX=/opt/sctp DESTDIR="$BATS_TEST_TMPDIR/stage"
	assert_success
	run ls "$BATS_TEST_TMPDIR/stage/opt/sctp/bin"
	assert_line sctpcheck
	assert_line echo_server
	assert_line tcp_echo_client
	refute_line seccomp-deny
	run make -s -C "$SRC" uninstall PREFIX=/opt/sctp DESTDIR="$BATS_TEST_TMPDIR/stage"
	assert_success
	run ls -A "$BATS_TEST_TMPDIR/stage/opt/sctp/bin"
	assert_output ""
}

@test "make CFLAGS=-O0 keeps the warnings, and a new compiler rebuilds everything" {
	run make -C "$SRC" CFLAGS=-O0 check/sctpcheck
	assert_success
	assert_output --partial "-Wall -Wextra"
	assert_output --partial "-O0"
	run make -C "$SRC" CC=clang check/sctpcheck
	assert_success
	assert_output --partial "clang -Icommon"
	run make -C "$SRC" CC=clang check/sctpcheck
	assert_success
	refute_output --partial "-o check/sctpcheck"
}

@test "make format-check accepts the tree and rejects a misformatted file" {
	run make -s -C "$SRC" format-check
	assert_success
	printf 'int  main( void ){return 0;}\n' >"$SRC/check/bad.c"
	run make -s -C "$SRC" format-check
	assert_failure
	assert_output --partial "check/bad.c"
}
