# SPDX-License-Identifier: 0BSD
# Shared helpers for the bats suite. Load with: load test_helper
#
# Every test gets its own server on an ephemeral port (started with -p 0;
# the port is read back from the server's "listening on ADDR port N"
# line), stopped by PID in teardown. Nothing here sleeps to wait for
# readiness: it polls for the line, with a deadline.

bats_require_minimum_version 1.5.0
# bats-support and bats-assert. Their load.bash runs a dirname process
# for each file it sources: under emulation, half a second per test. So
# where Debian puts them, their files are sourced here directly.
if [[ -d /usr/lib/bats/bats-support/src && -d /usr/lib/bats/bats-assert/src ]]; then
	for f in /usr/lib/bats/bats-support/src/*.bash /usr/lib/bats/bats-assert/src/*.bash; do
		source "$f"
	done
	unset f
else
	bats_load_library bats-support
	bats_load_library bats-assert
fi

# The top of the source tree, wherever the .bats file that loads us lives
# (no dirname process: under emulation every process start counts).
TOP=${BASH_SOURCE[0]%/*}/..
TOP=$(cd "$TOP" && pwd)
export TOP
source "$TOP/tests/lib/wait.bash"

# How long to wait for a server or capture to get ready, in seconds. Generous:
# under software emulation everything is slow.
READY_TIMEOUT=${READY_TIMEOUT:-30}

# has_sctp: true when this kernel opens SCTP sockets.
has_sctp() {
	python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)' 2>/dev/null
}

# wait_for_line FILE REGEX [TIMEOUT]: poll until FILE has a line matching
# REGEX (grep -E). Fails with the file's contents when the deadline passes.
wait_for_line() {
	local file=$1 re=$2 limit=${3:-$READY_TIMEOUT}
	local deadline=$((SECONDS + limit))
	until has_line "$file" "$re"; do
		if ((SECONDS >= deadline)); then
			echo "timed out after ${limit}s waiting for /$re/ in $file:" >&2
			cat "$file" >&2 2>/dev/null
			return 1
		fi
		nap 0.05
	done
}

# start_server CMD [ARGS...]: start a server in the background with its
# output in $BATS_TEST_TMPDIR/server.out (stderr in server.err), wait for
# its "listening on ADDR port N" line, and set SERVER_PID and SERVER_PORT.
# A second server in the same test: set SERVER_NAME first (default server).
# With SCTP_VALGRIND=1 the server runs under valgrind's memcheck, which
# writes any error or definite leak to a file in $SCTP_REPORTS (tests/run
# fails the run when one is there); NO_VALGRIND=1 runs this one without.
start_server() {
	local name=${SERVER_NAME:-server}
	local out="$BATS_TEST_TMPDIR/$name.out" errf="$BATS_TEST_TMPDIR/$name.err"
	local wrap=()
	if [[ ${SCTP_VALGRIND:-} == 1 && -z ${NO_VALGRIND:-} ]]; then
		wrap=(valgrind -q --leak-check=full --show-leak-kinds=definite
			--errors-for-leak-kinds=definite --track-fds=no
			--log-file="${SCTP_REPORTS:-$BATS_TEST_TMPDIR}/valgrind.$name.%p")
	fi
	"${wrap[@]}" "$@" >"$out" 2>"$errf" &
	SERVER_PID=$!
	echo "$SERVER_PID" >>"$BATS_TEST_TMPDIR/pids"
	if ! wait_for_line "$out" '^listening on .* port [0-9]+$'; then
		cat "$errf" >&2
		return 1
	fi
	SERVER_PORT=$(sed -nE 's/^listening on .* port ([0-9]+)$/\1/p' "$out" | head -n1)
	SERVER_OUT=$out
	SERVER_ERR=$errf
}

# stop_pid PID [SIGNAL]: signal a process (TERM by default) and wait for it,
# KILLing it if it has not gone after 10 seconds. Sets STOP_STATUS.
stop_pid() {
	local pid=$1 sig=${2:-TERM}
	STOP_STATUS=
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; STOP_STATUS=$?; return 0; }
	kill "-$sig" "$pid" 2>/dev/null
	wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	STOP_STATUS=$?
}

# stop_all: teardown helper, stops every process start_server or
# start_bg recorded for this test.
stop_all() {
	local pid
	[ -f "$BATS_TEST_TMPDIR/pids" ] || return 0
	while read -r pid; do
		kill -0 "$pid" 2>/dev/null && stop_pid "$pid" KILL
	done <"$BATS_TEST_TMPDIR/pids"
	rm -f "$BATS_TEST_TMPDIR/pids"
}

# start_bg NAME CMD [ARGS...]: run CMD in the background with output in
# $BATS_TEST_TMPDIR/NAME.out / NAME.err; sets BG_PID. Stopped by stop_all.
start_bg() {
	local name=$1
	shift
	"$@" >"$BATS_TEST_TMPDIR/$name.out" 2>"$BATS_TEST_TMPDIR/$name.err" &
	BG_PID=$!
	echo "$BG_PID" >>"$BATS_TEST_TMPDIR/pids"
}

# capture_start IFACE FILTER: start tshark on IFACE with a capture FILTER
# (e.g. "sctp port 2013"), writing $BATS_TEST_TMPDIR/capture.pcap, and wait
# for its "Capturing on" line (tshark takes seconds to start when emulated).
capture_start() {
	local iface=$1 filter=$2
	CAPTURE_FILE="$BATS_TEST_TMPDIR/capture.pcap"
	tshark -i "$iface" -f "$filter" -w "$CAPTURE_FILE" \
		>"$BATS_TEST_TMPDIR/tshark.out" 2>"$BATS_TEST_TMPDIR/tshark.err" &
	CAPTURE_PID=$!
	echo "$CAPTURE_PID" >>"$BATS_TEST_TMPDIR/pids"
	wait_for_line "$BATS_TEST_TMPDIR/tshark.err" 'Capturing on' 180
}

# dumpcap_start FILTER [FILE [NETNS]]: the same on lo (of NETNS) with
# dumpcap: capture only, no dissectors to load, so it starts in a second
# where tshark takes ten; the deadline is longer still, as a busy machine
# under emulation has taken over a minute. Writes FILE (default
# $BATS_TEST_TMPDIR/capture.pcap); stopped with capture_stop.
dumpcap_start() {
	local run=()
	[[ -z ${3:-} ]] || run=(ip netns exec "$3")
	CAPTURE_FILE=${2:-$BATS_TEST_TMPDIR/capture.pcap}
	"${run[@]}" dumpcap -i lo -f "$1" -w "$CAPTURE_FILE" \
		>"$BATS_TEST_TMPDIR/dumpcap.out" 2>"$BATS_TEST_TMPDIR/dumpcap.err" 3>&- &
	CAPTURE_PID=$!
	echo "$CAPTURE_PID" >>"$BATS_TEST_TMPDIR/pids"
	wait_for_line "$BATS_TEST_TMPDIR/dumpcap.err" 'Capturing on' 240
}

# capture_stop: stop tshark (or dumpcap) cleanly so the pcap is complete. A short pause
# first lets the last packets reach the capture buffer.
capture_stop() {
	nap 0.5 # packets already sent; give the kernel time to hand them over
	stop_pid "$CAPTURE_PID" INT
}

# chunks [DISPLAY_FILTER]: one line per SCTP chunk in the capture, as
# "TYPE" names (INIT, INIT_ACK, DATA, ...), in capture order.
chunks() {
	tshark -r "$CAPTURE_FILE" -Y "${1:-sctp}" -T fields -e sctp.chunk_type 2>/dev/null |
		tr ',' '\n' | sed '/^$/d' | chunk_names
}

# chunk_names: map chunk type numbers on stdin to their names.
chunk_names() {
	awk 'BEGIN {
		n[0]="DATA"; n[1]="INIT"; n[2]="INIT_ACK"; n[3]="SACK";
		n[4]="HEARTBEAT"; n[5]="HEARTBEAT_ACK"; n[6]="ABORT";
		n[7]="SHUTDOWN"; n[8]="SHUTDOWN_ACK"; n[9]="ERROR";
		n[10]="COOKIE_ECHO"; n[11]="COOKIE_ACK"; n[14]="SHUTDOWN_COMPLETE";
		n[15]="AUTH"; n[64]="I_DATA"; n[128]="ASCONF_ACK"; n[130]="RECONF";
		n[192]="FORWARD_TSN"; n[193]="ASCONF";
	} { print (($1 in n) ? n[$1] : "CHUNK_" $1) }'
}

# netns_name TAG: a namespace name unique to this test run.
netns_name() {
	echo "sctps-$1-$$-${BATS_TEST_NUMBER:-0}"
}
