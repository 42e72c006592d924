#!/usr/bin/env bash
# SPDX-License-Identifier: 0BSD
# failover.sh: break the primary path under a live SCTP association, watch
# the traffic move to the other path without a reconnect, repair the path,
# watch it come back. Then show what both ends said, in time order, and the
# measured failover time.
#
# Two network namespaces stand for two hosts, joined by two veth pairs on
# two subnets, so each host has two addresses (they exist only inside the
# namespaces, which the script creates and deletes):
#
#     client namespace                        server namespace
#     c1 10.131.1.1/24 ------ path 1 ------ s1 10.131.1.2/24  (primary)
#     c2 10.131.2.1/24 ------ path 2 ------ s2 10.131.2.2/24
#
# multihome_server binds both server addresses; multihome_client connects
# to both, makes 10.131.1.2 the primary and sends 20 numbered messages a
# second, which the server echoes. Once the server has confirmed both
# paths, the script breaks path 1 (nftables drops SCTP going in and out of
# c1; -b link takes c1 down instead), waits until the client reports the
# path unreachable, repairs it, waits until it is available again, and
# stops the client. Both programs print one timestamped line per message
# and per event; the script reads everything it reports out of those
# lines: every echo back once and in order, the gap in the echoes that
# is the failover, the path the data took.
#
# -l runs the experiment on loopback instead, for machines without network
# namespaces: the server binds 127.0.0.1 and 127.0.0.2, the client makes
# 127.0.0.2 its primary, and nftables drops SCTP to 127.0.0.2 (this
# server's port only). The client has one address there, so only its own
# direction fails over.
#
# Needs root (namespaces, nftables) and a kernel with SCTP. Examples:
#   multihome/failover.sh            kernel defaults: be patient (see -H)
#   multihome/failover.sh -f         tuned for sub-second failover
#   multihome/failover.sh -f -A      break both paths: COMM_LOST, exit 3
#   multihome/failover.sh -l -f      loopback only
#
# Exit status: 0 when the client kept every message (or, with -A, reported
# the association lost), 1 otherwise, 2 for a bad command line.
set -uo pipefail

prog=failover.sh
here=$(cd "$(dirname "$0")" && pwd)
server_bin=$here/multihome_server
client_bin=$here/multihome_client

# -f: settings for sub-second failover (times in ms). The first timeout
# on the primary, one RTO (200 to 500 ms) after the first lost message,
# makes the path "potentially failed" and moves the traffic; three more
# heartbeat timeouts (path_max_retrans 3) make it unreachable; heartbeats
# every 500 ms plus an RTO notice the repair; six timeouts in a row, every
# path counted (association_max_retrans 6), end the association. A SACK
# waits at most 100 ms (sack_timeout), well under rto_min: a peer that
# delays its SACK as long as our RTO would make our timer fire for
# nothing. Shorter timers work on real hardware, but under software
# emulation the machine stalls for a few hundred ms now and then, and each
# stall longer than an RTO is a (harmless, but noisy) false alarm.
fast=(hb_interval=500 rto_initial=300 rto_min=200 rto_max=500 sack_timeout=100
	path_max_retrans=3 pf_retrans=0 association_max_retrans=6)

usage() {
	cat <<EOF
usage: $prog [-l] [-b nft|link] [-A] [-f] [-T NAME=VALUE]... [-r RATE]
       [-k CYCLES] [-H SECONDS] [-W SECONDS] [-n PREFIX] [-o DIR] [-h]
  -l            loopback variant (127.0.0.1 and 127.0.0.2, no namespaces)
  -b HOW        break the path with nft (drop SCTP, default) or link
                (ip link set down; namespaces only)
  -A            break every path: expect COMM_LOST, not a failover
  -f            tuned settings: ${fast[*]}
  -T NAME=VALUE a setting for both ends (see multihome_client -h); repeat
  -r RATE       messages per second (default 20)
  -k CYCLES     break and repair the path CYCLES times (default 1); the
                failover time reported is then the median
  -H SECONDS    keep the path broken until the client reports it
                unreachable (with -A: until COMM_LOST), at most SECONDS
                (default 90)
  -W SECONDS    after the repair, wait at most SECONDS for the client to
                report the path available (default 150)
  -n PREFIX     namespace names PREFIX-client, PREFIX-server
                (default sctp-mh-PID)
  -o DIR        keep the logs in DIR
  -h            this help
EOF
	exit "${1:-0}"
}

