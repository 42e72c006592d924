#!/usr/bin/env bash
# SPDX-License-Identifier: 0BSD
# hol-experiment.sh: head-of-line blocking, measured. The same traffic (K
# interleaved flows of timestamped messages) crosses a slow, lossy link
# four ways, and one table compares the one-way delay p99 of every flow:
#
#   streams    SCTP, one stream per flow          (stream_sender -o K)
#   one        SCTP, every flow on stream 0       (stream_sender -o K -s 0)
#   tcp        TCP, every flow in one byte stream (tcp_stream_sender -f K)
#   unordered  SCTP, one stream per flow, SCTP_UNORDERED (-u)
#
# The link: two network namespaces joined by a veth pair, `tc netem` delay
# on both ends, and one loss process for every run: an nftables rule where
# the packets arrive (the receiver's side: a packet dropped in the
# sender's own output path is no loss to TCP, which just sends it again at
# once) drops LOSS%, at random, of the data packets that carry a message
# of flow 0, read at the start of the packet's payload. For that rule to
# see the same thing in SCTP and TCP, every data packet must carry exactly
# one whole message, first byte first: messages of 1444 bytes (TCP's
# segment size, 1448 with timestamps, less the 4-byte length prefix; one
# SCTP DATA chunk a packet, never two), no GSO on the link (a packet for
# each segment, not a train of them), and a rate the congestion window
# allows even after losses (50 a second: about 1.5 packets a round trip),
# so that no message waits in the sender for the window. With the defaults
# (4 flows, 20% of flow 0) that is 5% of the data packets, every one of
# them flow 0's. Flows 1..K-1 never lose a packet, so they show what a
# loss does to messages that were NOT lost: with a stream each they do not
# wait; sharing one ordered stream, or TCP, they wait for flow 0. Each run
# says how many data packets arrived and how many were dropped.
#
# SCTP's retransmission timer has a floor of 1 s on Linux
# (net.sctp.rto_min), TCP's 200 ms: a lost retransmission costs SCTP at
# least a second, TCP a fifth of one. -R 200 gives SCTP TCP's floor, for
# a fair comparison of the lossy flow's tail.
#
# Usage: multistream/hol-experiment.sh [options]   (as root)
#   -k K        flows, and streams asked for (default 4)
#   -i N        inbound streams the receiver grants (default: K); with
#               fewer than K, flow f shares stream f mod N
#   -c COUNT    messages per run (default 1000)
#   -r RATE     messages per second (default 50)
#   -l LENGTH   bytes per message (default 1444: one packet each; other
#               lengths let TCP cut messages anywhere, and the loss rule
#               then no longer finds flow 0 in TCP's packets)
#   -d MS       netem delay each way, in ms (default 20)
#   -L PCT      percent of flow 0's packets to drop (default 20; 0: none)
#   -R MS       SCTP's minimum retransmission timeout, net.sctp.rto_min
#               (default: the kernel's, 1000); 200 is TCP's
#   -n NETEM    more netem options for the sender's side, e.g.
#               "loss 5% reorder 25% 50%" (hits every flow)
#   -m MODES    comma-separated runs (default streams,one,tcp,unordered)
#   -w DIR      keep each run's output in DIR: MODE.receiver (a line per
#               message), MODE.sender, MODE.report (report.sh's table)
#   -h          this help
# Exit status: 0 when every run delivered every message exactly once with
# ordered streams in order, 1 otherwise, 2 for a bad command line.
#
# Read: ip-netns(8), tc-netem(8), nft(8) (raw payload expressions, numgen).
set -euo pipefail

prog=${0##*/}
here=$(cd "$(dirname "$0")" && pwd)

flows=4 count=1000 rate=50 length=1444 delay=20 loss=20 netem_extra="" rto_min=""
modes=streams,one,tcp,unordered workdir="" instreams=""

usage() {
	sed -n '/^# Usage:/,/^# Exit status/p' "$0" | sed '$d; s/^# \{0,1\}//'
}
bad() {
	echo "$prog: $*" >&2
	usage >&2
	exit 2
}
number() { [[ $2 =~ ^[0-9]+$ ]] || bad "$1: '$2' is not a whole number"; }

while getopts k:i:c:r:l:d:L:R:n:m:w:h opt; do
	case $opt in
	k) number -k "$OPTARG"; flows=$OPTARG ;;
	i) number -i "$OPTARG"; instreams=$OPTARG ;;
	c) number -c "$OPTARG"; count=$OPTARG ;;
	r) number -r "$OPTARG"; rate=$OPTARG ;;
	l) number -l "$OPTARG"; length=$OPTARG ;;
	d) number -d "$OPTARG"; delay=$OPTARG ;;
	L) number -L "$OPTARG"; loss=$OPTARG ;;
	R) number -R "$OPTARG"; rto_min=$OPTARG ;;
	n) netem_extra=$OPTARG ;;
	m) modes=$OPTARG ;;
	w) workdir=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
