#!/usr/bin/env bash
# SPDX-License-Identifier: 0BSD
# deps.sh GROUP... : make sure the Debian packages a task needs are here.
#
# Groups: build (compile the programs), test (run the bats suite), vm (boot
# the throwaway test VM when this kernel has no SCTP), format, lint, clang,
# fuzz, valgrind, bench.
# Missing packages are installed with apt-get --no-install-recommends when
# run as root; otherwise the exact command is printed and we stop (exit 1).
# Nothing else is ever downloaded. On a system without dpkg and apt-get
# (Fedora, Arch, Alpine, ...) the commands the packages provide are looked
# for instead, and what is missing is named (exit 1).
set -euo pipefail

declare -A PKGS=(
	[build]="make gcc libc6-dev libsctp-dev"
	[format]="clang-format"
	[lint]="shellcheck"
	[clang]="clang"
	[test]="bats bats-support bats-assert lksctp-tools python3 tshark
		iproute2 nftables kmod procps socat ncat iperf3 curl webfs
		tzdata wireshark-common libusrsctp-examples man-db groff-base
		openssh-server openssh-client"
	[vm]="qemu-system-x86 busybox-static kmod cpio"
	# libclang-rt-dev: the compiler-rt of Debian's default clang (it
	# depends on libclang-rt-14-dev in Debian 12), so this survives the
	# next release's clang.
	[fuzz]="clang libclang-rt-dev"
	[valgrind]="valgrind"
	[bench]="gnuplot-nox iperf3 strace socat ncat procps"
)

# Without dpkg: the command that shows each package is here ("-": a
# library or data, which a command cannot show; the build and the tests
# say so themselves when it is missing).
declare -A COMMAND=(
	[make]=make [gcc]=gcc [libc6-dev]=- [libsctp-dev]=-
	[clang-format]=clang-format [shellcheck]=shellcheck [clang]=clang
	[bats]=bats [bats-support]=- [bats-assert]=- [lksctp-tools]=checksctp
	[python3]=python3 [tshark]=tshark [iproute2]=ip [nftables]=nft
	[kmod]=modprobe [procps]=pgrep [socat]=socat [ncat]=ncat
	[iperf3]=iperf3 [curl]=curl [webfs]=webfsd [tzdata]=-
	[wireshark-common]=dumpcap [qemu-system-x86]=qemu-system-x86_64
	[busybox-static]=busybox [cpio]=cpio [libclang-rt-dev]=-
	[valgrind]=valgrind [gnuplot-nox]=gnuplot [strace]=strace
	[libusrsctp-examples]=/usr/lib/usrsctp/echo_server
	[man-db]=man [groff-base]=groff
	[openssh-server]=/usr/sbin/sshd [openssh-client]=ssh
)

packages=()
for group in "$@"; do
	[[ -n ${PKGS[$group]+x} ]] || { echo "deps.sh: unknown group '$group'" >&2; exit 2; }
	for p in ${PKGS[$group]}; do
		[[ " ${packages[*]} " == *" $p "* ]] || packages+=("$p")
	done
done

if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
	missing=()
	for p in "${packages[@]}"; do
		c=${COMMAND[$p]:--}
		[[ $c == - ]] || command -v "$c" >/dev/null || missing+=("$c")
	done
	((${#missing[@]})) || exit 0
	echo "deps.sh: not found: ${missing[*]}" >&2
	echo "This is not a Debian system (no dpkg-query or apt-get): install them" >&2
	echo "with its package manager (Debian's packages: ${packages[*]})." >&2
	exit 1
fi

want=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	[[ $status == ii* ]] || want+=("$p")
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