loopback=0 how=nft all=0 rate=20 cycles=1 hold=90 wait_up=150
prefix=sctp-mh-$$ keep=
tune=()
while getopts "lb:AfT:r:k:H:W:n:o:h" opt; do
	case $opt in
	l) loopback=1 ;;
	b) how=$OPTARG ;;
	A) all=1 ;;
	f) for t in "${fast[@]}"; do tune+=(-T "$t"); done ;;
	T) tune+=(-T "$OPTARG") ;;
	r) rate=$OPTARG ;;
	k) cycles=$OPTARG ;;
	H) hold=$OPTARG ;;
	W) wait_up=$OPTARG ;;
	n) prefix=$OPTARG ;;
	o) keep=$OPTARG ;;
	h) usage 0 ;;
	*) usage 2 >&2 ;;
	esac
done
shift $((OPTIND - 1))
(($# == 0)) || { echo "$prog: unexpected argument '$1'" >&2; usage 2 >&2; }
[[ $how == nft || $how == link ]] || { echo "$prog: -b takes nft or link" >&2; usage 2 >&2; }
[[ $loopback == 1 && $how == link ]] && { echo "$prog: -b link needs the namespaces (not -l)" >&2; exit 2; }
for n in "$rate" "$cycles" "$hold" "$wait_up"; do
	[[ $n =~ ^[1-9][0-9]{0,5}$ ]] || { echo "$prog: '$n' is not a number from 1 to 999999" >&2; usage 2 >&2; }
done
((all)) && cycles=1
((EUID == 0)) || { echo "$prog: needs root (network namespaces, nftables)" >&2; exit 1; }
for b in "$server_bin" "$client_bin"; do
	[[ -x $b ]] || { echo "$prog: $b not found: run make first" >&2; exit 1; }
done

if ((loopback)); then
	cns=() sns=()
	server_addrs=(127.0.0.1 127.0.0.2)
	primary=127.0.0.2 alternate=127.0.0.1
	client_alt=''
else
	cname=$prefix-client sname=$prefix-server
	cns=(ip netns exec "$cname") sns=(ip netns exec "$sname")
	server_addrs=(10.131.1.2 10.131.2.2)
	primary=10.131.1.2 alternate=10.131.2.2
	client_alt=10.131.2.1
fi
table=mhfail$$

log=${keep:-$(mktemp -d "${TMPDIR:-/tmp}/failover.XXXXXX")}
mkdir -p "$log" || exit 1
: >"$log/net.log"
: >"$log/result"
server_pid='' client_pid=''
declare -A helper

cleanup() {
	local p
	for p in "$client_pid" "$server_pid" "${helper[@]}"; do
		[[ -n $p ]] && kill -KILL "$p" 2>/dev/null
	done
	wait 2>/dev/null
	if ((loopback)); then
		nft delete table inet "$table" 2>/dev/null
	else
		ip netns del "$cname" 2>/dev/null
		ip netns del "$sname" 2>/dev/null
	fi
	[[ -z $keep ]] && rm -rf "$log"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# now: set NOW to the time as HH:MM:SS.mmm, like the programs print it.
# Shell built-ins only: starting date(1) can take a second on a machine
# busy emulating others.
now() {
	local t=${EPOCHREALTIME/,/.}
	local frac=${t#*.}
	printf -v NOW '%(%H:%M:%S)T.%s' "${t%.*}" "${frac:0:3}"
}
# say TEXT: progress on stderr, and a timestamped line for the timeline.
say() {
	now
	echo "$NOW $*" >>"$log/net.log"
	echo "$prog: $NOW $*" >&2
}
die() {
	echo "$prog: $*" >&2
	for f in server.out server.err client.out client.err; do
		[[ -s $log/$f ]] && tail -n 15 "$log/$f" | sed "s/^/$f: /" >&2
	done
	exit 1
}
# ms HH:MM:SS.mmm: milliseconds since midnight.
ms() {
	local h m s f
	IFS=:. read -r h m s f <<<"$1"
	echo $(((10#$h * 60 + 10#$m) * 60000 + 10#$s * 1000 + 10#$f))
}
# since FROM TO: TO - FROM in ms, across midnight too.
since() {
	local d=$(($(ms "$2") - $(ms "$1")))
	((d < -43200000)) && d=$((d + 86400000))
	echo "$d"
}
# wait_for FILE REGEX SECONDS [PID [FROM]]: poll until FILE has a matching
# line (at line FROM or later); fail when time runs out or PID (the writer)
# has exited.
wait_for() {
	local file=$1 re=$2 limit=$3 pid=${4:-} from=${5:-1}
	local deadline=$((SECONDS + limit))
	local gone=0
	until tail -n "+$from" "$file" 2>/dev/null | grep -Eq -- "$re"; do
		# One last look after the writer has gone: its last words count.
		((gone || SECONDS >= deadline)) && return 1
		[[ -n $pid ]] && ! kill -0 "$pid" 2>/dev/null && gone=1
		((gone)) || sleep 0.05
	done
}
# A line the programs stamped with the time.
ts_re='^[0-9][0-9]:[0-9][0-9]:[0-9][0-9][.][0-9][0-9][0-9] '
# lines FILE: how many lines FILE has now.
lines() { wc -l <"$1"; }
# last FILE REGEX: the last matching line.
last() { grep -E -- "$2" "$1" | tail -n1; }
# first_ts FILE REGEX [FROM]: timestamp of the first matching line (at
# line FROM or later).
first_ts() { tail -n "+${3:-1}" "$1" | grep -E -- "$2" | head -n1 | cut -d' ' -f1; }
# prepare NAME CMD...: start CMD with a FIFO as its last argument, to read
# its commands from when trigger NAME writes them. Starting a program can
# take seconds on a busy emulated machine; a write takes microseconds, so
# the fault begins at a known instant.
prepare() {
	local name=$1
	shift
	rm -f "$log/$name.fifo"
	mkfifo "$log/$name.fifo" || die "mkfifo failed"
	"$@" "$log/$name.fifo" >"$log/$name.log" 2>&1 &
	helper[$name]=$!
}
# trigger NAME TEXT: hand TEXT to the prepared command, which acts when
# the FIFO closes; NOW is the instant just before. Fails if it failed.
trigger() {
	local name=$1 fd
	exec {fd}>"$log/$name.fifo"
	now
	printf '%s\n' "$2" >&"$fd"
	exec {fd}>&-
	wait "${helper[$name]}" || { cat "$log/$name.log" >&2; return 1; }
	unset "helper[$name]"
}

# --- the network ---------------------------------------------------------
modprobe -q sctp 2>/dev/null
if ((!loopback)); then
	modprobe -q veth 2>/dev/null
	ip netns add "$cname" || die "cannot create namespace $cname"
	ip netns add "$sname" || die "cannot create namespace $sname"
	ip -n "$cname" link set lo up
	ip -n "$sname" link set lo up
	# Created inside the namespaces: no interface name in the host's.
	for i in 1 2; do
		ip link add "c$i" netns "$cname" type veth peer name "s$i" netns "$sname" ||
			die "cannot create veth pair c$i/s$i"
		ip -n "$cname" addr add "10.131.$i.1/24" dev "c$i"
		ip -n "$sname" addr add "10.131.$i.2/24" dev "s$i"
		ip -n "$cname" link set "c$i" up
		ip -n "$sname" link set "s$i" up
	done
	say "namespaces $cname (10.131.1.1, 10.131.2.1) and $sname (10.131.1.2, 10.131.2.2)"
fi

# The fault, on path 1 (with -A, on all), as one command: both directions
# of a path break at the same instant.
ifs='"c1"' daddr=$primary
if ((all)); then ifs='{ "c1", "c2" }' daddr="{ 127.0.0.1, 127.0.0.2 }"; fi
if ((loopback)); then
	what="nftables drops SCTP to $primary"
	((all)) && what="nftables drops SCTP to 127.0.0.1 and 127.0.0.2"
	fault_cmd=(nft -f) repair_cmd=(nft -f)
	repair_text="delete table inet $table"
elif [[ $how == nft ]]; then
	# The client's side of the path, in and out: SCTP treats a packet
	# the firewall refuses to send like one lost on the way.
	what="nftables drops SCTP on c1 (path 1)"
	((all)) && what="nftables drops SCTP on c1 and c2 (both paths)"
	fault_cmd=(ip netns exec "$cname" nft -f) repair_cmd=("${fault_cmd[@]}")
	repair_text="delete table inet $table"
else
	what="c1 is down (path 1)"
	((all)) && what="c1 and c2 are down (both paths)"
	fault_cmd=(ip -n "$cname" -batch) repair_cmd=("${fault_cmd[@]}")
fi
fault_text() {
	if ((loopback)); then
		printf 'table inet %s {\n chain input {\n  type filter hook input priority 0;\n  ip daddr %s sctp dport %s drop\n }\n}' \
			"$table" "$daddr" "$port"
	elif [[ $how == nft ]]; then
		printf 'table inet %s {\n chain input {\n  type filter hook input priority 0;\n  iifname %s meta l4proto sctp drop\n }\n' \
			"$table" "$ifs"
		printf ' chain output {\n  type filter hook output priority 0;\n  oifname %s meta l4proto sctp drop\n }\n}' "$ifs"
	else
		echo "link set c1 down"
		((all)) && echo "link set c2 down"
		true
	fi
}
if [[ $how == link ]]; then
	repair_text="link set c1 up"
	((all)) && repair_text+=$'\nlink set c2 up'
fi

# --- the programs ----------------------------------------------------------
binds=()
for a in "${server_addrs[@]}"; do binds+=(-a "$a"); done
"${sns[@]}" "$server_bin" "${binds[@]}" -p 0 -v "${tune[@]}" \
	>"$log/server.out" 2>"$log/server.err" &
server_pid=$!
wait_for "$log/server.out" '^listening on .* port [0-9]+$' 30 "$server_pid" ||
	die "the server did not start"
port=$(sed -nE 's/^listening on .* port ([0-9]+)$/\1/p' "$log/server.out")

# timeout: a client that somehow never ends cannot hang the experiment.
# --foreground: the SIGINT sent below reaches the client once (without it
# timeout passes it on twice, to the client and to its process group, and
# a second SIGINT tells the client to stop waiting for its last echoes).
limit=$((cycles * (hold + wait_up + 60) + 120))
"${cns[@]}" timeout --foreground -s INT -k 10 "$limit" "$client_bin" \
	-a "$primary" -a "$alternate" -P "$primary" -p "$port" -r "$rate" \
	"${tune[@]}" >"$log/client.out" 2>"$log/client.err" &
client_pid=$!
wait_for "$log/client.out" 'COMM_UP' 60 "$client_pid" || die "the client did not connect"

# Both ends must have confirmed the other path before it can take over.
# The client gave sctp_connectx() both server addresses: confirmed at
# once. The server learnt the client's from its INIT: heartbeat-checked.
if [[ -n $client_alt ]]; then
	wait_for "$log/server.out" "PEER_ADDR_CHANGE $client_alt port [0-9]+ ADDR_CONFIRMED" 60 "$server_pid" ||
		die "the server never confirmed $client_alt"
fi
say "both paths confirmed"

# on_primary: no event about the primary for a second (the last one, if
# any, made it available again), and echoes flowing, in namespaces from
# the primary. Under emulation the machine sometimes stalls longer than
# an RTO, a timer fires falsely and traffic moves for a moment: wait
# that out.
on_primary() {
	local l e
	l=$(last "$log/client.out" "PEER_ADDR_CHANGE ")
	[[ -z $l || $l == *" ADDR_AVAILABLE" || $l == *" ADDR_MADE_PRIM" || $l == *" ADDR_CONFIRMED" ]] || return 1
	e=$(last "$log/client.out" "$ts_re""echo [0-9]+ from ")
	[[ -n $e ]] || return 1
	[[ -n $client_alt && $e != *" from $primary port "* ]] && return 1
	now
	(($(since "${e%% *}" "$NOW") < 500)) || return 1
	[[ -z $l ]] || (($(since "${l%% *}" "$NOW") >= 1000))
}
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

# measure PREFIX: what this cycle's fault did, by the programs' clocks.
#
# Failover: the gap in the echoes that ends at or after the moment the
# client's kernel gave up on the primary (ADDR_POTENTIALLY_FAILED; the
# retransmitted message's echo may be stamped the same millisecond). A message the broken
# path swallowed comes back only once its retransmission timer has fired
# and the retransmission has taken the other path: that is the gap (it
# also holds up to one send interval, the moment of the break between
# two sends). Without that event (pf_retrans at or above
# path_max_retrans) it is the longest gap before the repair. A stall of
# the machine elsewhere in the fault makes gaps too: they do not count.
# Which path the data took is in the lines too: with namespaces the
# server names the client address each message came from, the client
# the server address of each echo.
measure() {
	local pre=$1 gap pf down up moved echoed how="the longest gap between echoes after the fault"
	echo "${pre}fault: $fault, $what"
	pf=$(at_or_after "$log/client.out" "$client_mark" "$fault" "PEER_ADDR_CHANGE $primary port [0-9]+ ADDR_POTENTIALLY_FAILED")
	if [[ -n $pf ]] && (($(since "$pf" "$repair") > 0)); then
		how="the gap between echoes around ADDR_POTENTIALLY_FAILED"
	else
		pf=
	fi
	gap=$(echo_gap "$log/client.out" "$fault" "$repair" "$pf")
	if [[ -n $gap ]]; then
		read -r gap from to <<<"$gap"
		failovers+=("$gap")
		echo "${pre}failover: $gap ms ($how: from message $from to message $to)"
	else
		echo "${pre}failover: not measured (no echo between the fault and the repair)"
	fi
	if [[ -n $client_alt ]]; then
		moved=$(at_or_after "$log/server.out" "$server_mark" "$fault" " echo .* from $client_alt port ")
		echoed=$(at_or_after "$log/client.out" "$client_mark" "$fault" " echo [0-9]+ from $alternate port ")
		[[ -n $moved ]] && echo "${pre}other path: data from $client_alt at the server $(since "$fault" "$moved") ms after the fault"
		[[ -n $echoed ]] && echo "${pre}other path: echoes from $alternate at the client $(since "$fault" "$echoed") ms after the fault"
	fi
	down=$(at_or_after "$log/client.out" "$client_mark" "$fault" "PEER_ADDR_CHANGE $primary port [0-9]+ ADDR_UNREACHABLE")
	[[ -n $down ]] && echo "${pre}unreachable: $(since "$fault" "$down") ms after the fault (ADDR_UNREACHABLE)"
	up=$(at_or_after "$log/client.out" "$repair_mark" "$repair" "PEER_ADDR_CHANGE $primary port [0-9]+ ADDR_AVAILABLE")
	[[ -n $up ]] && echo "${pre}available: $(since "$repair" "$up") ms after the repair (ADDR_AVAILABLE)"
	return 0
}
# echo_gap FILE FROM TO [AT]: "MS N M", the gap between the client's
# echoes of messages N and M: the one around AT, else the longest, the
# second echo stamped after FROM, both before TO.
echo_gap() {
	awk -v s="$(ms "$2")" -v e="$(ms "$3")" -v at="${4:+$(ms "$4")}" '
		function ms(x, a) { split(x, a, /[:.]/); return ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4] }
		function wrap(t) { return t < s - 43200000 ? t + 86400000 : t }
		BEGIN { if (at != "") at = wrap(at) }
		$2 != "echo" || $4 != "from" { next }
		{ t = wrap(ms($1)) }
		t >= e { exit }
		t >= s && prev != "" && (at == "" ? t - prev > best : prev < at && t >= at) { best = t - prev; from = n; to = $3 }
		{ prev = t; n = $3 }
		END { if (best != "") print best, from, to }' "$1"
}
# at_or_after FILE FROM TS REGEX: timestamp of the first line (at line
# FROM or later) matching REGEX and stamped TS or later.
at_or_after() {
	tail -n "+$2" "$1" | awk -v s="$(ms "$3")" -v re="$4" '
		function ms(x, a) { split(x, a, /[:.]/); return ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4] }
		$0 ~ re { t = ms($1); if (t < s - 43200000) t += 86400000; if (t >= s) { print $1; exit } }'
}

# --- the faults --------------------------------------------------------------
failovers=() by_itself=0
for ((cycle = 1; cycle <= cycles; cycle++)); do
	pre='' tag=''
	((cycles > 1)) && pre="cycle $cycle: " tag=" (cycle $cycle)"
	prepare fault "${fault_cmd[@]}"
	prepare repair "${repair_cmd[@]}"
	settle=$((SECONDS + 120))
	until on_primary; do
		((SECONDS < settle)) || die "traffic never settled on the primary path"
		sleep 0.05
	done

	client_mark=$(($(lines "$log/client.out") + 1))
	server_mark=$(($(lines "$log/server.out") + 1))
	trigger fault "$(fault_text)" || die "the fault could not be set up"
	fault=$NOW
	echo "$fault fault$tag: $what" >>"$log/net.log"
	echo "$prog: $fault fault$tag: $what" >&2
	if ((all)); then
		wait_for "$log/client.out" "COMM_LOST" "$hold" "$client_pid" "$client_mark" ||
			say "no COMM_LOST within $hold s"
		# It exits by itself on COMM_LOST; give it 10 s to do so.
		for ((i = 0; i < 200; i++)); do kill -0 "$client_pid" 2>/dev/null || break; sleep 0.05; done
		kill -0 "$client_pid" 2>/dev/null || by_itself=1
	else
		wait_for "$log/client.out" "PEER_ADDR_CHANGE $primary port [0-9]+ ADDR_UNREACHABLE" "$hold" \
			"$client_pid" "$client_mark" ||
			say "$primary not reported unreachable within $hold s"
	fi
	repair_mark=$(($(lines "$log/client.out") + 1))
	trigger repair "$repair_text" || die "the repair failed"
	repair=$NOW
	echo "$repair repair$tag: path restored" >>"$log/net.log"
	echo "$prog: $repair repair$tag: path restored" >&2
	((all)) && break
	wait_for "$log/client.out" "PEER_ADDR_CHANGE $primary port [0-9]+ ADDR_AVAILABLE" "$wait_up" \
		"$client_pid" "$repair_mark" ||
		say "$primary not reported available within $wait_up s"
	measure "$pre" >>"$log/result"
done
# A second of traffic, to show it back on the primary.
((all)) || sleep 1

kill -INT "$client_pid" 2>/dev/null
wait "$client_pid"
client_status=$?
client_pid=
kill -TERM "$server_pid" 2>/dev/null
wait "$server_pid" 2>/dev/null
server_pid=

# --- the report --------------------------------------------------------------
# header FILE: the lines before the first timestamped one.
header() { awk -v re="$ts_re" '$0 ~ re { exit } { print }' "$1"; }
# timeline SRC FILE: timestamped lines (and their indented continuations)
# as "TS<TAB>SRC<TAB>N<TAB>TEXT", for a stable sort.
timeline() {
	awk -v re="$ts_re" -v src="$1" '
		$0 ~ re { ts = $1; sub(/^[^ ]+ /, ""); printf "%s\t%s\t%d\t%s\n", ts, src, NR, $0; next }
		ts != "" && /^ / { printf "%s\t%s\t%d\t%s\n", ts, src, NR, $0 }' "$2"
}
# paths FILE: FILE with its line per message replaced by a line where
# the path changes: the server address the client's echoes come from,
# the client address each association's data comes from at the server.
paths() {
	awk '
		$2 == "echo" && $4 == "from" {
			if ($5 != from)
				print $1, "echoes", (from == "" ? "arrive from " $5 : "now arrive from " $5 " (were from " from ")")
			from = $5
			next
		}
		$4 == "echo" && $10 == "from" {
			if ($11 != was[$3])
				print $1, $2, $3, "data", (was[$3] == "" ? "arrives from " $11 : "now arrives from " $11 " (was " was[$3] ")")
			was[$3] = $11
			next
		}
		{ print }' "$1"
}
# summary FILE: the client's echoes checked. Every message it sent (the
# "stopped sending after message N" line) echoed once, in order, on the
# stream it went on. After COMM_LOST, the first message never echoed:
# it was sent one interval after the last echo came (round trips here
# are a few ms), so many ms before the association was declared lost.
summary() {
	awk '
		function ms(x, a) { split(x, a, /[:.]/); return ((a[1] * 60 + a[2]) * 60 + a[3]) * 1000 + a[4] }
		/^sending a numbered message every / { every = $6; stream = $NF }
		$2 == "echo" && $4 == "from" {
			n = $3 + 0
			if (seen[n]++) dup++
			else { echoed++; if (n < max) late++ }
			if (n > max) { max = n; at = ms($1) }
			if ($NF != stream) wrong++
		}
		$2 == "stopped" { sent = $NF }
		$4 == "ASSOC_CHANGE" && $5 == "COMM_LOST" { lost = ms($1) }
		END {
			if (sent == "") sent = max
			printf "summary: sent %d, echoed %d, missing %d, duplicated %d, out of order %d, wrong stream %d\n",
				sent, echoed, sent - echoed, dup, late, wrong
			if (lost != "" && max < sent) {
				d = lost - (at + every)
				if (d < -43200000) d += 86400000
				printf "first message never echoed: %d, sent %d ms before COMM_LOST\n", max + 1, d
			}
		}' "$1"
}

echo "== server =="
header "$log/server.out"
echo "== client =="
header "$log/client.out"
echo "== timeline (one line per message left out: -o DIR keeps them) =="
{
	timeline network "$log/net.log"
	paths "$log/client.out" >"$log/client.events"
	timeline client "$log/client.events"
	paths "$log/server.out" >"$log/server.events"
	timeline server "$log/server.events"
} | sort -s -t$'\t' -k1,1 | awk -F'\t' '{ printf "%s %-7s %s\n", $1, $2, $4 }'
echo "== client summary =="
summary "$log/client.out" | tee "$log/summary"
for f in client.err server.err; do
	[[ -s $log/$f ]] && { echo "== ${f%.err} stderr =="; cat "$log/$f"; }
done

echo "== result =="
if ((all)); then
	echo "fault: $fault, $what"
	lost=$(first_ts "$log/client.out" "$ts_re"'assoc [0-9]+: ASSOC_CHANGE COMM_LOST' "$client_mark")
	if [[ -n $lost ]]; then
		echo "association lost: $(since "$fault" "$lost") ms after the fault (COMM_LOST)"
	else
		echo "association lost: never (no COMM_LOST)"
	fi
	cat "$log/summary"
	if ((by_itself)); then
		echo "client exit status: $client_status (it exited by itself)"
	else
		echo "client exit status: $client_status (stopped with SIGINT)"
	fi
	((client_status == 3 && by_itself))
	exit $?
fi
cat "$log/result"
if ((cycles > 1 && ${#failovers[@]} > 0)); then
	echo "failover: $(median "${failovers[@]}") ms (median of ${#failovers[@]} cycles: ${failovers[*]})"
fi
grep '^summary:' "$log/summary"
echo "client exit status: $client_status"
((client_status == 0)) && grep -q ', missing 0, duplicated 0, out of order 0, wrong stream 0$' "$log/summary"
