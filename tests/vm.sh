#!/usr/bin/env bash
# SPDX-License-Identifier: 0BSD
# vm.sh CMD [ARGS...]: run CMD as root inside a throwaway VM whose kernel
# speaks SCTP, and exit with CMD's status. CMD's output is streamed here.
#
# Why: the suite must talk to a real kernel SCTP stack, and some kernels
# (containers, micro-VM kernels) have none. This boots Debian's stock
# kernel, which ships sctp.ko, under QEMU (with KVM where it works, else
# software emulation: no KVM needed), and shares this machine's whole file system with the guest
# read-only, with a throwaway in-memory layer on top: every tool installed
# here (bash, bats, tshark, ip, the built programs) is there too, at the
# same paths, and nothing the guest writes reaches this machine except
# CMD's output and exit status.
#
#   tests/vm.sh bats tests/echo.bats
#   tests/vm.sh bash -c 'checksctp; ip -br addr'
#
# Environment:
#   SCTP_VM_CACHE    where the kernel and initramfs are kept
#                    (default: .cache/vm in the source tree)
#   SCTP_VM_MEM      guest memory in MiB (default 3072)
#   SCTP_VM_CPUS     guest CPUs (default: this machine's, at most 4)
#   SCTP_VM_TIMEOUT  seconds before the VM is killed (default 3600: a hung
#                    guest ends; a loaded CI machine's shard of the suite
#                    can take more than half of that)
#   SCTP_VM_VERBOSE  1: show the guest's console (boot messages)
#   SCTP_VM_QEMU     the QEMU binary (default qemu-system-x86_64)
#   SCTP_VM_ACCEL    auto (default): KVM when a probe finds it works, else
#                    TCG (software emulation); kvm or tcg: that one. The
#                    run says which it used, on stderr.
#   SCTP_VM_KVM      the KVM device the probe opens (default /dev/kvm)
#   SCTP_VM_CPU      the CPU model (default under KVM: host; under TCG
#                    max,la57=off: 4-level page tables are cheaper to
#                    emulate than 5)
#   SCTP_VM_EXPORT   a directory of this machine that the guest may write
#                    to (at the same path): how pcaps and results come back
# Variables named SCTP_*, BATS_*, READY_*, SANITIZE, ASAN_OPTIONS,
# UBSAN_OPTIONS, TZ, TERM, CI and LANG are passed on to CMD.
set -euo pipefail

prog=vm.sh
die() {
	echo "$prog: $*" >&2
	exit 125
}

(($# > 0)) || {
	echo "usage: $prog CMD [ARGS...]" >&2
	exit 2
}

top=$(cd "$(dirname "$0")/.." && pwd)
cache=${SCTP_VM_CACHE:-$top/.cache/vm}
mem=${SCTP_VM_MEM:-3072}
cpus=${SCTP_VM_CPUS:-$(($(nproc) > 4 ? 4 : $(nproc)))}
limit=${SCTP_VM_TIMEOUT:-3600}
# Modules the initramfs loads to reach the shared file system; the rest
# (sctp, veth, sch_netem, nf_tables, ...) modprobe finds once it is up.
boot_modules="virtio_pci 9pnet_virtio 9p overlay"
# The guest must say it booted within this many seconds.
boot_limit=180

qemu=${SCTP_VM_QEMU:-qemu-system-x86_64}
accel=${SCTP_VM_ACCEL:-auto}
kvm_dev=${SCTP_VM_KVM:-/dev/kvm}
[[ $accel == @(auto|kvm|tcg) ]] ||
	die "SCTP_VM_ACCEL must be auto, kvm or tcg, not '$accel'"
command -v "$qemu" >/dev/null ||
	die "$qemu not found: install it with
  sudo apt-get install --no-install-recommends qemu-system-x86
(or run 'make deps' as root)"
for t in busybox depmod modprobe cpio apt-get dpkg; do
	command -v "$t" >/dev/null || die "$t not found: run 'make deps' as root"
done
# The initramfs needs a busybox that runs without shared libraries.
ldd /bin/busybox >/dev/null 2>&1 &&
	die "/bin/busybox is dynamically linked: install busybox-static"

# --- the kernel: Debian's stock package, cached by its version ---------
kernel_package() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }'
}

pkg=$(kernel_package)
if [[ -z $pkg ]]; then
	((EUID == 0)) && apt-get update -qq && pkg=$(kernel_package)
	[[ -n $pkg ]] || die "cannot find Debian's linux-image-amd64 package;
  run 'sudo apt-get update' and try again"