(($# == 0)) || bad "unexpected argument '$1'"
((flows >= 2 && flows <= 64)) || bad "-k: from 2 to 64 flows"
((rate >= 1)) || bad "-r: at least 1 message per second"
instreams=${instreams:-$flows}
((instreams >= 1 && instreams <= flows)) || bad "-i: from 1 to K ($flows) streams"
((loss <= 100)) || bad "-L: a percentage, 0 to 100"
IFS=, read -ra runs <<<"$modes"
for m in "${runs[@]}"; do
	[[ $m =~ ^(streams|one|tcp|unordered)$ ]] || bad "-m: unknown run '$m'"
done
((EUID == 0)) || { echo "$prog: needs root (network namespaces, tc, nft)" >&2; exit 1; }
for t in ip tc nft timeout; do
	command -v "$t" >/dev/null || { echo "$prog: $t not found (iproute2, nftables, coreutils)" >&2; exit 1; }
done
for p in stream_sender stream_receiver tcp_stream_sender tcp_stream_receiver report.sh; do
	[[ -x $here/$p ]] || { echo "$prog: $here/$p missing: run make first" >&2; exit 1; }
done

# Names unique to this run, so runs (and tests) can overlap.
tag=hol-$$-$RANDOM
ns_tx=$tag-tx ns_rx=$tag-rx
tx_addr=10.201.0.1 rx_addr=10.201.0.2
pids=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local pid
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	ip netns del "$ns_tx" 2>/dev/null || true
	ip netns del "$ns_rx" 2>/dev/null || true
	[[ -n ${tmpdir:-} ]] && rm -rf "$tmpdir"
	return 0
}
trap cleanup EXIT
trap 'exit 1' INT TERM
if [[ -z $workdir ]]; then
	tmpdir=$(mktemp -d)
	workdir=$tmpdir
fi
mkdir -p "$workdir"

# The link. Modules load on demand; modprobe first for a clearer error.
modprobe -q veth 2>/dev/null || true
modprobe -q sch_netem 2>/dev/null || true
ip netns add "$ns_tx"
ip netns add "$ns_rx"
ip link add name veth-tx netns "$ns_tx" type veth peer name veth-rx netns "$ns_rx"
ip -n "$ns_tx" addr add "$tx_addr/24" dev veth-tx
ip -n "$ns_rx" addr add "$rx_addr/24" dev veth-rx
for ns in "$ns_tx" "$ns_rx"; do
	ip -n "$ns" link set lo up
	# SCTP's sysctls are per network namespace.
	[[ -z $rto_min ]] || ip netns exec "$ns" sysctl -qw net.sctp.rto_min="$rto_min"
done
# No GSO: a packet for every message, each one seen by the loss rule.
ip -n "$ns_tx" link set veth-tx gso_max_segs 1 gso_max_size 1500
ip -n "$ns_tx" link set veth-tx up
ip -n "$ns_rx" link set veth-rx up
# Delay both ways (so SACKs and ACKs take as long as the data); the
# sender's side gets the extra netem options. A generous queue limit so
# netem itself never drops.
# shellcheck disable=SC2086 # netem_extra is a list of netem words
ip netns exec "$ns_tx" tc qdisc add dev veth-tx root netem limit 100000 delay "${delay}ms" $netem_extra
ip netns exec "$ns_rx" tc qdisc add dev veth-rx root netem limit 100000 delay "${delay}ms"

# loss_rules sctp|tcp: count the data packets that reach the receiver's
# namespace, and drop LOSS% of those
# whose message is flow 0's (the message's first 16 bits). SCTP: a DATA
# chunk first (type 0, after the 12-byte common header), its message after
# the 16-byte chunk header. TCP: a 32-byte header (with timestamps), the
# 4-byte length prefix, then the message. Retransmissions are packets like
# any other: dropped with the same chance. Fresh counters for each run.
loss_rules() {
	local data flow0
	if [[ $1 == sctp ]]; then
		data="meta l4proto sctp @th,96,8 0" flow0="@th,224,16 0"
	else
		data="meta l4proto tcp tcp doff 8 meta length > 52" flow0="@th,288,16 0"
	fi
	ip netns exec "$ns_rx" nft delete table inet hol 2>/dev/null || true
	ip netns exec "$ns_rx" nft -f - <<-EOF
		table inet hol {
			chain in {
				type filter hook prerouting priority 0; policy accept;
				$data counter
				$data $flow0 counter
				$data $flow0 numgen random mod 1000 < $((loss * 10)) counter drop
			}
		}
	EOF
}

# lost: "N data packets, F of flow 0, D dropped" from the rules' counters.
lost() {
	ip netns exec "$ns_rx" nft list table inet hol |
		awk '{ for (i = 1; i < NF; i++) if ($i == "packets") c[++n] = $(i + 1) }
			END { printf "%d data packets on the wire, %d of them flow 0, %d of those dropped\n", c[1], c[2], c[3] }'
}

# run MODE: one receiver in the receiving namespace, one sender in the
# sending one, then report.sh. Leaves MODE.receiver, MODE.sender,
# MODE.report and MODE.status.
run() {
	local mode=$1 rx=stream_receiver tx=stream_sender
	local -a rxargs=(-i "$instreams") txargs=(-o "$flows" -f "$flows")
	case $mode in
	one) txargs+=(-s 0) ;;
	tcp) rx=tcp_stream_receiver tx=tcp_stream_sender rxargs=() txargs=(-f "$flows") ;;
	unordered) txargs+=(-u) ;;
	esac
	local out=$workdir/$mode.receiver
	: >"$out"
	loss_rules "$([[ $mode == tcp ]] && echo tcp || echo sctp)"
	# A receiver that never hears the end gives up with the sender.
	timeout $((count / rate + 90)) ip netns exec "$ns_rx" "$here/$rx" -a "$rx_addr" -p 0 "${rxargs[@]}" >"$out" 2>&1 &
	local rpid=$!
	pids+=("$rpid")
	local i
	for ((i = 0; i < 600; i++)); do
		grep -q '^listening on' "$out" && break
		kill -0 "$rpid" 2>/dev/null || break
		sleep 0.05
	done
	local port
	port=$(sed -nE 's/^listening on .* port ([0-9]+)$/\1/p' "$out")
	[[ -n $port ]] || { echo "$prog: $rx did not start:" >&2; cat "$out" >&2; return 1; }
	# Generous: the run itself takes COUNT/RATE seconds.
	timeout $((count / rate + 60)) ip netns exec "$ns_tx" "$here/$tx" -a "$rx_addr" -p "$port" \
		-c "$count" -r "$rate" -l "$length" "${txargs[@]}" >"$workdir/$mode.sender" 2>&1 || true
	local status=0
	wait "$rpid" || status=$?
	"$here/report.sh" "$out" >"$workdir/$mode.report" || status=1
	echo "$status" >"$workdir/$mode.status"
	echo "#   $(lost)"
}

