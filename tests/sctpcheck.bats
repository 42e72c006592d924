#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# check/sctpcheck on a kernel that speaks SCTP (the VM): the supported
# report, as root and as an ordinary user; the sandbox diagnosis, with a
# real seccomp filter (tests/seccomp-deny); and every other diagnosis, from
# fake /proc, /lib/modules, /etc and /boot trees passed with -R. Each
# case's -j output too: one JSON object, with the case's diagnosis id.

bats_require_minimum_version 1.5.0
load test_helper
load lib/sctpcheck

# A release no real machine has, so fake trees never match this kernel.
REL=6.1.0-99-fake

setup_file() {
	nobody_copies "$TOP"
}

teardown_file() {
	nobody_cleanup
}

setup() {
	SCTPCHECK=$TOP/check/sctpcheck
	DENY=$TOP/tests/seccomp-deny
	TREE=$BATS_TEST_TMPDIR/root
}

teardown() {
	[ -z "${NETNS:-}" ] || ip netns del "$NETNS" 2>/dev/null || true
	stop_all
}

# fake_tree: $TREE becomes a Debian 12 machine whose kernel has SCTP as a
# module, installed but not loaded. Each test then changes what it needs.
fake_tree() {
	mkdir -p "$TREE/proc" "$TREE/etc/modprobe.d" "$TREE/usr/lib/modprobe.d" \
		"$TREE/boot" "$TREE/lib/modules/$REL/kernel/net/sctp"
	printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n' \
		>"$TREE/etc/os-release"
	printf 'ipv6 655360 30 - Live 0x0000000000000000\n' >"$TREE/proc/modules"
	echo 'CONFIG_IP_SCTP=m' >"$TREE/boot/config-$REL"
	: >"$TREE/lib/modules/$REL/kernel/net/sctp/sctp.ko.xz"
}

# os_release ID [ID_LIKE]: the fake tree's distribution.
os_release() {
	{
		echo "ID=$1"
		[ -z "${2:-}" ] || echo "ID_LIKE=\"$2\""
	} >"$TREE/etc/os-release"
}

# assert_supported: the report of a kernel where SCTP works.
assert_supported() {
	assert_success
	assert_line --index 0 "SCTP supported"
	assert_line --regexp "^  kernel $(uname -r), sctp (as a module|built in)$"
	assert_line "  socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP): one-to-one style, ok"
	assert_line "  socket(AF_INET, SOCK_SEQPACKET, IPPROTO_SCTP): one-to-many style, ok"
	# The defaults negotiate 10 streams each way; the message goes out on
	# the last one.
	local a
	for a in '127\.0\.0\.1' '::1'; do
		assert_line --regexp "^  $a: association ESTABLISHED on port [0-9]+, streams: 10 in, 10 out$"
		assert_line "  ${a//\\/}: a 20-byte message arrived whole on stream 9"
	done
	refute_output --partial "what to do"
}

@test "reports SCTP supported as root: both socket styles, associations over 127.0.0.1 and ::1" {
	run "$SCTPCHECK"
	assert_supported
}

@test "-j: SCTP supported, the release, both associations and every tunable as /proc/sys/net/sctp has it, as JSON" {
	run "$SCTPCHECK" -j
	assert_success
	assert_json 'd["supported"], d["diagnosis"], d["kernel"], d["socket_error"]' "(True, 'supported', '$(uname -r)', None)" \
		'[(l["address"], l["ok"], l["skipped"], l["streams_in"], l["streams_out"], l["stream"], l["bytes"], l["failed_call"], l["error"]) for l in d["loopback"]]' \
		"[('127.0.0.1', True, False, 10, 10, 9, 20, None, None), ('::1', True, False, 10, 10, 9, 20, None, None)]" \
		'all(0 < l["port"] < 65536 for l in d["loopback"])' True \
		'len(d["tunables"]), sorted(k for k, v in d["tunables"].items() if str(v) != open("/proc/sys/net/sctp/" + k).read().strip())' '(17, [])' \
		'type(d["tunables"]["rto_min"]).__name__, type(d["tunables"]["cookie_hmac_alg"]).__name__' "('int', 'str')"
}

@test "reports SCTP supported as an ordinary user" {
	run as_nobody "$NOBODY_BIN/sctpcheck"
	assert_supported
}

