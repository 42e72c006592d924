#!/usr/bin/env bash
# SPDX-License-Identifier: 0BSD
# SPDX-License-Identifier: 0BSD
# tour.sh - the guided tour (`make demo`): every lesson of this suite, run
# live on a real kernel SCTP stack, each with the packets that prove it.
#
#   tests/tour.sh              every step, in order
#   tests/tour.sh STEP...      only these steps, e.g. tests/tour.sh echo
#   tests/tour.sh --list       the steps
#
# Each step prints a heading, what to look for, the commands it runs with
# their real output, and a summary of the packets they exchanged, taken
# from a capture of loopback. The captures are kept for Wireshark, one pcap
# file per step, in tour-out/ (or $SCTP_TOUR_OUT).
#
# It needs a kernel with SCTP and root (captures, network namespaces,
# nftables). Without them it runs itself in a throwaway VM (tests/vm.sh),
# which writes the pcap files back here.
set -uo pipefail

prog=tour.sh
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

# The steps, in order, and their headings.
STEPS=(check echo daytime multistream multihome events)
declare -A TITLE=(
	[check]="Does this kernel speak SCTP?"
	[echo]="Echo over SCTP, and its TCP twin side by side"
	[daytime]="Daytime: one association, two streams"
	[multistream]="Multistreaming: head-of-line blocking, measured"
	[multihome]="Multihoming: a path fails, the association lives on"
	[events]="Notifications: what the kernel tells the application"
)

usage() {
	cat <<EOF
usage: $prog [STEP...] | --list | -h
The guided tour: each lesson live, with its packets. Steps, in order:
  ${STEPS[*]}
With no STEP, all of them. Pcap files go to \$SCTP_TOUR_OUT (default
tour-out/ in the source tree). Runs in a VM (tests/vm.sh) when this kernel
has no SCTP or you are not root.
EOF
}

# Where the pcap files go; SCTP_* variables also reach the VM.
export SCTP_TOUR_OUT=${SCTP_TOUR_OUT:-$top/tour-out}
# When the tour began (seconds since the epoch), VM start included.
export SCTP_TOUR_T0=${SCTP_TOUR_T0:-$(date +%s)}

want=()
for arg in "$@"; do
	case $arg in
	-h | --help) usage; exit 0 ;;
	-l | --list)
		for s in "${STEPS[@]}"; do printf '%-12s %s\n' "$s" "${TITLE[$s]}"; done
		exit 0 ;;
	-*) echo "$prog: unknown option '$arg'" >&2; usage >&2; exit 2 ;;
	*)
		[[ -n ${TITLE[$arg]+x} ]] || {
			echo "$prog: no step '$arg' (steps: ${STEPS[*]})" >&2
			exit 2
		}
		want+=("$arg") ;;
	esac
