#!/usr/bin/env bash
# deps.sh GROUP... : make sure the Debian packages a task needs are here.
#
# Groups: build (compile the programs), test (run the bats suite), vm (boot
# the throwaway test VM when this kernel has no SCTP), fuzz, bench.
# Missing packages are installed with apt-get --no-install-recommends when
# run as root; otherwise the exact command is printed and we stop (exit 1).
# Nothing else is ever downloaded.
set -euo pipefail

declare -A PKGS=(
	[build]="make gcc libc6-dev libsctp-dev"
	[format]="clang-format"
	[clang]="clang"
	[test]="bats bats-support bats-assert lksctp-tools python3 tshark
		iproute2 nftables kmod procps socat ncat iperf3 curl webfs
		tzdata wireshark-common"
	[vm]="qemu-system-x86 busybox-static kmod cpio"
	[fuzz]="clang libclang-rt-14-dev"
	[valgrind]="valgrind"
	[bench]="gnuplot-nox iperf3"
)

want=()
for group in "$@"; do
	[[ -n ${PKGS[$group]+x} ]] || { echo "deps.sh: unknown group '$group'" >&2; exit 2; }
	for p in ${PKGS[$group]}; do
		status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
		[[ $status == ii* ]] || want+=("$p")
	done
done
((${#want[@]})) || exit 0

cmd="apt-get install -y --no-install-recommends ${want[*]}"
if ((EUID != 0)); then
	echo "Missing Debian packages: ${want[*]}" >&2
	echo "Install them as root with:" >&2
	echo "  sudo apt-get update && sudo $cmd" >&2
	exit 1
fi
echo "deps.sh: installing ${want[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have empty package lists: update once if needed.
if ! $cmd >/dev/null 2>&1; then
	apt-get update -qq
	$cmd
fi