@test "shows the kernel tunables as /proc/sys/net/sctp has them" {
	local n unit expected=
	for n in rto_initial rto_min rto_max hb_interval sack_timeout \
		valid_cookie_life path_max_retrans pf_retrans \
		association_max_retrans max_init_retransmits cookie_hmac_alg \
		auth_enable addip_enable prsctp_enable reconf_enable intl_enable \
		udp_port; do
		unit=
		[[ $n == @(rto_*|hb_interval|sack_timeout|valid_cookie_life) ]] && unit=" ms"
		expected+="$n $(<"/proc/sys/net/sctp/$n")$unit"$'\n'
	done
	run "$SCTPCHECK"
	assert_success
	assert_line "kernel tunables (/proc/sys/net/sctp, this network namespace):"
	# name, value and unit of each line after that heading
	assert_equal "$(awk '/^kernel tunables/ { on = 1; next }
		on { print $1, $2 ($3 == "ms" ? " ms" : "") }' <<<"$output")" "${expected%$'\n'}"
}

@test "reads the tunables of its own network namespace, live" {
	NETNS=$(netns_name sctpcheck)
	ip netns add "$NETNS"
	ip -n "$NETNS" link set lo up
	ip netns exec "$NETNS" sysctl -qw net.sctp.rto_min=321 net.sctp.hb_interval=4567
	run ip netns exec "$NETNS" "$SCTPCHECK"
	assert_success
	assert_line --regexp '^  rto_min +321 ms  '
	assert_line --regexp '^  hb_interval +4567 ms  '
	assert_line --regexp '^  127\.0\.0\.1: a 20-byte message arrived whole on stream 9$'
}

@test "a firewall dropping SCTP on loopback: associations time out, the nft advice fixes it" {
	NETNS=$(netns_name sctpcheck)
	ip netns add "$NETNS"
	ip -n "$NETNS" link set lo up
	ip netns exec "$NETNS" nft -f - <<-'EOF'
		table inet filter {
			chain input {
				type filter hook input priority 0; policy accept;
				meta l4proto sctp drop
			}
		}
	EOF
	run ip netns exec "$NETNS" "$SCTPCHECK" -t 2
	assert_failure 1
	assert_line --index 0 "SCTP supported"
	assert_line "  127.0.0.1: connect: Connection timed out"
	assert_line "  ::1: connect: Connection timed out"
	assert_line "  look: nft list ruleset; allow it first: nft insert rule inet filter input iif lo meta l4proto sctp accept"
	run ip netns exec "$NETNS" "$SCTPCHECK" -j -t 1
	assert_failure 1
	assert_json 'd["supported"], d["diagnosis"]' "(True, 'loopback_failed')" \
		'[(l["address"], l["ok"], l["failed_call"], l["error"]) for l in d["loopback"]]' \
		"[('127.0.0.1', False, 'connect', 'ETIMEDOUT'), ('::1', False, 'connect', 'ETIMEDOUT')]"
	ip netns exec "$NETNS" nft insert rule inet filter input iif lo meta l4proto sctp accept
	run ip netns exec "$NETNS" "$SCTPCHECK"
	assert_success
	assert_line "  127.0.0.1: a 20-byte message arrived whole on stream 9"
}

@test "-t takes whole seconds from 1 to 3600" {
	run --separate-stderr "$SCTPCHECK" -t 0
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "sctpcheck: timeout: '0' is not a number from 1 to 3600"
}

@test "a seccomp filter giving EPERM is diagnosed as policy" {
	run "$DENY" EPERM "$SCTPCHECK"
	assert_failure 1
	assert_line --index 0 "SCTP not supported: blocked by policy (a sandbox refused the socket)"
	assert_line "  socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP): Operation not permitted (EPERM)"
	assert_line "  this process runs under a seccomp filter (Seccomp: 2 in /proc/self/status)"
	assert_line "what to do:"
	assert_output --partial "(IPPROTO_SCTP) in its policy, e.g. a container's --security-opt seccomp=FILE;"
	run "$DENY" EPERM "$SCTPCHECK" -j
	assert_failure 1
	assert_json 'd["supported"], d["diagnosis"], d["socket_error"], d["loopback"]' "(False, 'blocked_by_policy', 'EPERM', [])"
}

@test "an EACCES refusal is diagnosed as policy, for an ordinary user too" {
	run as_nobody "$NOBODY_BIN/seccomp-deny" EACCES "$NOBODY_BIN/sctpcheck"
	assert_failure 1
	assert_line --index 0 "SCTP not supported: blocked by policy (a sandbox refused the socket)"
	assert_line "  socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP): Permission denied (EACCES)"
	assert_output --partial "a security module (SELinux, AppArmor) EACCES"
	run as_nobody "$NOBODY_BIN/seccomp-deny" EACCES "$NOBODY_BIN/sctpcheck" -j
	assert_failure 1
	assert_json 'd["diagnosis"], d["socket_error"]' "('blocked_by_policy', 'EACCES')"
}