done
# Keep the tour's order whatever the command line's.
run_steps=()
for s in "${STEPS[@]}"; do
	if ((${#want[@]} == 0)) || [[ " ${want[*]} " == *" $s "* ]]; then
		run_steps+=("$s")
	fi
done

# Debian's python3 when there is one: a version manager's shim can take
# many seconds to start under emulation.
PYTHON=python3
[[ -x /usr/bin/python3 ]] && PYTHON=/usr/bin/python3
has_sctp() {
	"$PYTHON" -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)' 2>/dev/null
}

# --- here, or in the VM -------------------------------------------------
# SCTP_TOUR_INSIDE=1: we are where the tour runs (the VM, or a test in
# it): the kernel has SCTP and the packages were checked.
sctp=yes
[[ -n ${SCTP_TOUR_INSIDE:-} ]] || has_sctp || sctp=no
if [[ $sctp == no ]] || { [[ -z ${SCTP_TOUR_INSIDE:-} ]] && ((EUID != 0)); }; then
	if [[ $sctp == no ]]; then
		echo "This kernel has no SCTP: the tour runs in a throwaway VM with Debian's kernel (tests/vm.sh)."
	else
		echo "The tour needs root (captures, namespaces, nftables): it runs in a throwaway VM (tests/vm.sh)."
	fi
	tests/deps.sh test vm || exit 1
	mkdir -p "$SCTP_TOUR_OUT"
	# The guest shares this machine's files, packages included: no need
	# to check them again there (slow under emulation), nor SCTP.
	SCTP_TOUR_INSIDE=1 SCTP_VM_EXPORT=$SCTP_TOUR_OUT \
		tests/vm.sh "$top/tests/tour.sh" "$@"
	status=$?
	echo "Tour over in $(($(date +%s) - SCTP_TOUR_T0)) s, VM included."
	exit "$status"
fi

[[ -n ${SCTP_TOUR_INSIDE:-} ]] || tests/deps.sh test || exit 1
# shellcheck source=tests/lib/pcap.bash
. "$top/tests/lib/pcap.bash"

work=$(mktemp -d "${TMPDIR:-/tmp}/tour.XXXXXX")
pids=()
cleanup() {
	local pid
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
	wire_stop
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- presentation -----------------------------------------------------------
elapsed() {
	local s=$(($(date +%s) - SCTP_TOUR_T0))
	printf '%d:%02d' $((s / 60)) $((s % 60))
}
# look TEXT: what to look for, wrapped.
look() {
	echo "$*" | fold -s -w 72 | sed '1s/^/Look for: /; 2,$s/^/          /'
}
# say_cmd CMD...: the command as the student would type it.
say_cmd() {
	echo "\$ $*"
}
# run_cmd SECONDS CMD...: show and run a command, output as it comes.
run_cmd() {
	local limit=$1
	shift
	say_cmd "$@"
	timeout "$limit" "$@" 2>&1
}
# serve NAME CMD...: start a server in the background (shown with &), wait
# for its listening line, show its output so far. Sets PORT; the server's
# PID is SERVER_PID[NAME], its output $work/NAME.out.
declare -A SERVER_PID SHOWN
serve() {
	local name=$1 pid i
	shift
	say_cmd "$@" "&"
	"$@" >"$work/$name.out" 2>&1 &
	pid=$!
	pids+=("$pid")
	SERVER_PID[$name]=$pid
	for ((i = 0; i < 1200; i++)); do
		has_line "$work/$name.out" '^listening on .* port [0-9]+$' && break
		kill -0 "$pid" 2>/dev/null || break
		nap 0.05
	done
	PORT=$(sed -nE 's/^listening on .* port ([0-9]+)$/\1/p' "$work/$name.out")
	SHOWN[$name]=$(wc -c <"$work/$name.out")
	cat "$work/$name.out"
	[[ -n $PORT ]] || { echo "$prog: $1 did not start" >&2; return 1; }
}
# unserve NAME: stop the server NAME (if still running) and show what it
# printed since its listening line.
unserve() {
	local name=$1 pid=${SERVER_PID[$1]}
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if (($(wc -c <"$work/$name.out") > SHOWN[$name])); then
		echo "[${name//_/ }, meanwhile:]"
		tail -c +"$((SHOWN[$name] + 1))" "$work/$name.out"
	fi
}
# side_by_side FILE1 FILE2: two columns, the left one 48 characters wide.
side_by_side() {
	awk -v w=48 '
		NR == FNR { left[FNR] = $0; nl = FNR; next }
		{ right[FNR] = $0; nr = FNR }
		END {
			n = nl > nr ? nl : nr
			for (i = 1; i <= n; i++)
				if (right[i] == "")
					print left[i]
				else
					printf "%-" w "s%s\n", substr(left[i], 1, w - 1), right[i]
		}' "$1" "$2"
}
# packets TITLE: a summary heading for the packets that follow.
packets() {
	echo "--- packets: $*"
}

# --- the steps ----------------------------------------------------------------
step_check() {
	look "'SCTP supported', both socket styles opening, and an association" \
		"over loopback: the kernel check every lab starts with. Its packets:" \
		"the four-way handshake, DATA, and the three-chunk shutdown."
	run_cmd 60 check/sctpcheck
}
summary_check() {
	local port
	port=$(wire_server_port "$1" "$2")
	[[ -n $port ]] || { echo "  (no association captured)"; return; }
	packets "sctpcheck's first association (port $port)"
	wire_summary "$port" "$1" "$2"
}

step_echo() {
	look "One C file, built twice: echo_server speaks SCTP, tcp_echo_server" \
		"TCP, and the output is the same. The packets differ: SCTP opens" \
		"with four (INIT, INIT_ACK, COOKIE_ECHO, COOKIE_ACK) where TCP uses" \
		"three, keeps each message whole (one DATA chunk per message), and" \
		"closes with three (SHUTDOWN, SHUTDOWN_ACK, SHUTDOWN_COMPLETE)."
	serve echo_server echo/echo_server -p 0 -v || return 1
	ECHO_PORT=$PORT
	run_cmd 30 echo/echo_client -p "$PORT" -m hello -m world
	unserve echo_server
	echo
	serve tcp_echo_server echo/tcp_echo_server -p 0 -v || return 1
	TCP_PORT=$PORT
	run_cmd 30 echo/tcp_echo_client -p "$PORT" -m hello
	unserve tcp_echo_server
}
summary_echo() {
	packets "SCTP (left) and TCP (right), side by side"
	side_by_side \
		<(echo "  SCTP, port $ECHO_PORT"; wire_summary "$ECHO_PORT" "$1" "$2") \
		<(echo "  TCP, port $TCP_PORT"; wire_tcp_summary "$TCP_PORT" "$1" "$2")
}

step_daytime() {
	look "Two lines from one association: the server sends local time on" \
		"stream 0 and GMT on stream 1. On the wire: DATA stream 0, then" \
		"DATA stream 1, from server to client. This machine's clock is" \
		"UTC, so the server runs in India's zone (TZ=Asia/Kolkata," \
		"UTC+05:30): its Local line is 5 h 30 min ahead of the GMT line."
	serve daytime_server env TZ=Asia/Kolkata daytime/daytime_server \
		-a 127.0.0.1 -p 0 || return 1
	DAYTIME_PORT=$PORT
	run_cmd 30 daytime/daytime_client -p "$PORT" -v
	unserve daytime_server
}
summary_daytime() {
	packets "daytime (port $DAYTIME_PORT)"
	wire_summary "$DAYTIME_PORT" "$1" "$2"
}

step_multistream() {
	look "First a short run on loopback: four flows, one per stream, DATA on" \
		"streams 0 to 3. Then the experiment: the same traffic over a slow" \
		"link that loses packets of flow 0 only. Compare the columns: with" \
		"one stream per flow, flows 1 to 3 keep their delay; sharing one" \
		"ordered stream, they wait behind flow 0's retransmissions" \
		"(head-of-line blocking). The TCP column is the same traffic over TCP."
	serve stream_receiver multistream/stream_receiver -a 127.0.0.1 -p 0 || return 1
	STREAM_PORT=$PORT
	run_cmd 60 multistream/stream_sender -p "$PORT" -o 4 -c 8 -r 20
	# The receiver prints a line per message and exits when the sender
	# closes; report.sh makes the table and checks the order.
	wait "${SERVER_PID[stream_receiver]}" 2>/dev/null
	unserve stream_receiver
	run_cmd 30 multistream/report.sh "$work/stream_receiver.out"
	echo
	echo "(The experiment runs between two network namespaces joined by a"
	echo "veth pair, so its packets are not in this loopback capture.)"
	run_cmd 300 multistream/hol-experiment.sh -c 400
}
summary_multistream() {
	packets "the loopback run (port $STREAM_PORT)"
	wire_summary "$STREAM_PORT" "$1" "$2"
}

step_multihome() {
	look "A server on two addresses (127.0.0.1 and 127.0.0.2), a client" \
		"sending 20 messages a second to its primary, 127.0.0.2. A firewall" \
		"rule then drops everything to 127.0.0.2: the client's events say" \
		"the path failed, the data moves to 127.0.0.1 with no reconnect" \
		"and nothing lost; the rule goes, the path comes back."
	mkdir -p "$work/failover"
	say_cmd multihome/failover.sh -l -f
	echo "[its progress, and the client's notifications, as they come]"
	# The script prints its report at the end; meanwhile, show the
	# client's notifications live from its log. Its own progress lines
	# (stderr) come through as they are.
	: >"$work/failover/client.out"
	timeout 300 multihome/failover.sh -l -f -o "$work/failover" \
		>"$work/failover.report" &
	local failover=$! status
	pids+=("$failover")
	tail -n +1 -F -s 0.2 --pid="$failover" "$work/failover/client.out" 2>/dev/null |
		grep --line-buffered -E 'ASSOC_CHANGE|PEER_ADDR_CHANGE|^primary'
	wait "$failover"
	status=$?
	echo "[failover.sh's report]"
	sed -n '/^== result ==/,$p' "$work/failover.report"
	MULTIHOME_PORT=$(sed -nE 's/^listening on .* port ([0-9]+)$/\1/p' "$work/failover/server.out" | head -n1)
	return "$status"
}
summary_multihome() {
	[[ -n ${MULTIHOME_PORT:-} ]] || { echo "  (no server port)"; return; }
	packets "where the client's packets went (port $MULTIHOME_PORT; SACK-only packets left out)"
	wire_paths "$MULTIHOME_PORT" "$1" "$2"
}

step_events() {
	look "Notifications arrive on the socket among the data, flagged" \
		"MSG_NOTIFICATION: COMM_UP when the association starts, the DATA," \
		"then SHUTDOWN_EVENT and SHUTDOWN_COMP as the client (-t 1) ends" \
		"it a second later; the client also sees SENDER_DRY_EVENT."
	serve events_server events/sctp_events -a 127.0.0.1 -p 0 || return 1
	EVENTS_PORT=$PORT
	run_cmd 30 events/provoke -a 127.0.0.1 -p "$PORT" -m hello -t 1
	# The server's last notifications follow the client's exit closely.
	sleep 0.5
	unserve events_server
}
summary_events() {
	packets "sctp_events (port $EVENTS_PORT)"
	wire_summary "$EVENTS_PORT" "$1" "$2"
}

# Programs each step needs, so a step not built yet says so.
declare -A NEEDS=(
	[check]="check/sctpcheck"
	[echo]="echo/echo_server echo/echo_client echo/tcp_echo_server echo/tcp_echo_client"
	[daytime]="daytime/daytime_server daytime/daytime_client"
	[multistream]="multistream/stream_sender multistream/stream_receiver multistream/tcp_stream_sender multistream/tcp_stream_receiver multistream/hol-experiment.sh"
	[multihome]="multihome/multihome_server multihome/multihome_client multihome/failover.sh"
	[events]="events/sctp_events events/provoke"
)

# --- the tour -------------------------------------------------------------------
mkdir -p "$SCTP_TOUR_OUT"
echo "SCTP guided tour: ${#run_steps[@]} step(s): ${run_steps[*]}  [$(elapsed)]"
echo "Starting the capture on lo (tshark; slow to start under emulation) ..."
wire_start "$work/capture" "sctp or tcp" || exit 1
wire_sync || exit 1

# number STEP: its place in the whole tour, for file names that do not
# depend on which steps ran.
number() {
	local i
	for i in "${!STEPS[@]}"; do [[ ${STEPS[i]} == "$1" ]] && echo $((i + 1)); done
}

n=${#run_steps[@]} k=0 failed=()
declare -A FROM TO
for s in "${run_steps[@]}"; do
	k=$((k + 1))
	echo
	echo "=== Step $k of $n: ${TITLE[$s]}  [$(elapsed)]"
	missing=()
	for p in ${NEEDS[$s]}; do [[ -x $p ]] || missing+=("$p"); done
	if ((${#missing[@]})); then
		echo "(not built yet: ${missing[*]})"
		continue
	fi
	FROM[$s]=$WIRE_MARK
	"step_$s" || failed+=("$s")
	wire_sync || exit 1
	TO[$s]=$WIRE_MARK
	"summary_$s" "${FROM[$s]}" "${TO[$s]}"
done

wire_stop
echo
echo "=== Captures  [$(elapsed)]"
for s in "${run_steps[@]}"; do
	[[ -n ${FROM[$s]:-} ]] || continue
	f=$SCTP_TOUR_OUT/$(number "$s")-$s.pcap
	rm -f "$f"
	wire_split "${FROM[$s]}" "${TO[$s]}" "$f" && [[ -f $f ]] && echo "  $f"
done
echo "Open them in Wireshark (or: tshark -r FILE). Tour done in $(elapsed)."
if ((${#failed[@]})); then
	echo "$prog: these steps failed: ${failed[*]}" >&2
	exit 1
fi