fi
kver=${pkg#linux-image-}
kdir=$cache/$kver
# Rebuild the initramfs when this script changes (it writes the init).
stamp="$kver $(sha1sum <"$0" | cut -c1-12)"

# Several runs may start at once (tests/run boots one VM per shard): the
# first to come fetches and builds, the others wait for it.
mkdir -p "$cache"
exec {lock}>"$cache/.lock"
flock "$lock"

if [[ ! -f $kdir/ready ]]; then
	echo "$prog: fetching Debian kernel $pkg (once; cached in $cache)" >&2
	rm -rf "$kdir"
	mkdir -p "$kdir/dl"
	(cd "$kdir/dl" && apt-get download "$pkg" >/dev/null 2>&1) ||
		die "apt-get download $pkg failed"
	dpkg -x "$kdir"/dl/*.deb "$kdir/root"
	rm -rf "$kdir/dl"
	depmod -b "$kdir/root" "$kver"
	touch "$kdir/ready"
fi
vmlinuz=$kdir/root/boot/vmlinuz-$kver
moddir=$kdir/root/lib/modules/$kver

if [[ ! -f $kdir/initrd.img || $(cat "$kdir/initrd.stamp" 2>/dev/null) != "$stamp" ]]; then
	echo "$prog: building initramfs" >&2
	ird=$(mktemp -d)
	mkdir -p "$ird"/{bin,dev,proc,sys,newroot,host,mods}
	cp /bin/busybox "$ird/bin/busybox"
	for m in $boot_modules; do
		modprobe -d "$kdir/root" -S "$kver" --show-depends "$m" |
			awk '$1 == "insmod" { print $2 }'
	done | awk '!seen[$0]++' | while read -r ko; do
		cp "$ko" "$ird/mods/"
		basename "$ko" >>"$ird/mods/order"
	done
	cat >"$ird/init" <<'INIT'
#!/bin/busybox sh
# Stage 1 (initramfs): load the modules that reach the host's file system,
# build root = host / (read-only 9p) + tmpfs overlay, and switch to it.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /mods/order); do insmod "/mods/$m" || echo "insmod $m failed"; done
mount -t 9p -o trans=virtio,version=9p2000.L,cache=loose,msize=262144 host /host ||
	{ echo "vm: cannot mount the host file system"; poweroff -f; }
mkdir -p /rw && mount -t tmpfs -o size=75% rw /rw && mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work,redirect_dir=on root /newroot ||
	{ echo "vm: cannot mount the overlay"; poweroff -f; }
for d in proc sys dev; do mount --move /$d /newroot/$d; done
mkdir -p /newroot/run/sctp-vm
mount -t 9p -o trans=virtio,version=9p2000.L share /newroot/run/sctp-vm ||
	{ echo "vm: cannot mount the share"; poweroff -f; }
exec switch_root /newroot /bin/bash /run/sctp-vm/stage2
INIT
	chmod +x "$ird/init"
	(cd "$ird" && find . | cpio -o -H newc --quiet | gzip -1) >"$kdir/initrd.img.tmp"
	mv "$kdir/initrd.img.tmp" "$kdir/initrd.img"
	echo "$stamp" >"$kdir/initrd.stamp"
	rm -rf "$ird"
fi
exec {lock}>&-

# --- the run ----------------------------------------------------------
share=$(mktemp -d "${TMPDIR:-/tmp}/sctp-vm.XXXXXX")
qemu_pid=
cleanup() {
	if [[ -n $qemu_pid ]]; then kill "$qemu_pid" 2>/dev/null || true; fi
	if [[ -n ${tail_pid:-} ]]; then kill "$tail_pid" 2>/dev/null || true; fi
	rm -rf "$share"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export_args=()
export_dir=
if [[ -n ${SCTP_VM_EXPORT:-} ]]; then
	mkdir -p "$SCTP_VM_EXPORT"
	export_dir=$(cd "$SCTP_VM_EXPORT" && pwd)
	export_args=(-virtfs "local,path=$export_dir,mount_tag=export,security_model=none")
fi

{
	# pyenv's shims misbehave in the guest (they hang under timeout(1)):
	# leave them out, so python3 is the system's.
	guest_path=$(tr ':' '\n' <<<"$PATH" | grep -v '/\.pyenv/' | paste -sd:)
	printf 'export PATH=%q HOME=/root\n' "$guest_path"
	env | awk -F= '/^(SCTP_|BATS_|READY_|SANITIZE=|ASAN_OPTIONS=|UBSAN_OPTIONS=|TZ=|TERM=|CI=|LANG=)/ { print $1 }' |
		while read -r v; do printf 'export %s=%q\n' "$v" "${!v}"; done
	printf 'cd %q\n' "$PWD"
	printf 'cmd=('
	printf '%q ' "$@"
	printf ')\n'
} >"$share/cmd"

cat >"$share/stage2" <<STAGE2
# Stage 2 (PID 1 on the overlay root): finish the set-up, run CMD, power off.
mkdir -p /dev/pts /dev/shm /lib/modules/$kver
mount -t devpts devpts /dev/pts
mount -t tmpfs shm /dev/shm
ln -sfn /proc/self/fd /dev/fd
mount --bind $(printf %q "$moddir") /lib/modules/$kver
export_dir=$(printf %q "$export_dir")
if [[ -n \$export_dir ]]; then
	mkdir -p "\$export_dir"
	mount -t 9p -o trans=virtio,version=9p2000.L export "\$export_dir"
fi
hostname sctp-vm
ip link set lo up
echo booted >/run/sctp-vm/booted
. /run/sctp-vm/cmd
modprobe sctp || echo "vm: modprobe sctp failed" >&2
"\${cmd[@]}" >/run/sctp-vm/output 2>&1 </dev/null
echo \$? >/run/sctp-vm/status
sync
echo o >/proc/sysrq-trigger
STAGE2
: >"$share/output"

# --- the accelerator: KVM where it works, else TCG ----------------------
# kvm_runs_guests: a tiny guest, the firmware alone, runs under KVM: it
# writes its banner to the debug port within a few seconds. A /dev/kvm
# that opens is not enough: without nested virtualisation (no vmx or svm
# flag) its guests hang or abort.
kvm_runs_guests() {
	local log=$share/kvm-probe pid i
	"$qemu" -accel kvm -cpu host -m 16 -nodefaults -display none \
		-monitor none -serial none -no-reboot \
		-chardev "file,id=fw,path=$log" \
		-device isa-debugcon,iobase=0x402,chardev=fw \
		</dev/null >/dev/null 2>&1 &
	pid=$!
	for ((i = 0; i < 50; i++)); do
		[[ -s $log ]] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	[[ -s $log ]]
}

# kvm_opens: the device opens read-write, as QEMU opens it (root may pass
# the permission test yet be refused, e.g. by a container's device rules).
kvm_opens() {
	local fd
	{ exec {fd}<>"$kvm_dev"; } 2>/dev/null || return 1
	exec {fd}>&-
}

# pick_accel: sets accel (kvm or tcg) and why, from SCTP_VM_ACCEL and,
# for auto, the probe, cheapest test first.
pick_accel() {
	if [[ $accel != auto ]]; then
		why="SCTP_VM_ACCEL=$accel"
	elif [[ ! -c $kvm_dev ]]; then
		accel=tcg why="no KVM device $kvm_dev"
	elif ! kvm_opens; then
		accel=tcg why="$kvm_dev does not open read-write"
	elif ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
		accel=tcg why="no vmx or svm flag in /proc/cpuinfo"
	elif ! kvm_runs_guests; then
		accel=tcg why="a KVM guest did not start"
	else
		accel=kvm why="$kvm_dev runs guests"
	fi
}
pick_accel
echo "$prog: accelerator $accel ($why)" >&2
if [[ $accel == kvm ]]; then
	accel_args=(-accel kvm -cpu "${SCTP_VM_CPU:-host}")
else
	accel_args=(-accel "tcg,thread=multi" -cpu "${SCTP_VM_CPU:-max,la57=off}")
fi

console=$share/console
# no_timer_check: on a busy machine the emulated CPU can be so slow that
# the kernel wrongly decides the IO-APIC timer is broken, and panics.
args=("${accel_args[@]}" -smp "$cpus" -m "$mem"
	-kernel "$vmlinuz" -initrd "$kdir/initrd.img"
	-append "console=ttyS0 quiet loglevel=3 panic=-1 mitigations=off no_timer_check"
	-nographic -no-reboot -nic none -serial "file:$console" -monitor none
	-virtfs "local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap"
	-virtfs "local,path=$share,mount_tag=share,security_model=none"
	"${export_args[@]}")

# boot: start QEMU and wait until the guest says it is up. Fails (with
# QEMU stopped) when it dies or stays silent past boot_limit.
boot() {
	start=$SECONDS
	"$qemu" "${args[@]}" </dev/null >"$share/qemu.log" 2>&1 &
	qemu_pid=$!
	until [[ -f $share/booted ]]; do
		if ! kill -0 "$qemu_pid" 2>/dev/null || ((SECONDS - start > boot_limit)); then
			kill "$qemu_pid" 2>/dev/null || true
			wait "$qemu_pid" 2>/dev/null || true
			qemu_pid=
			return 1
		fi
		sleep 0.2
	done
}

# A boot can fail for reasons that do not repeat (a starved emulated CPU);
# one more try costs seconds and saves a whole test run.
if ! boot && ! boot; then
	echo "$prog: the guest did not boot (kernel $kver); its console said:" >&2
	tail -n 30 "$console" "$share/qemu.log" >&2 2>/dev/null || true
	exit 125
fi
[[ ${SCTP_VM_VERBOSE:-0} == 1 ]] && cat "$console" >&2
echo "$prog: guest up in $((SECONDS - start)) s (kernel $kver)" >&2
tail -n +1 -f --pid="$qemu_pid" "$share/output" &
tail_pid=$!
deadline=$((start + limit))
while kill -0 "$qemu_pid" 2>/dev/null; do
	if ((SECONDS > deadline)); then
		echo "$prog: killed the VM after ${limit} s" >&2
		exit 124
	fi
	sleep 0.2
done
wait "$tail_pid" 2>/dev/null || true
tail_pid=
wait "$qemu_pid" 2>/dev/null || true
qemu_pid=
[[ -f $share/status ]] || {
	echo "$prog: the guest stopped before CMD finished; its console said:" >&2
	tail -n 30 "$console" >&2 || true
	exit 125
}
exit "$(cat "$share/status")"
