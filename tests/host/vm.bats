#!/usr/bin/env bats
# The VM runner itself (tests/vm.sh), tested from this machine: it is what
# gives the suite a real SCTP stack when the kernel here has none.

load ../test_helper

setup() {
	KVER=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { sub("linux-image-", "", $2); print $2; exit }')
}

@test "vm.sh runs a command as root in a guest that speaks SCTP, passes on its status, and cleans up" {
	export TMPDIR=$BATS_TEST_TMPDIR
	cd "$TOP/echo"
	SCTP_MARK=quoted\ value run --separate-stderr "$TOP/tests/vm.sh" \
		bash -c 'checksctp; uname -r; id -u; pwd; echo "$SCTP_MARK"; exit 7'
	assert_equal "$status" 7
	assert_equal "$output" "$(printf 'SCTP supported\n%s\n0\n%s\nquoted value' "$KVER" "$TOP/echo")"
	[[ $stderr == *"guest up in "*" s (kernel $KVER)"* ]]
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
	# A cache whose kernel image is garbage: QEMU cannot boot it.
	local cache=$BATS_TEST_TMPDIR/cache kdir
	kdir=$cache/$KVER
	mkdir -p "$kdir/root/boot" "$kdir/root/lib/modules/$KVER"
	head -c 4096 /dev/zero >"$kdir/root/boot/vmlinuz-$KVER"
	: >"$kdir/initrd.img"
	echo "$KVER $(sha1sum <"$TOP/tests/vm.sh" | cut -c1-12)" >"$kdir/initrd.stamp"
	touch "$kdir/ready"
	SCTP_VM_CACHE=$cache run --separate-stderr timeout 120 "$TOP/tests/vm.sh" true
	assert_equal "$status" 125
	[[ $stderr == *"vm.sh: the guest did not boot (kernel $KVER)"* ]]
}

@test "tests/run refuses an unknown SCTP_TEST_MODE" {
	SCTP_TEST_MODE=bogus run --separate-stderr "$TOP/tests/run"
	assert_equal "$status" 2
	assert_equal "$stderr" "tests/run: SCTP_TEST_MODE must be auto, host or vm, not 'bogus'"
}