@test "module present but not loaded: says modprobe sctp, without calling socket()" {
	fake_tree
	# Under a filter refusing SCTP sockets, a socket() call would show.
	run "$DENY" EPERM "$SCTPCHECK" -R "$TREE" -k "$REL"
	assert_failure 1
	assert_line --index 0 "SCTP not supported: sctp module present but not loaded"
	assert_line "  socket(): not called, or the kernel would load sctp.ko for it"
	assert_line "  kernel $REL: /boot/config-$REL says \"CONFIG_IP_SCTP=m\""
	assert_line "  sctp module: /lib/modules/$REL/kernel/net/sctp/sctp.ko.xz, not loaded"
	assert_line "  load it (as root): modprobe sctp"
	assert_line "  and at every boot: echo sctp > /etc/modules-load.d/sctp.conf"
	run "$DENY" EPERM "$SCTPCHECK" -R "$TREE" -k "$REL" -j
	assert_failure 1
	assert_json 'd["supported"], d["diagnosis"], d["kernel"], d["socket_error"]' "(False, 'module_not_loaded', '$REL', None)"
}

@test "blacklisted: names the modprobe.d file and line" {
	fake_tree
	printf '# Remove the blacklist by adding a comment # at the start of the line.\nblacklist sctp\n' \
		>"$TREE/etc/modprobe.d/sctp-blacklist.conf"
	run "$SCTPCHECK" -R "$TREE" -k "$REL"
	assert_failure 1
	assert_line --index 0 "SCTP not supported: sctp module blacklisted"
	assert_line "  /etc/modprobe.d/sctp-blacklist.conf:2: blacklist sctp"
	assert_line "  comment out /etc/modprobe.d/sctp-blacklist.conf:2 (as root): it stops the kernel loading sctp when a program asks"
	assert_line "  then load it: modprobe sctp"
	run "$SCTPCHECK" -R "$TREE" -k "$REL" -j
	assert_failure 1
	assert_json 'd["diagnosis"], d["blacklist"]' "('module_blacklisted', ['/etc/modprobe.d/sctp-blacklist.conf:2'])"
}

@test "blacklisted with install sctp /bin/false in /usr/lib/modprobe.d" {
	fake_tree
	printf 'alias foo bar\n\ninstall sctp /bin/false\n' >"$TREE/usr/lib/modprobe.d/disable.conf"
	run "$SCTPCHECK" -R "$TREE" -k "$REL"
	assert_failure 1
	assert_line --index 0 "SCTP not supported: sctp module blacklisted"
	assert_line "  /usr/lib/modprobe.d/disable.conf:3: install sctp /bin/false"
	assert_line "  comment out /usr/lib/modprobe.d/disable.conf:3 (as root): modprobe runs that command instead of loading sctp"
	run "$SCTPCHECK" -R "$TREE" -k "$REL" -j
	assert_failure 1
	assert_json 'd["diagnosis"], d["blacklist"]' "('module_blacklisted', ['/usr/lib/modprobe.d/disable.conf:3'])"
}

@test "a file in /etc/modprobe.d overrides its namesake in /usr/lib/modprobe.d" {
	fake_tree
	echo 'blacklist sctp' >"$TREE/usr/lib/modprobe.d/sctp-blacklist.conf"
	echo '#blacklist sctp' >"$TREE/etc/modprobe.d/sctp-blacklist.conf"
	run "$SCTPCHECK" -R "$TREE" -k "$REL"
	assert_failure 1
	assert_line --index 0 "SCTP not supported: sctp module present but not loaded"
	refute_output --partial "sctp-blacklist.conf"
	run "$SCTPCHECK" -R "$TREE" -k "$REL" -j
	assert_failure 1
	assert_json 'd["diagnosis"], d["blacklist"]' "('module_not_loaded', [])"
}

@test "module not installed: names the package for Debian, Ubuntu, Fedora, Rocky" {
	local cases=(
		"debian||apt-get install --reinstall linux-image-$REL"
		"ubuntu|debian|apt-get install linux-modules-extra-$REL"
		"fedora||dnf install kernel-modules-extra-$REL"
		"rocky|rhel centos fedora|dnf install kernel-modules-extra-$REL"
	)
	local c id like cmd
	fake_tree
	rm "$TREE/lib/modules/$REL/kernel/net/sctp/sctp.ko.xz"
	for c in "${cases[@]}"; do
		IFS='|' read -r id like cmd <<<"$c"
		os_release "$id" "$like"
		run "$SCTPCHECK" -R "$TREE" -k "$REL"
		assert_failure 1
		assert_line --index 0 "SCTP not supported: sctp module not installed"
		assert_line "  sctp module: none in /lib/modules/$REL"
		assert_line "  install it on $id: $cmd"
	done
	run "$SCTPCHECK" -R "$TREE" -k "$REL" -j
	assert_failure 1
	assert_json 'd["diagnosis"]' module_not_installed
}

