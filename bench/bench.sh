#!/usr/bin/env bash
# SPDX-License-Identifier: 0BSD
# bench/bench.sh OUTDIR: every measurement of `make bench`, on a kernel
# with SCTP, as root. bench/run calls it (in the test VM when this kernel
# has no SCTP) and then draws the plots; run it by hand only to re-measure.
#
# Every result is a ratio between runs made here, minutes apart, on the
# same (possibly emulated) machine: absolute speeds mean nothing under
# QEMU's software emulation, the ratios do.
#
# The "network" is two namespaces joined by a veth pair with the usual
# Ethernet MTU of 1500 (loopback's MTU of 64 KiB would hide fragmentation
# and changes what Nagle does). The bulk and echo programs run in them:
#
#   bench-PID-a 10.199.0.1 (clients, senders) --- veth --- bench-PID-b
#                                          10.199.0.2 (servers, sinks)
#
# OUTDIR receives one .dat file per experiment (whitespace-separated
# columns, a # header), raw/ with every program's output, and table.txt.
#
# Environment: SCTP_BENCH_ONLY="bulk cost" runs some sections only (bulk
# tuning sizes echo hol failover cost); SCTP_BENCH_QUICK=1 shortens every
# run (development only; the numbers are then too noisy to keep, except the
# cost section's system calls and memory, which are the same figures).
set -uo pipefail

prog=bench.sh
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: bench/bench.sh OUTDIR}
mkdir -p "$out/raw"
out=$(cd "$out" && pwd)
raw=$out/raw

quick=${SCTP_BENCH_QUICK:-0}
# Seconds per bulk run and per echo run; repetitions of the headline
# comparison (interleaved, so that a busy moment of the machine hits
# every configuration alike).
if ((quick)); then
	bulk_secs=1 echo_secs=1 reps=1 echo_reps=1 tuned_cycles=1 default_cycles=1
	hol_count=200
else
	bulk_secs=2 echo_secs=2 reps=4 echo_reps=3 tuned_cycles=4 default_cycles=2
	hol_count=600
fi
# The headline message size and socket buffer size (see BENCHMARKS.md).
LEN=16384
BUF=1048576
# Message sizes for the growth curves (the headline size is measured
# in the bulk section already), socket buffers to try.
SIZES="64 1024 4096 65536"
ECHO_SIZES="1024 16384 65536"
SCTP_BUFFERS="65536 262144 4194304"
TCP_BUFFERS="65536 4194304"
CLIENTS="1 10 100 1000"
# Idle associations for the memory reading (the last of CLIENTS).
IDLE=1000

BULK=$top/bench/bulk
LOAD=$top/bench/echo_load
SENDER=$top/multistream/stream_sender
RECEIVER=$top/multistream/stream_receiver
TCP_SENDER=$top/multistream/tcp_stream_sender
TCP_RECEIVER=$top/multistream/tcp_stream_receiver
ECHO_ONE=$top/echo/echo_server
ECHO_MANY=$top/echo/echo_server_many
ECHO_TCP=$top/echo/tcp_echo_server
FAILOVER=$top/multihome/failover.sh

((EUID == 0)) || { echo "$prog: needs root (namespaces, sysctl)" >&2; exit 1; }
for b in "$BULK" "$LOAD" "$SENDER" "$RECEIVER" "$TCP_SENDER" "$TCP_RECEIVER" \
	"$ECHO_ONE" "$ECHO_MANY" "$ECHO_TCP"; do
	[[ -x $b ]] || { echo "$prog: $b missing: run make and make bench-drivers" >&2; exit 1; }
done
for t in iperf3 ip tc nft ss timeout; do
	command -v "$t" >/dev/null || { echo "$prog: $t not found (tests/deps.sh test bench)" >&2; exit 1; }
done
modprobe -q sctp 2>/dev/null
modprobe -q veth 2>/dev/null
modprobe -q sch_netem 2>/dev/null

