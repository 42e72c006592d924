#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# The VM runner itself (tests/vm.sh), tested from this machine: it is what
# gives the suite a real SCTP stack when the kernel here has none.

load ../test_helper

setup() {
	KVER=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { sub("linux-image-", "", $2); print $2; exit }')
}

# fake_cache: a VM cache in $BATS_TEST_TMPDIR/cache whose kernel image is
# garbage (QEMU cannot boot it), and that vm.sh takes as ready.
fake_cache() {
	local kdir=$BATS_TEST_TMPDIR/cache/$KVER
	mkdir -p "$kdir/root/boot" "$kdir/root/lib/modules/$KVER"
	head -c 4096 /dev/zero >"$kdir/root/boot/vmlinuz-$KVER"
	: >"$kdir/initrd.img"
	echo "$KVER $(sha1sum <"$TOP/tests/vm.sh" | cut -c1-12)" >"$kdir/initrd.stamp"
	touch "$kdir/ready"
	export SCTP_VM_CACHE=$BATS_TEST_TMPDIR/cache
}

# fake_qemu: SCTP_VM_QEMU is a script that writes its arguments to
# $BATS_TEST_TMPDIR/qemu.args, one run a line, and fails (no guest).
fake_qemu() {
	export SCTP_VM_QEMU=$BATS_TEST_TMPDIR/qemu
	printf '#!/bin/sh\necho "$*" >>%q\nexit 1\n' "$BATS_TEST_TMPDIR/qemu.args" >"$SCTP_VM_QEMU"
	chmod +x "$SCTP_VM_QEMU"
}

@test "vm.sh runs a command as root in a guest that speaks SCTP, passes on its status, and cleans up" {
	export TMPDIR=$BATS_TEST_TMPDIR
	cd "$TOP/echo"
	SCTP_MARK=quoted\ value run --separate-stderr "$TOP/tests/vm.sh" \
		bash -c 'checksctp; uname -r; id -u; pwd; echo "$SCTP_MARK"; exit 7'
	assert_equal "$status" 7
	assert_equal "$output" "$(printf 'SCTP supported\n%s\n0\n%s\nquoted value' "$KVER" "$TOP/echo")"
	[[ $stderr == *"guest up in "*" s (kernel $KVER)"* ]]
	[[ $stderr == *"vm.sh: accelerator "@(kvm|tcg)" ("* ]]
	# Nothing left behind: no share directory, no QEMU.
	run ls "$BATS_TEST_TMPDIR"
	refute_output --partial sctp-vm.
	run pgrep -f "$BATS_TEST_TMPDIR/sctp-vm"
	assert_failure
}

@test "vm.sh without QEMU says what to install" {
	SCTP_VM_QEMU=qemu-not-here run --separate-stderr "$TOP/tests/vm.sh" true
	assert_equal "$status" 125
	assert_equal "$(head -n 2 <<<"$stderr")" "vm.sh: qemu-not-here not found: install it with
  sudo apt-get install --no-install-recommends qemu-system-x86"
}

@test "vm.sh reports a guest that does not boot, with its console, instead of hanging" {
	fake_cache
	run --separate-stderr timeout 120 "$TOP/tests/vm.sh" true
	assert_equal "$status" 125
	[[ $stderr == *"vm.sh: the guest did not boot (kernel $KVER)"* ]]
}

@test "vm.sh falls back to TCG where KVM cannot work, and says which it used" {
	fake_cache
	fake_qemu
	# No KVM device at all, or something that is not one.
	SCTP_VM_KVM=$BATS_TEST_TMPDIR/no-kvm run --separate-stderr "$TOP/tests/vm.sh" true
	assert_equal "$status" 125
	assert_equal "${stderr%%$'\n'*}" "vm.sh: accelerator tcg (no KVM device $BATS_TEST_TMPDIR/no-kvm)"
	grep -q -- '^-accel tcg,thread=multi -cpu max,la57=off ' "$BATS_TEST_TMPDIR/qemu.args"
	touch "$BATS_TEST_TMPDIR/not-kvm"
	SCTP_VM_KVM=$BATS_TEST_TMPDIR/not-kvm run --separate-stderr "$TOP/tests/vm.sh" true
	assert_equal "${stderr%%$'\n'*}" "vm.sh: accelerator tcg (no KVM device $BATS_TEST_TMPDIR/not-kvm)"
	# This machine's own /dev/kvm. Where it opens but the CPU has no
	# vmx or svm flag (no nested virtualisation: KVM guests hang or
	# abort), the probe must not try it.
	run --separate-stderr "$TOP/tests/vm.sh" true
	local fd
	if [[ -c /dev/kvm ]] && { exec {fd}<>/dev/kvm; } 2>/dev/null &&
		exec {fd}>&- && ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
		assert_equal "${stderr%%$'\n'*}" "vm.sh: accelerator tcg (no vmx or svm flag in /proc/cpuinfo)"
	else
		[[ ${stderr%%$'\n'*} == "vm.sh: accelerator "@(kvm|tcg)" ("*")" ]]
	fi
	# Every boot (two tries a run) under TCG: the fake QEMU runs no
	# guest, so even a probe that tried KVM must have chosen TCG.
	run grep -c -- '-kernel ' "$BATS_TEST_TMPDIR/qemu.args"
	assert_output 6
	run grep -c -- '^-accel tcg,thread=multi .*-kernel ' "$BATS_TEST_TMPDIR/qemu.args"
	assert_output 6
}

@test "SCTP_VM_ACCEL=kvm or tcg overrides the probe; anything else is refused" {
	fake_cache
	fake_qemu
	SCTP_VM_ACCEL=kvm run --separate-stderr "$TOP/tests/vm.sh" true
	assert_equal "${stderr%%$'\n'*}" "vm.sh: accelerator kvm (SCTP_VM_ACCEL=kvm)"
	SCTP_VM_ACCEL=tcg SCTP_VM_CPU=qemu64 run --separate-stderr "$TOP/tests/vm.sh" true
	assert_equal "${stderr%%$'\n'*}" "vm.sh: accelerator tcg (SCTP_VM_ACCEL=tcg)"
	# Two boots each (vm.sh tries twice), with the right options.
	run cut -d ' ' -f 1-4 "$BATS_TEST_TMPDIR/qemu.args"
	assert_output "-accel kvm -cpu host
-accel kvm -cpu host
-accel tcg,thread=multi -cpu qemu64
-accel tcg,thread=multi -cpu qemu64"
	SCTP_VM_ACCEL=fast run --separate-stderr "$TOP/tests/vm.sh" true
	assert_equal "$status" 125
	assert_equal "$stderr" "vm.sh: SCTP_VM_ACCEL must be auto, kvm or tcg, not 'fast'"
}

@test "tests/run refuses an unknown SCTP_TEST_MODE" {
	SCTP_TEST_MODE=bogus run --separate-stderr "$TOP/tests/run"
	assert_equal "$status" 2
	assert_equal "$stderr" "tests/run: SCTP_TEST_MODE must be auto, host or vm, not 'bogus'"
}