@test "module not installed on an unknown distribution, modules of another kernel" {
	fake_tree
	rm -r "$TREE/lib/modules/$REL"
	os_release gentoo
	run "$SCTPCHECK" -R "$TREE" -k "$REL"
	assert_failure 1
	assert_line --index 0 "SCTP not supported: sctp module not installed"
	assert_line "  sctp module: none in /lib/modules/$REL (no such directory)"
	assert_line "  no modules at all for the running kernel: if it was upgraded, reboot into the new one"
	assert_line "  install your distribution's package of extra kernel modules for $REL"
	run "$SCTPCHECK" -R "$TREE" -k "$REL" -j
	assert_failure 1
	assert_json 'd["diagnosis"]' module_not_installed
}

@test "kernel built without SCTP, from /boot/config-RELEASE" {
	fake_tree
	echo '# CONFIG_IP_SCTP is not set' >"$TREE/boot/config-$REL"
	run "$SCTPCHECK" -R "$TREE" -k "$REL"
	assert_failure 1
	assert_line --index 0 "SCTP not supported: kernel built without SCTP"
	assert_line "  kernel $REL: /boot/config-$REL says \"# CONFIG_IP_SCTP is not set\""
	assert_line "  boot a kernel built with CONFIG_IP_SCTP=m or =y, e.g. Debian's stock linux-image-amd64,"
	refute_line "  this kernel cannot load modules either: nothing can add SCTP to it"
	run "$SCTPCHECK" -R "$TREE" -k "$REL" -j
	assert_failure 1
	assert_json 'd["supported"], d["diagnosis"], d["socket_error"]' "(False, 'kernel_without_sctp', None)"
}

@test "kernel built without SCTP or modules, from /proc/config.gz: this CI host's case" {
	fake_tree
	rm "$TREE/boot/config-$REL" "$TREE/proc/modules"
	printf 'CONFIG_NF_CT_PROTO_SCTP=y\n# CONFIG_IP_SCTP is not set\n' | gzip >"$TREE/proc/config.gz"
	# Without module support sctpcheck asks socket(): make it answer as
	# a kernel without SCTP does.
	run "$DENY" EPROTONOSUPPORT "$SCTPCHECK" -R "$TREE" -k "$REL"
	assert_failure 1
	assert_line --index 0 "SCTP not supported: kernel built without SCTP"
	assert_line "  socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP): Protocol not supported (EPROTONOSUPPORT)"
	assert_line "  kernel $REL: /proc/config.gz says \"# CONFIG_IP_SCTP is not set\""
	assert_line "  loadable modules: not supported by this kernel (no /proc/modules)"
	assert_line "  this kernel cannot load modules either: nothing can add SCTP to it"
	assert_line "  or run this suite in its VM, which boots such a kernel: make check does it automatically"
	run "$DENY" EPROTONOSUPPORT "$SCTPCHECK" -R "$TREE" -k "$REL" -j
	assert_failure 1
	assert_json 'd["diagnosis"], d["socket_error"]' "('kernel_without_sctp', 'EPROTONOSUPPORT')"
}

@test "-h and --help print the usage on stdout and exit 0; --version the version" {
	run --separate-stderr "$SCTPCHECK" -h
	assert_success
	assert_line --index 0 "usage: sctpcheck [-j] [-R ROOT] [-k RELEASE] [-t SECONDS] [-h]"
	assert_output --partial "-R ROOT"
	assert_equal "$stderr" ""
	local help=$output
	run --separate-stderr "$SCTPCHECK" --help
	assert_success
	assert_equal "$output" "$help"
	run --separate-stderr "$SCTPCHECK" --version
	assert_success
	assert_output --regexp '^sctpcheck \(sctp-samples\) [0-9]+\.[0-9]+$'
}

@test "a bad option or an extra argument exits 2 with the usage on stderr" {
	run --separate-stderr "$SCTPCHECK" -x
	assert_failure 2
	assert_output ""
	assert_equal "${stderr%%$'\n'*}" "sctpcheck: -x: unknown option"
	[[ $stderr == *$'\n'"usage: sctpcheck [-j] [-R ROOT] [-k RELEASE] [-t SECONDS] [-h]"$'\n'* ]] ||
		fail "no usage on stderr: $stderr"
	run --separate-stderr "$SCTPCHECK" extra
	assert_failure 2
	assert_equal "${stderr%%$'\n'*}" "sctpcheck: extra: unexpected argument"
}