tag=bench-$$
nsa=$tag-a nsb=$tag-b
A=10.199.0.1 B=10.199.0.2
bg_pids=()
declare -A saved_sysctl
cleanup() {
	local p k
	for p in "${bg_pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	for k in "${!saved_sysctl[@]}"; do sysctl -qw "$k=${saved_sysctl[$k]}"; done
	for p in "$nsa" "$nsb" "$tag-tx" "$tag-rx"; do ip netns del "$p" 2>/dev/null; done
	return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s %s\n' "$(date +%T)" "$*" >&2; }
ina() { ip netns exec "$nsa" "$@"; }
inb() { ip netns exec "$nsb" "$@"; }

# A socket buffer request is capped at net.core.[wr]mem_max (212992 by
# default): raise the caps so -w can ask for up to 4 MiB, as iperf3 may.
for k in net.core.wmem_max net.core.rmem_max; do
	saved_sysctl[$k]=$(sysctl -n "$k")
	sysctl -qw "$k=16777216"
done

ip netns add "$nsa" && ip netns add "$nsb" || exit 1
ip link add va netns "$nsa" type veth peer name vb netns "$nsb" || exit 1
ip -n "$nsa" addr add "$A/24" dev va
ip -n "$nsb" addr add "$B/24" dev vb
for ns in "$nsa" "$nsb"; do ip -n "$ns" link set lo up; done
ip -n "$nsa" link set va up
ip -n "$nsb" link set vb up
# SCTP_BENCH_SNDBUF_POLICY=1: the servers' side accounts the send buffer
# per association instead of per socket (BENCHMARKS.md, the echo servers).
if [[ -n ${SCTP_BENCH_SNDBUF_POLICY:-} ]]; then
	inb sysctl -qw net.sctp.sndbuf_policy="$SCTP_BENCH_SNDBUF_POLICY" || exit 1
	say "net.sctp.sndbuf_policy=$SCTP_BENCH_SNDBUF_POLICY on the servers' side"
fi

{
	echo "kernel $(uname -r), $(nproc) CPUs, $(awk '/^model name/ { $1 = $2 = $3 = ""; print; exit }' /proc/cpuinfo)"
	echo "veth MTU $(ip -n "$nsa" -o link show va | sed -nE 's/.* mtu ([0-9]+) .*/\1/p')"
	for k in net.sctp.sctp_wmem net.sctp.sctp_rmem net.ipv4.tcp_wmem net.ipv4.tcp_rmem \
		net.core.wmem_default net.sctp.sndbuf_policy; do
		echo "$k = $(sysctl -n "$k" | tr '\t' ' ')"
	done
	echo "iperf3 $(iperf3 --version | head -n1 | awk '{ print $2 }')"
	echo "clock source $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
} >"$out/env.txt"

# wait_line FILE REGEX PID: until FILE has a matching line; fails when PID
# exits first or a minute passes.
wait_line() {
	local i
	for ((i = 0; i < 1200; i++)); do
		grep -Eq -- "$2" "$1" 2>/dev/null && return 0
		kill -0 "$3" 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
# serve NAME CMD...: start a server in namespace b; sets SPID and SPORT.
serve() {
	local name=$1
	shift
	# ip netns exec execs the program: $! is the server's own PID.
	ip netns exec "$nsb" "$@" >"$raw/$name.server" 2>&1 &
	SPID=$!
	bg_pids+=("$SPID")
	wait_line "$raw/$name.server" '^listening on .* port [0-9]+$' "$SPID" ||
		{ say "$name: server did not start"; cat "$raw/$name.server" >&2; return 1; }
	SPORT=$(sed -nE 's/^listening on .* port ([0-9]+)$/\1/p' "$raw/$name.server")
}
# unserve: stop the server SPID.
unserve() {
	kill "$SPID" 2>/dev/null
	wait "$SPID" 2>/dev/null
	return 0
}

# --- bulk throughput ---------------------------------------------------------
# Each function prints Mbit/s as the receiver measured it, or "nan".

# ours NAME SINK-ARGS -- SENDER-ARGS: bench/bulk to bench/bulk.
ours() {
	local name=$1 sink=() snd=()
	shift
	while (($#)) && [[ $1 != -- ]]; do sink+=("$1"); shift; done
	shift
	snd=("$@")
	serve "$name" "$BULK" -S -a "$B" -p 0 "${sink[@]}" || { echo nan; return; }
	timeout $((bulk_secs + 60)) ip netns exec "$nsa" "$BULK" -a "$B" -p "$SPORT" \
		-t "$bulk_secs" "${snd[@]}" >"$raw/$name.sender" 2>&1
	wait "$SPID"
	sed -nE 's/^received .*: ([0-9.]+) Mbit\/s$/\1/p' "$raw/$name.server" | grep . || echo nan
}
# sample NAME LENGTH: the multistream sample itself (stream_sender, as
# fast as it can: -r 0, one stream) into bench/bulk's sink. It sends a
# count, not for a time: give it more than it can send and stop it after
# bulk_secs; closing the socket on exit still delivers what is queued.
sample() {
	local name=$1
	serve "$name" "$BULK" -S -a "$B" -p 0 || { echo nan; return; }
	ip netns exec "$nsa" timeout -s INT "$bulk_secs" "$SENDER" -a "$B" -p "$SPORT" \
		-o 1 -r 0 -l "$2" -c 10000000 >"$raw/$name.sender" 2>&1
	wait "$SPID"
	sed -nE 's/^received .*: ([0-9.]+) Mbit\/s$/\1/p' "$raw/$name.server" | grep . || echo nan
}
# iperf NAME ARGS...: iperf3 client ARGS against a one-off iperf3 server;
# the receiver's rate. The port is random: iperf3 cannot bind port 0.
iperf() {
	local name=$1 port i
	shift
	for ((i = 0; i < 5; i++)); do
		port=$((20000 + RANDOM % 20000))
		inb iperf3 -s -1 -B "$B" -p "$port" >"$raw/$name.iperf-server" 2>&1 &
		SPID=$!
		bg_pids+=("$SPID")
		# Its control channel is TCP; ready once that listens.
		local j
		for ((j = 0; j < 600; j++)); do
			inb ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && break
			kill -0 "$SPID" 2>/dev/null || break
			sleep 0.05
		done
		kill -0 "$SPID" 2>/dev/null && break
	done
	# -f m: rates in Mbit/s; the receiver's line is the one to read.
	timeout $((bulk_secs + 60)) ip netns exec "$nsa" iperf3 -c "$B" -p "$port" \
		-t "$bulk_secs" -f m "$@" >"$raw/$name.iperf" 2>&1
	wait "$SPID"
	sed -nE 's/.* ([0-9.]+) Mbits\/sec .*receiver$/\1/p' "$raw/$name.iperf" | grep . || echo nan
}

# Sections to run (all by default); SCTP_BENCH_ONLY="echo hol" for less.
only=${SCTP_BENCH_ONLY:-bulk tuning sizes echo hol failover cost}
want() { [[ " $only " == *" $1 "* ]]; }

if want bulk; then
say "bulk: the sample, bench/bulk and iperf3, ${LEN}-byte messages, $reps rounds"
# name|command: the headline comparison. "default": the kernel's buffers
# and Nagle; "tuned": 1 MiB buffers and no Nagle (-N), for every sender.
configs=(
	"iperf3-sctp-default|iperf iperf3-sctp-default-R --sctp -l $LEN"
	"ours-sctp-default|ours ours-sctp-default-R -- -l $LEN"
	"sample-sctp-default|sample sample-sctp-default-R $LEN"
	"iperf3-sctp-tuned|iperf iperf3-sctp-tuned-R --sctp -l $LEN -w $BUF -N"
	"ours-sctp-tuned|ours ours-sctp-tuned-R -w $BUF -- -l $LEN -w $BUF -N"
	"iperf3-tcp-tuned|iperf iperf3-tcp-tuned-R -l $LEN -w $BUF -N"
	"ours-tcp-tuned|ours ours-tcp-tuned-R -T -w $BUF -- -T -l $LEN -w $BUF -N"
)
echo "# config round Mbit/s (receiver)" >"$out/bulk.dat"
for ((r = 1; r <= reps; r++)); do
	for c in "${configs[@]}"; do
		name=${c%%|*} cmd=${c#*|}
		cmd=${cmd//-R /-$r }
		# shellcheck disable=SC2086 # cmd is a word list on purpose
		v=$($cmd)
		echo "$name $r $v" >>"$out/bulk.dat"
		say "  $name round $r: $v Mbit/s"
	done
done
fi

# --- what the knobs do ---------------------------------------------------------
if want tuning; then
	say "tuning: buffers, Nagle, delayed SACK (bench/bulk)"
	echo "# knob setting protocol length Mbit/s" >"$out/tuning.dat"
	for w in $SCTP_BUFFERS; do
		v=$(ours "buf-sctp-$w" -w "$w" -- -l "$LEN" -w "$w" -N)
		echo "buffer $w sctp $LEN $v" >>"$out/tuning.dat"
		say "  SCTP -w $w: $v"
	done
	for w in $TCP_BUFFERS; do
		v=$(ours "buf-tcp-$w" -T -w "$w" -- -T -l "$LEN" -w "$w" -N)
		echo "buffer $w tcp $LEN $v" >>"$out/tuning.dat"
		say "  TCP -w $w: $v"
	done
	# Nagle (the default) against SCTP_NODELAY; the headline "tuned"
	# run is the "nodelay" case at the headline size.
	for l in 1024 $LEN; do
		for n in nagle nodelay; do
			[[ $l == "$LEN" && $n == nodelay ]] && continue
			flag=()
			[[ $n == nodelay ]] && flag=(-N)
			v=$(ours "nagle-$n-$l" -w "$BUF" -- -l "$l" -w "$BUF" "${flag[@]}")
			echo "$n on sctp $l $v" >>"$out/tuning.dat"
			say "  SCTP $n, $l-byte messages: $v"
		done
	done
	# The receiver's SACK policy: every packet, every 4th, or a short
	# timer instead of 200 ms (the default: every 2nd packet or 200 ms).
	for s in "sack_freq 1|-f 1" "sack_freq 4|-f 4" "sack_delay_ms 10|-d 10"; do
		label=${s%%|*} args=${s#*|}
		# shellcheck disable=SC2086 # args: zero or two words
		v=$(ours "sack-${label// /-}" -w "$BUF" $args -- -l "$LEN" -w "$BUF" -N)
		echo "$label sctp $LEN $v" >>"$out/tuning.dat"
		say "  SCTP $label: $v"
	done
	# Loopback: an MTU of 64 KiB. A message smaller than that is held by
	# Nagle until everything sent is acknowledged.
	for n in nagle nodelay; do
		flag=()
		[[ $n == nodelay ]] && flag=(-N)
		serve "lo-$n" "$BULK" -S -a 127.0.0.1 -p 0 -w "$BUF" || continue
		timeout $((bulk_secs + 60)) ip netns exec "$nsb" "$BULK" -a 127.0.0.1 -p "$SPORT" \
			-t "$bulk_secs" -l "$LEN" -w "$BUF" "${flag[@]}" >"$raw/lo-$n.sender" 2>&1
		wait "$SPID"
		v=$(sed -nE 's/^received .*: ([0-9.]+) Mbit\/s$/\1/p' "$raw/lo-$n.server" | grep . || echo nan)
		echo "loopback_$n on sctp $LEN $v" >>"$out/tuning.dat"
		say "  SCTP on loopback, $n: $v"
	done
fi

# --- cost as the message grows -------------------------------------------------
if want sizes; then
	say "sizes: bulk throughput from 64 B to 64 KiB (-w $BUF -N)"
	echo "# length ours-sctp iperf3-sctp ours-tcp (Mbit/s)" >"$out/sizes.dat"
	for l in $SIZES; do
		a=$(ours "size-sctp-$l" -w "$BUF" -- -l "$l" -w "$BUF" -N)
		b=$(iperf "size-iperf-$l" --sctp -l "$l" -w "$BUF" -N)
		c=$(ours "size-tcp-$l" -T -w "$BUF" -- -T -l "$l" -w "$BUF" -N)
		echo "$l $a $b $c" >>"$out/sizes.dat"
		say "  $l bytes: ours $a, iperf3 $b, TCP $c"
	done
fi

# --- echo round trips ------------------------------------------------------------
# load NAME ARGS...: bench/echo_load against the server on SPORT; prints
# "rate p50 p99" or "nan nan nan".
load() {
	local name=$1
	shift
	timeout $((echo_secs + 120)) ip netns exec "$nsa" "$LOAD" -a "$B" -p "$SPORT" \
		-t "$echo_secs" "$@" >"$raw/$name.load" 2>&1
	sed -nE 's/^round trips .*: ([0-9.]+) per second, p50 ([0-9]+) us, p99 ([0-9]+) us$/\1 \2 \3/p' \
		"$raw/$name.load" | grep . || echo nan nan nan
}
declare -A server_bin=([many]=$ECHO_MANY [one]=$ECHO_ONE [tcp]=$ECHO_TCP)
declare -A server_flag=([many]="" [one]="" [tcp]=-T)
declare -A server_pid server_port
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }
if want echo; then
	say "echo: round trips per second, $CLIENTS concurrent clients, $echo_reps rounds; sizes $ECHO_SIZES"
	# The three servers run side by side, so that the rounds can take
	# turns: a busy moment of the machine then hits each of them alike.
	# A thousand clients need more than 1024 descriptors.
	ulimit -n 4096
	for s in many one tcp; do
		serve "echo-$s" "${server_bin[$s]}" -a "$B" -p 0 || exit 1
		server_pid[$s]=$SPID server_port[$s]=$SPORT
	done
	echo "# server clients round round-trips/s p50-us p99-us" >"$out/echo.dat"
	echo "# server length round-trips/s p50-us p99-us (1 client)" >"$out/echo_sizes.dat"
	for ((r = 1; r <= echo_reps; r++)); do
		for n in $CLIENTS; do
			# A thousand clients take long to connect: one round,
			# below, with the memory.
			((n >= IDLE)) && continue
			for s in many one tcp; do
				SPORT=${server_port[$s]}
				# shellcheck disable=SC2086 # the flag may be empty
				v=$(load "echo-$s-$n-$r" ${server_flag[$s]} -n "$n" -l 64)
				echo "$s $n $r $v" >>"$out/echo.dat"
				say "  $s, $n clients, round $r: $v"
			done
		done
	done
	for l in $ECHO_SIZES; do
		for s in many one tcp; do
			SPORT=${server_port[$s]}
			# shellcheck disable=SC2086
			v=$(load "echo-$s-len-$l" ${server_flag[$s]} -n 1 -l "$l")
			echo "$s $l $v" >>"$out/echo_sizes.dat"
			say "  $s, $l bytes: $v"
		done
	done

	# A thousand clients: load for a while, then hold them idle and read
	# the server's memory and the kernel's.
	say "echo: $IDLE clients, then $IDLE idle associations"
	echo "# server rss-before-kB rss-with-${IDLE}-kB server-associations kernel-slab-growth-kB still-answers" >"$out/memory.dat"
	for s in many one tcp; do
		SPORT=${server_port[$s]} spid=${server_pid[$s]}
		before=$(rss_kb "$spid") slab0=$(slab_kb)
		f=$raw/echo-$s-$IDLE-1
		# shellcheck disable=SC2086
		# Not through ina: $! must be the clients' own PID, to stop them.
		ip netns exec "$nsa" "$LOAD" ${server_flag[$s]} -a "$B" -p "$SPORT" -n "$IDLE" -l 64 \
			-t "$echo_secs" -H >"$f.load" 2>&1 &
		hpid=$!
		bg_pids+=("$hpid")
		if wait_line "$f.load" '^holding ' "$hpid"; then
			v=$(sed -nE 's/^round trips .*: ([0-9.]+) per second, p50 ([0-9]+) us, p99 ([0-9]+) us$/\1 \2 \3/p' "$f.load")
			echo "$s $IDLE 1 ${v:-nan nan nan}" >>"$out/echo.dat"
			say "  $s, $IDLE clients: $v"
			# Let the server take in the last notifications.
			sleep 1
			after=$(rss_kb "$spid") slab1=$(slab_kb)
			# The server's side only: its port is the local one.
			if [[ $s == tcp ]]; then
				assocs=$(inb ss -Htn "sport = :$SPORT" | wc -l)
			else
				# Column 12 of /proc/net/sctp/assocs: the local port.
				# shellcheck disable=SC2016 # awk's $12, not the shell's
				assocs=$(inb awk -v p="$SPORT" '$12 == p' /proc/net/sctp/assocs | wc -l)
			fi
			# shellcheck disable=SC2086
			ok=$(load "idle-$s-probe" ${server_flag[$s]} -n 1 -l 64 | awk '{ print ($1 > 0) ? "yes" : "no" }')
			echo "$s $before $after $assocs $((slab1 - slab0)) $ok" >>"$out/memory.dat"
			say "  $s: RSS $before -> $after kB with $assocs associations; slab +$((slab1 - slab0)) kB; answers: $ok"
		else
			echo "$s $IDLE 1 nan nan nan" >>"$out/echo.dat"
			echo "$s $before nan nan nan no" >>"$out/memory.dat"
			say "  $s: $IDLE clients could not connect"
			cat "$f.load" >&2
		fi
		kill "$hpid" 2>/dev/null
		wait "$hpid" 2>/dev/null
	done
	for s in many one tcp; do
		SPID=${server_pid[$s]}
		unserve
	done
fi

# --- head-of-line blocking -----------------------------------------------------------
# The set-up of multistream/hol-experiment.sh (netem delay both ways, an
# nftables rule dropping a share of flow 0's packets only), with every
# message's delay kept (a line per message from stream_receiver) to draw
# the distribution.
HOL_FLOWS=4 HOL_RATE=200 HOL_DELAY=20 HOL_LOSS=5
if want hol; then
	say "hol: $HOL_FLOWS flows, $hol_count messages at $HOL_RATE/s, ${HOL_DELAY} ms each way, $HOL_LOSS% of flow 0 dropped"
	tx=$tag-tx rx=$tag-rx
	ip netns add "$tx" && ip netns add "$rx"
	ip link add ht netns "$tx" type veth peer name hr netns "$rx"
	ip -n "$tx" addr add 10.201.0.1/24 dev ht
	ip -n "$rx" addr add 10.201.0.2/24 dev hr
	for ns in "$tx" "$rx"; do ip -n "$ns" link set lo up; done
	ip -n "$tx" link set ht up
	ip -n "$rx" link set hr up
	ip netns exec "$tx" tc qdisc add dev ht root netem limit 100000 delay "${HOL_DELAY}ms"
	ip netns exec "$rx" tc qdisc add dev hr root netem limit 100000 delay "${HOL_DELAY}ms"
	# The flow number is the message's first 16 bits: after the 12-byte
	# common header and the 16-byte DATA chunk header in SCTP (first
	# chunk DATA, type 0), after a 32-byte TCP header (timestamps) and
	# the 4-byte length prefix in TCP.
	ip netns exec "$tx" nft -f - <<-NFT
		table inet hol {
			chain out {
				type filter hook output priority 0; policy accept;
				meta l4proto sctp @th,96,8 0 @th,224,16 0 numgen random mod 1000 < $((HOL_LOSS * 10)) counter drop
				meta l4proto tcp tcp doff 8 @th,288,16 0 numgen random mod 1000 < $((HOL_LOSS * 10)) counter drop
			}
		}
	NFT
	echo "# mode messages p50-ms p99-ms (flows 1..$((HOL_FLOWS - 1)), never dropped) p50-ms p99-ms (flow 0) intact" >"$out/hol.dat"
	for mode in streams one tcp unordered; do
		rxb=$RECEIVER txb=$SENDER txargs=(-o "$HOL_FLOWS")
		case $mode in
		one) txargs+=(-s 0) ;;
		tcp)
			rxb=$TCP_RECEIVER txb=$TCP_SENDER
			# The TCP twin names its flows -f (older builds: -o).
			"$TCP_SENDER" -h | grep -q -- '-f FLOWS' && txargs=(-f "$HOL_FLOWS")
			;;
		unordered) txargs+=(-u) ;;
		esac
		f=$raw/hol-$mode
		timeout $((hol_count / HOL_RATE + 90)) ip netns exec "$rx" "$rxb" -a 10.201.0.2 -p 0 >"$f.receiver" 2>&1 &
		rpid=$!
		bg_pids+=("$rpid")
		wait_line "$f.receiver" '^listening on' "$rpid" || { say "  $mode: no receiver"; continue; }
		port=$(sed -nE 's/^listening on .* port ([0-9]+)$/\1/p' "$f.receiver")
		timeout $((hol_count / HOL_RATE + 60)) ip netns exec "$tx" "$txb" -a 10.201.0.2 -p "$port" \
			-c "$hol_count" -r "$HOL_RATE" -l 64 "${txargs[@]}" >"$f.sender" 2>&1
		# report.sh's exit status: every message once, in order.
		wait "$rpid"
		if "$top/multistream/report.sh" "$f.receiver" >"$f.report"; then intact=yes; else intact=no; fi
		# "TIME message SEQ/COUNT flow F/FLOWS #N stream S ordered D ms" -> "F D"
		sed -nE 's|^[0-9:.]+ message [0-9]+/[0-9]+ flow ([0-9]+)/[0-9]+ .* ([0-9.]+) ms$|\1 \2|p' "$f.receiver" >"$out/hol_$mode.dat"
		# Nearest-rank percentiles of the intact flows and of flow 0.
		pct() { sort -n | awk -v p="$1" '{ v[NR] = $1 } END { i = int((p * NR + 99) / 100); if (i < 1) i = 1; if (NR) printf "%.1f", v[i]; else printf "nan" }'; }
		intact_d=$(awk '$1 != 0 { print $2 }' "$out/hol_$mode.dat")
		lossy_d=$(awk '$1 == 0 { print $2 }' "$out/hol_$mode.dat")
		stats="$(wc -l <"$out/hol_$mode.dat") $(pct 50 <<<"$intact_d") $(pct 99 <<<"$intact_d") $(pct 50 <<<"$lossy_d") $(pct 99 <<<"$lossy_d")"
		echo "$mode $stats $intact" >>"$out/hol.dat"
		say "  $mode: $stats intact=$intact"
	done
	ip netns del "$tx"
	ip netns del "$rx"
fi

# --- failover ----------------------------------------------------------------------------
# multihome/failover.sh does the work: two namespaces, two paths, the
# primary broken with nftables and repaired, -k times. Defaults: hold the
# fault 6 s only (the failover itself takes about one RTO, 1 s; waiting
# for ADDR_UNREACHABLE would take 63 s a cycle, see BENCHMARKS.md).
if want failover; then
	echo "# settings cycle failover-ms (path broken to the first message through the other path, at the server)" >"$out/failover.dat"
	for cfg in tuned default; do
		if [[ $cfg == tuned ]]; then
			args=(-f -k "$tuned_cycles")
		else
			args=(-k "$default_cycles" -H 6 -W 20)
		fi
		say "failover: $cfg settings, ${args[*]}"
		# Its logs go to a local directory first: it makes FIFOs there,
		# which the VM's shared directory cannot hold.
		logs=$(mktemp -d)
		timeout 600 "$FAILOVER" "${args[@]}" -n "$tag-mh" -o "$logs" \
			>"$raw/failover-$cfg.out" 2>"$raw/failover-$cfg.err"
		echo "# exit status $?" >>"$raw/failover-$cfg.out"
		rm -rf "$raw/failover-$cfg"
		mkdir -p "$raw/failover-$cfg"
		find "$logs" -maxdepth 1 -type f -exec cp {} "$raw/failover-$cfg/" \;
		rm -rf "$logs"
		# "[cycle N: ]failover: MS ms (fault to ...)"
		awk -v c="$cfg" '/failover: [0-9]+ ms \(/ && !/median/ {
			n = ($1 == "cycle") ? $2 + 0 : 1
			for (i = 1; i < NF; i++) if ($i == "failover:") print c, n, $(i + 1)
		}' "$raw/failover-$cfg.out" >>"$out/failover.dat"
		say "  $(grep "^$cfg " "$out/failover.dat" | awk '{ printf "%s ms ", $3 }')"
		# Timeline of the first fault: echoes per 100 ms, by the path
		# (server address) they came back on, from 2 s before the
		# fault to 8 s after.
		awk -v fault="$(grep -m1 -E '^[0-9:.]+ fault' "$raw/failover-$cfg/net.log" | cut -d' ' -f1)" \
			-v repair="$(grep -m1 -E '^[0-9:.]+ repair' "$raw/failover-$cfg/net.log" | cut -d' ' -f1)" '
			function ms(x, a) { split(x, a, /[:.]/); return ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4] }
			BEGIN { f = ms(fault); r = ms(repair); lo = -2000; hi = 8000; bin = 100 }
			$2 == "echo" && $4 == "from" {
				t = ms($1) - f
				if (t < lo || t >= hi) next
				b = int((t - lo) / bin)
				if ($5 == "10.131.1.2") p[b]++; else q[b]++
			}
			END {
				print "# ms-after-fault echoes-via-10.131.1.2(primary) echoes-via-10.131.2.2 (repair at " r - f " ms)"
				for (b = 0; b < (hi - lo) / bin; b++) print lo + b * bin, p[b] + 0, q[b] + 0
			}' "$raw/failover-$cfg/client.out" >"$out/timeline_$cfg.dat"
	done
fi
# --- cost: system calls, memory, and the throughput ratio ------------------------
# Figures that hold on a noisy machine: the system calls a server makes per
# message and the memory it takes per association do not depend on how
# fast the emulated machine runs at the moment, so those servers all run
# at once (the quick mode fits in a couple of minutes); throughput does,
# so only the ratio of rounds taking turns is kept, with its spread.
#
# System calls: strace -f -c of the server (all its processes), once with
# one message (or exchange) and once with 1 + K; the difference divided by
# K is the cost of one message in the steady state: startup, accept, fork
# and teardown subtracted.
if ((quick)); then
	cost_echoes=20 cost_days=5 cost_idle=10 cost_rounds=2 cost_load=5
else
	cost_echoes=200 cost_days=50 cost_idle=200 cost_rounds=8 cost_load=10
fi
ECHO_CLIENT=$top/echo/echo_client
DAY_SERVER=$top/daytime/daytime_server
DAY_CLIENT=$top/daytime/daytime_client
declare -A cost_spid cost_cpid cost_port cost_trace
cost_next_port=$((20000 + RANDOM % 20000))
# cost_start NAME TRACE CMD...: start CMD in namespace b, under strace -f
# -c when TRACE is 1 (its summary: raw/NAME.strace); @PORT in CMD becomes
# a port of its own. cost_ready NAME then waits until it listens.
cost_start() {
	local name=$1 trace=$2 a args=() port=$((cost_next_port++))
	shift 2
	for a in "$@"; do args+=("${a//@PORT/$port}"); done
	if ((trace)); then
		ip netns exec "$nsb" strace -f -c -o "$raw/$name.strace" "${args[@]}" >"$raw/$name.server" 2>&1 &
	else
		ip netns exec "$nsb" "${args[@]}" >"$raw/$name.server" 2>&1 &
	fi
	cost_spid[$name]=$!
	cost_cpid[$name]=$! cost_port[$name]=$port cost_trace[$name]=$trace
	bg_pids+=("$!")
}
# cost_ready NAME: until namespace b has an SCTP endpoint on NAME's port
# (column 6 of /proc/net/sctp/eps); finds the server's own PID under
# strace. Fails when it exits first or a minute passes.
cost_ready() {
	local name=$1 spid=${cost_spid[$1]} i c
	for ((i = 0; i < 1200; i++)); do
		# shellcheck disable=SC2016 # awk's $6
		if inb awk -v p="${cost_port[$name]}" '$6 == p { f = 1 } END { exit !f }' /proc/net/sctp/eps 2>/dev/null; then
			((cost_trace[$name])) || return 0
			c=$(pgrep -P "$spid" | head -n1)
			[[ -n $c ]] && cost_cpid[$name]=$c && return 0
		fi
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.05
	done
	say "$name: server did not start"
	cat "$raw/$name.server" >&2
	return 1
}
# cost_stop NAME: stop the server once its children have gone (they end
# with their association), then wait for it (strace writes its summary).
cost_stop() {
	local name=$1 i
	for ((i = 0; i < 100; i++)); do
		[[ -z $(pgrep -P "${cost_cpid[$name]}") ]] && break
		sleep 0.1
	done
	kill "${cost_cpid[$name]}" 2>/dev/null
	wait "${cost_spid[$name]}" 2>/dev/null
	return 0
}
# calls FILE: the total of an strace -c summary ("nan" if none).
calls() { awk '$NF == "total" { print $4; f = 1 } END { if (!f) print "nan" }' "$1" 2>/dev/null || echo nan; }
# per_call A B K: each system call's count in B less A, divided by K, the
# most frequent first, those of at least 0.05 and 8 at most:
# "recvmsg 1.00, sendmsg 1.00, poll 0.25".
per_call() {
	awk -v k="$3" 'FNR == 1 { f++ } /^ *[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9]+/ && $NF != "total" { c[$NF] += (f == 1 ? -$4 : $4) }
		END { for (s in c) if (c[s] / k >= 0.05 || c[s] / k <= -0.05) printf "%.2f %s\n", c[s] / k, s }' "$1" "$2" 2>/dev/null |
		sort -gr | awk 'NR <= 8 { printf "%s%s %s", sep, $2, $1; sep = ", " } END { if (NR > 8) printf ", %d more", NR - 8 }'
}
# per A B K OK: (B - A) / K, or nan.
per() { awk -v a="$1" -v b="$2" -v k="$3" -v ok="$4" 'BEGIN { if (ok && a + 0 > 0 && b + 0 > 0) printf "%.2f", (b - a) / k; else printf "nan" }'; }
# echo_run NAME PORT N: N echoes, one at a time (echo_client sends stdin's
# lines one by one), against the server on PORT.
echo_run() {
	seq -f "echo %g of $3" "$3" | timeout 300 ip netns exec "$nsa" "$ECHO_CLIENT" -a "$B" -p "$2" \
		>"$raw/$1.client" 2>&1
}
# day_run NAME PORT N CLIENT...: N exchanges, one client process each.
day_run() {
	local name=$1 port=$2 n=$3 i a args=()
	shift 3
	for a in "$@"; do args+=("${a//@PORT/$port}"); done
	for ((i = 0; i < n; i++)); do
		timeout 60 ip netns exec "$nsa" "${args[@]}" >>"$raw/$name.client" 2>&1 || return 1
	done
}
# The echo servers: name|command (@PORT: the port).
cost_echo_servers=(
	"echo_server|$ECHO_ONE -a $B -p @PORT"
	"echo_server_many|$ECHO_MANY -a $B -p @PORT"
	"socat-exec-cat|socat SCTP-LISTEN:@PORT,bind=$B,reuseaddr,fork,backlog=1024 EXEC:cat"
	"socat-pipe|socat SCTP-LISTEN:@PORT,bind=$B,reuseaddr,fork,backlog=1024 PIPE"
	"ncat-e-cat|ncat --sctp -l -k -m 100000 -e /bin/cat $B @PORT"
)
# The daytime servers: name|command|client|floor.
cost_day_servers=(
	"daytime_server|$DAY_SERVER -a $B -p @PORT|$DAY_CLIENT -a $B -p @PORT|4"
	"socat-exec-date|socat SCTP-LISTEN:@PORT,bind=$B,reuseaddr,fork,backlog=1024 EXEC:date|socat -u SCTP:$B:@PORT STDOUT|3"
)
# tree_mem PID: "processes rss-kB pss-kB" over PID and its descendants
# (smaps_rollup: the page tables walked, exact where VmRSS may lag).
tree_mem() {
	local pids
	# shellcheck disable=SC2016 # awk's fields
	pids=$(ps -e -o pid=,ppid= | awk -v r="$1" '{ kids[$2] = kids[$2] " " $1 }
		END { q[1] = r; n = 1; for (i = 1; i <= n; i++) { print q[i]; m = split(kids[q[i]], k, " "); for (j = 1; j <= m; j++) q[++n] = k[j] } }')
	# shellcheck disable=SC2046 # one file per PID
	awk 'FNR == 1 { n++ } /^Rss:/ { r += $2 } /^Pss:/ { s += $2 } END { print n + 0, r + 0, s + 0 }' \
		$(for p in $pids; do echo "/proc/$p/smaps_rollup"; done) 2>/dev/null </dev/null
}
if want cost; then
	for t in strace socat ncat ps; do
		command -v "$t" >/dev/null || { echo "$prog: $t not found (tests/deps.sh bench)" >&2; exit 1; }
	done
	cost_t0=$SECONDS
	say "cost: system calls per echo (1 and $((cost_echoes + 1)) echoes), per daytime exchange (1 and $((cost_days + 1))), every server at once"
	for c in "${cost_echo_servers[@]}" "${cost_day_servers[@]}"; do
		IFS='|' read -r name cmd _ <<<"$c"
		for n in a b; do
			# shellcheck disable=SC2086 # cmd is a word list on purpose
			cost_start "sys-$name-$n" 1 $cmd
		done
	done
	declare -A cost_ok
	for c in "${cost_echo_servers[@]}" "${cost_day_servers[@]}"; do
		name=${c%%|*}
		for n in a b; do
			cost_ready "sys-$name-$n" && cost_ok[sys-$name-$n]=1
		done
	done
	# The clients, all at once; each one's status in raw/NAME.status.
	cpids=()
	for c in "${cost_echo_servers[@]}"; do
		name=${c%%|*}
		for n in a b; do
			k=1
			[[ $n == b ]] && k=$((cost_echoes + 1))
			i=sys-$name-$n
			[[ -n ${cost_ok[$i]:-} ]] || continue
			{ echo_run "$i" "${cost_port[$i]}" "$k"; echo $? >"$raw/$i.status"; } &
			cpids+=("$!")
		done
	done
	for c in "${cost_day_servers[@]}"; do
		IFS='|' read -r name _ client _ <<<"$c"
		for n in a b; do
			k=1
			[[ $n == b ]] && k=$((cost_days + 1))
			i=sys-$name-$n
			[[ -n ${cost_ok[$i]:-} ]] || continue
			# shellcheck disable=SC2086 # client is a word list
			{ day_run "$i" "${cost_port[$i]}" "$k" $client; echo $? >"$raw/$i.status"; } &
			cpids+=("$!")
		done
	done
	wait "${cpids[@]}"
	for c in "${cost_echo_servers[@]}" "${cost_day_servers[@]}"; do
		name=${c%%|*}
		for n in a b; do cost_stop "sys-$name-$n"; done
	done
	echo "# kind:server messages-a calls-a messages-b calls-b per-message floor which (strace -f -c of the server; per message: (calls-b - calls-a) / (messages-b - messages-a))" >"$out/cost_syscalls.dat"
	for c in "${cost_echo_servers[@]}" "${cost_day_servers[@]}"; do
		IFS='|' read -r name _ client floor <<<"$c"
		if [[ -n $client ]]; then kind=daytime k=$cost_days; else kind=echo k=$cost_echoes floor=2; fi
		ok=1
		for n in a b; do
			[[ $(cat "$raw/sys-$name-$n.status" 2>/dev/null) == 0 ]] || ok=0
		done
		((ok)) || say "  $name: a client failed (raw/sys-$name-*.client)"
		fa=$raw/sys-$name-a.strace fb=$raw/sys-$name-b.strace
		a=$(calls "$fa") b=$(calls "$fb") v=$(per "$(calls "$fa")" "$(calls "$fb")" "$k" "$ok")
		which=$(per_call "$fa" "$fb" "$k")
		echo "$kind:$name 1 $a $((k + 1)) $b $v $floor ${which// /_}" >>"$out/cost_syscalls.dat"
		say "  $name: $a, $b calls: $v per $kind ($which)"
	done

	# Memory: every process of the server (the forking ones have one or
	# two per association), RSS and PSS (shared pages divided among the
	# processes sharing them), before and with cost_idle associations
	# from bench/echo_load -H, idle after cost_load seconds of echoes.
	say "cost: memory with $cost_idle idle associations, every server at once"
	ulimit -n 4096
	declare -A mem_before mem_hold mem_with
	for c in "${cost_echo_servers[@]}"; do
		name=${c%%|*} cmd=${c#*|}
		# shellcheck disable=SC2086
		cost_start "mem-$name" 0 $cmd
	done
	# One echo first: what the first association pages in is not a cost
	# per association.
	cpids=()
	for c in "${cost_echo_servers[@]}"; do
		name=${c%%|*} i=mem-${c%%|*}
		cost_ready "$i" || continue
		echo_run "$i-warm" "${cost_port[$i]}" 1 &
		cpids+=("$!")
	done
	wait "${cpids[@]}"
	sleep 1
	for c in "${cost_echo_servers[@]}"; do
		i=mem-${c%%|*}
		mem_before[$i]=$(tree_mem "${cost_cpid[$i]}")
		ip netns exec "$nsa" "$LOAD" -a "$B" -p "${cost_port[$i]}" -n "$cost_idle" -l 64 -t "$cost_load" -H \
			>"$raw/$i.load" 2>&1 &
		mem_hold[$i]=$!
		bg_pids+=("$!")
	done
	echo "# server processes-before rss-before-kB pss-before-kB processes-with rss-with-kB pss-with-kB associations" >"$out/cost_memory.dat"
	for c in "${cost_echo_servers[@]}"; do
		name=${c%%|*} i=mem-${c%%|*}
		if wait_line "$raw/$i.load" '^holding ' "${mem_hold[$i]}"; then
			with=ok
		else
			with="nan nan nan"
			say "  $name: $cost_idle clients could not connect (raw/$i.load)"
		fi
		mem_with[$i]=$with
	done
	# Let the servers take in the last messages, then read them all.
	sleep 1
	for c in "${cost_echo_servers[@]}"; do
		name=${c%%|*} i=mem-${c%%|*}
		if [[ ${mem_with[$i]} == ok ]]; then
			with=$(tree_mem "${cost_cpid[$i]}")
			# shellcheck disable=SC2016 # awk's $12: the local port
			assocs=$(inb awk -v p="${cost_port[$i]}" '$12 == p' /proc/net/sctp/assocs | wc -l)
		else
			with=${mem_with[$i]} assocs=nan
		fi
		echo "$name ${mem_before[$i]:-nan nan nan} $with $assocs" >>"$out/cost_memory.dat"
		say "  $name: processes, RSS kB, PSS kB: ${mem_before[$i]} -> $with with $assocs associations"
	done
	for c in "${cost_echo_servers[@]}"; do
		i=mem-${c%%|*}
		kill "${mem_hold[$i]}" 2>/dev/null
	done
	for c in "${cost_echo_servers[@]}"; do
		i=mem-${c%%|*}
		wait "${mem_hold[$i]}" 2>/dev/null
		cost_stop "$i"
	done

	# Throughput: bench/bulk against iperf3 --sctp, the headline tuned
	# settings, cost_rounds rounds taking turns (which goes first
	# alternates).
	say "cost: bench/bulk / iperf3 --sctp, $cost_rounds rounds taking turns"
	echo "# round bench/bulk-Mbit/s iperf3-Mbit/s (receiver; -l $LEN -w $BUF -N, $bulk_secs s each)" >"$out/cost_bulk.dat"
	for ((r = 1; r <= cost_rounds; r++)); do
		if ((r % 2)); then
			o=$(ours "cost-ours-$r" -w "$BUF" -- -l "$LEN" -w "$BUF" -N)
			p=$(iperf "cost-iperf3-$r" --sctp -l "$LEN" -w "$BUF" -N)
		else
			p=$(iperf "cost-iperf3-$r" --sctp -l "$LEN" -w "$BUF" -N)
			o=$(ours "cost-ours-$r" -w "$BUF" -- -l "$LEN" -w "$BUF" -N)
		fi
		echo "$r $o $p" >>"$out/cost_bulk.dat"
		say "  round $r: bench/bulk $o, iperf3 $p Mbit/s"
	done
	say "cost: $((SECONDS - cost_t0)) s"
	echo "cost section $((SECONDS - cost_t0)) s" >>"$out/env.txt"
fi

say "done: $out"
