#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# check/sctpcheck on a machine whose kernel has NO SCTP (this project's CI
# machines: a micro-VM kernel built without it and without modules). Run on
# the host itself by tests/run, never in the VM: the point is to diagnose
# the very machine the suite runs on, in text and as JSON (-j).
# tests/sctpcheck.bats covers the rest.

bats_require_minimum_version 1.5.0
load ../test_helper
load ../lib/sctpcheck

setup_file() {
	nobody_copies "$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
}

teardown_file() {
	nobody_cleanup
}

setup() {
	# test_helper's TOP is tests/ seen from this subdirectory.
	TOP=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	SCTPCHECK=$TOP/check/sctpcheck
	DENY=$TOP/tests/seccomp-deny
	if has_sctp; then
		fail "this kernel speaks SCTP: these tests are for a kernel without it (see tests/sctpcheck.bats)"
	fi
}

# kernel_config: where this machine keeps its kernel configuration, as
# sctpcheck looks for it: /boot/config-RELEASE, else /proc/config.gz.
kernel_config() {
	if [ -r "/boot/config-$(uname -r)" ]; then
		CONFIG_FILE=/boot/config-$(uname -r)
		CONFIG_LINE=$(grep -E '^(# )?CONFIG_IP_SCTP[= ]' "$CONFIG_FILE")
	else
		CONFIG_FILE=/proc/config.gz
		CONFIG_LINE=$(zcat /proc/config.gz | grep -E '^(# )?CONFIG_IP_SCTP[= ]')
	fi
}

# assert_this_machine: the diagnosis of this machine, whoever asks.
assert_this_machine() {
	kernel_config
	assert_equal "$CONFIG_LINE" "# CONFIG_IP_SCTP is not set"
	assert_failure 1
	assert_line --index 0 "SCTP not supported: kernel built without SCTP"
	assert_line "  socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP): Protocol not supported (EPROTONOSUPPORT)"
	assert_line "  kernel $(uname -r): $CONFIG_FILE says \"# CONFIG_IP_SCTP is not set\""
	if [ -e /proc/modules ]; then
		refute_line "  this kernel cannot load modules either: nothing can add SCTP to it"
	else
		assert_line "  loadable modules: not supported by this kernel (no /proc/modules)"
		assert_line "  this kernel cannot load modules either: nothing can add SCTP to it"
	fi
	assert_line "  boot a kernel built with CONFIG_IP_SCTP=m or =y, e.g. Debian's stock linux-image-amd64,"
	assert_line "  or run this suite in its VM, which boots such a kernel: make check does it automatically"
	refute_line "SCTP supported"
}

@test "diagnoses this machine: kernel built without SCTP, EPROTONOSUPPORT, exit 1" {
	run "$SCTPCHECK"
	assert_this_machine
}

@test "-j: the same diagnosis as JSON, no association, no tunables" {
	run "$SCTPCHECK" -j
	assert_failure 1
	assert_json 'd["supported"], d["diagnosis"], d["kernel"], d["socket_error"]' \
		"(False, 'kernel_without_sctp', '$(uname -r)', 'EPROTONOSUPPORT')" \
		'd["loopback"], d["blacklist"], len(d["tunables"]), set(d["tunables"].values())' '([], [], 17, {None})'
}

@test "-j escapes what it prints: a release with a quote and a backslash comes back intact" {
	mkdir -p "$BATS_TEST_TMPDIR/root/proc"
	: >"$BATS_TEST_TMPDIR/root/proc/modules"
	run "$SCTPCHECK" -j -R "$BATS_TEST_TMPDIR/root" -k 'a"b\c'
	assert_failure 1
	assert_json 'd["kernel"], d["diagnosis"]' "('a\"b\\\\c', 'module_not_installed')"
}

@test "gives an ordinary user the same diagnosis" {
	run as_nobody "$NOBODY_BIN/sctpcheck"
	assert_this_machine
}

@test "a seccomp filter answers before the kernel: EPERM is diagnosed as policy" {
	run "$DENY" EPERM "$SCTPCHECK"
	assert_failure 1
	assert_line --index 0 "SCTP not supported: blocked by policy (a sandbox refused the socket)"
	assert_line "  socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP): Operation not permitted (EPERM)"
	assert_line "  this process runs under a seccomp filter (Seccomp: 2 in /proc/self/status)"
	assert_line "  (outside the sandbox too, this kernel has no SCTP: see its configuration above)"
	run "$DENY" EPERM "$SCTPCHECK" -j
	assert_failure 1
	assert_json 'd["diagnosis"], d["socket_error"]' "('blocked_by_policy', 'EPERM')"
}

@test "EACCES from a sandbox, for an ordinary user, is diagnosed as policy" {
	run as_nobody "$NOBODY_BIN/seccomp-deny" EACCES "$NOBODY_BIN/sctpcheck"
	assert_failure 1
	assert_line --index 0 "SCTP not supported: blocked by policy (a sandbox refused the socket)"
	assert_line "  socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP): Permission denied (EACCES)"
	assert_line "  this process runs under a seccomp filter (Seccomp: 2 in /proc/self/status)"
	run as_nobody "$NOBODY_BIN/seccomp-deny" EACCES "$NOBODY_BIN/sctpcheck" -j
	assert_failure 1
	assert_json 'd["diagnosis"], d["socket_error"]' "('blocked_by_policy', 'EACCES')"
}