# p99 FILE FLOW: the p99 column of FLOW's row ("all" for all flows).
p99() {
	awk -v f="$2" '$1 == f && NF == 8 { print $7; found = 1 } END { if (!found) print "-" }' "$1"
}

# clean_p99 FILE max|min: the largest or smallest p99 among flows 1..K-1,
# the flows that never lose a packet.
clean_p99() {
	awk -v want="$2" -v k="$flows" '$1 ~ /^[0-9]+$/ && $1 > 0 && $1 < k && NF == 8 {
		if (n++ == 0 || (want == "max" ? $7 > v : $7 < v)) v = $7
	} END { print n ? v : "-" }' "$1"
}

declare -A title=([streams]="$instreams streams" [one]="one stream" [tcp]=TCP [unordered]=unordered)
echo "# $count messages, $rate/s, $length bytes, $flows flows; netem ${delay} ms each way" \
	"${netem_extra:+($netem_extra) }and $loss% of flow 0's packets dropped;" \
	"SCTP rto_min ${rto_min:-$(sysctl -n net.sctp.rto_min 2>/dev/null || echo 1000)} ms"
for m in "${runs[@]}"; do
	echo "# run: ${title[$m]}"
	run "$m"
done

echo
echo "one-way delay p99, ms"
printf '%-10s' flow
for m in "${runs[@]}"; do printf ' %12s' "${title[$m]}"; done
printf '\n'
for ((f = 0; f < flows; f++)); do
	label=$f
	((f == 0 && loss > 0)) && label="0 (lossy)"
	printf '%-10s' "$label"
	for m in "${runs[@]}"; do printf ' %12s' "$(p99 "$workdir/$m.report" "$f")"; done
	printf '\n'
done
printf '%-10s' all
for m in "${runs[@]}"; do printf ' %12s' "$(p99 "$workdir/$m.report" all)"; done
printf '\n'
printf '%-10s' "intact"
rc=0
for m in "${runs[@]}"; do
	if [[ $(cat "$workdir/$m.status") == 0 ]]; then
		printf ' %12s' yes
	else
		printf ' %12s' NO
		rc=1
	fi
done
printf '\n'
echo "(intact: every message exactly once, ordered streams in order)"
# With a stream per flow, flows 1..K-1 share nothing with flow 0.
if ((loss > 0 && instreams == flows)) && [[ ,$modes, == *,streams,* ]]; then
	line="flows 1-$((flows - 1)) never lose a packet; their p99:"
	line+=" at most $(clean_p99 "$workdir/streams.report" max) ms with $flows streams"
	[[ ,$modes, != *,one,* ]] || line+=", at least $(clean_p99 "$workdir/one.report" min) ms with one stream"
	[[ ,$modes, != *,tcp,* ]] || line+=", at least $(clean_p99 "$workdir/tcp.report" min) ms over TCP"
	echo "$line"
fi
exit $rc
