#!/usr/bin/env bats
# hostile: every server against peers that misbehave. A peer that sends
# a DATA chunk without data or on a stream it was never granted, stops
# in the middle of a message, vanishes without a word, sends more than
# the server can hold, never reads, or comes and goes a thousand times.
# After each case a fresh client must be served correctly, and across
# the thousand cycles the server's file descriptors and memory (RSS)
# stay flat. SIGINT/SIGTERM end live associations with SHUTDOWN, not
# ABORT (counted on the wire by nftables), and SIGPIPE never kills.
#
# The peers are tests/hostile_peer.py, its header explains the cases. One
# python process serves the whole file (commands through a FIFO): each
# start of python costs seconds under emulation.
# Servers run under valgrind with SCTP_VALGRIND=1 (tests/ROBUSTNESS.md):
# then the cycles are fewer and RSS, which is valgrind's, is not judged.

bats_require_minimum_version 1.5.0

load test_helper

# Debian's interpreter: a python3 earlier in PATH (a pyenv shim) may be
# slow to start or hang under timeout(1).
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
PEER=$TOP/tests/hostile_peer.py

# Connect/abort cycles, and how much RSS (kB) may grow across them.
CYCLES=${HOSTILE_CYCLES:-1000}
RSS_MARGIN=1024
# Associations set up at once on a one-to-many socket.
FLOOD=200
if [[ ${SCTP_VALGRIND:-} == 1 ]]; then
	CYCLES=${HOSTILE_CYCLES:-200}
	RSS_MARGIN=-1
	READY_TIMEOUT=180
fi
# AddressSanitizer keeps freed memory in quarantine (256 MB by default):
# RSS would measure that, not the program.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"

# The raw peers' cases; each is followed by a fresh client.
RAW_CASES="zero stream-above abort-mid vanish"

setup_file() {
	mkfifo "$BATS_FILE_TMPDIR/peer.fifo"
	start_peer_process
}

teardown_file() {
	kill "$(cat "$BATS_FILE_TMPDIR/peer.pid")" 2>/dev/null || true
}

# start_peer_process: hostile_peer.py --serve, in the background (fd 3,
# bats' own, closed so that bats does not wait for it).
start_peer_process() {
	"$PY" "$PEER" --serve "$BATS_FILE_TMPDIR/peer.fifo" \
		>>"$BATS_FILE_TMPDIR/peer.log" 2>&1 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/peer.pid"
}

setup() {
	# nftables names take no '-'.
	NFT_TABLE=$(netns_name hostile | tr -- - _)
	PEER_RUNS=0
}

teardown() {
	stop_all
	nft delete table inet "$NFT_TABLE" 2>/dev/null || true
	nft delete table inet "${NFT_TABLE}_count" 2>/dev/null || true
}

# peer_send KIND CASE...: hand a command line to the peer process; its
# report grows in $PEER_OUT and ends with "done STATUS".
peer_send() {
	local kind=$1 line
	shift
	kill -0 "$(cat "$BATS_FILE_TMPDIR/peer.pid")" 2>/dev/null || {
		echo "the peer process had died; its log:" >&2
		cat "$BATS_FILE_TMPDIR/peer.log" >&2
		start_peer_process
	}
	PEER_RUNS=$((PEER_RUNS + 1))
	PEER_OUT=$BATS_TEST_TMPDIR/peer.$PEER_RUNS.out
	: >"$PEER_OUT"
	line=$(
		IFS=$'\t'
		echo "$PEER_OUT	--kind	$kind	--port	$SERVER_PORT	--pid	${SERVER_PID:-0}	--server-out	${SERVER_OUT:-/dev/null}	--table	$NFT_TABLE	--tmp	$BATS_TEST_TMPDIR	--rss-margin	$RSS_MARGIN	$*"
	)
	timeout 60 bash -c 'echo "$1" >"$2"' _ "$line" "$BATS_FILE_TMPDIR/peer.fifo"
}

# peer_wait: wait for the command to end; $output is its report (shown
# when a test fails), $status its exit status.
peer_wait() {
	wait_for_line "$PEER_OUT" '^done [0-9]+$' 900
	output=$(grep -v '^done ' "$PEER_OUT")
	status=$(sed -n 's/^done //p' "$PEER_OUT")
	lines=()
	mapfile -t lines <<<"$output"
	echo "$output"
	# The figures, in the TAP output of every run, passed or not.
	grep -E '^(cycles=|fds |rss_kb |flood=|ends |# )' <<<"$output" |
		sed 's/^#* */# /' >&3 || true
}

# peer KIND CASE...: run the hostile peers against the server.
peer() {
	peer_send "$@"
	peer_wait
}

# cases_ok CASE...: each case passed, and a fresh client was served after.
cases_ok() {
	local c
	for c in "$@"; do
		assert_line --regexp "^case ${c%%=*} ok"
		assert_line "fresh ok after ${c%%=*}"
	done
	assert_success
}

# alive: the server is still running, and says nothing went wrong badly.
alive() {
	kill -0 "$SERVER_PID" || {
		echo "the server died:" >&2
		cat "$SERVER_ERR" >&2
		return 1
	}
}

# stop STATUS [SIGNAL]: stop the server (TERM by default) and check its
# exit status; a clean exit is also when valgrind and LeakSanitizer
# write their reports. SIGINT only reaches programs that catch it: a
# shell without job control starts background commands with SIGINT
# ignored, so the tests send SIGTERM to those that do not.
stop() {
	stop_pid "$SERVER_PID" "${2:-TERM}" || true # its wait returns STATUS
	if [[ $STOP_STATUS != "$1" ]]; then
		echo "server exit status $STOP_STATUS, expected $1; its stderr:" >&2
		tail -n 20 "$SERVER_ERR" >&2
		return 1
	fi
}

# count_chunks: nftables counters for ABORT and SHUTDOWN chunks the
# server sends (from its port), set up before a signal test.
count_chunks() {
	local t=${NFT_TABLE}_count
	nft add table inet "$t"
	nft add chain inet "$t" out '{ type filter hook output priority 0; }'
	nft add rule inet "$t" out sctp sport "$SERVER_PORT" sctp chunk abort exists counter
	nft add rule inet "$t" out sctp sport "$SERVER_PORT" sctp chunk shutdown exists counter
}

# chunks_sent TYPE: packets with a TYPE (abort, shutdown) chunk so far.
chunks_sent() {
	nft list table inet "${NFT_TABLE}_count" |
		sed -nE "s/.*chunk $1 exists counter packets ([0-9]+) .*/\1/p"
}

# signal_test KIND SIGNAL STATUS [N]: N (3) idle associations, then
# SIGNAL: each must end with SHUTDOWN, no ABORT may leave the server,
# and it exits with STATUS.
signal_test() {
	local kind=$1 sig=$2 want=$3 n=${4:-3} ends
	count_chunks
	peer_send "$kind" "graceful=$n"
	wait_for_line "$PEER_OUT" '^ready$' 120
	stop "$want" "$sig"
	peer_wait
	ends=$(printf ' shutdown%.0s' $(seq "$n"))
	assert_line "ends$ends"
	assert_equal "$(chunks_sent abort)" 0
	(($(chunks_sent shutdown) >= 1))
}

# --- echo_server (one-to-one) -----------------------------------------------

@test "echo_server: no-data DATA, an ungranted stream, a message cut by ABORT, a vanished peer, 300 KB and 600 KB messages" {
	start_server "$TOP/echo/echo_server" -a 127.0.0.1 -p 0
	peer echo $RAW_CASES big huge
	cases_ok $RAW_CASES big huge
	alive
	stop 0
}

@test "echo_server: a client that never reads stalls only itself; $CYCLES connect/abort cycles leave fds and RSS flat" {
	start_server "$TOP/echo/echo_server" -a 127.0.0.1 -p 0
	peer echo noread "cycles=$CYCLES"
	assert_line --regexp '^case noread ok'
	cases_ok "cycles=$CYCLES"
	alive
	stop 0
}

@test "echo_server: SIGINT ends live associations with SHUTDOWN, not ABORT, and exits 0" {
	start_server "$TOP/echo/echo_server" -a 127.0.0.1 -p 0
	signal_test echo INT 0
}

# --- echo_server_many (one-to-many) -------------------------------------------

@test "echo_server_many: no-data DATA, an ungranted stream, a message cut by ABORT, a vanished peer, 300 KB and 600 KB messages" {
	start_server "$TOP/echo/echo_server_many" -a 127.0.0.1 -p 0
	peer echo_many $RAW_CASES big huge
	cases_ok $RAW_CASES big huge
	# The program saw the cut message begin, then its end reported.
	grep -q 'cut short\|unfinished' "$SERVER_ERR"
	alive
	stop 0
}

@test "echo_server_many: a non-reader is aborted, not waited for; $CYCLES cycles flat; $FLOOD associations at once all seen" {
	start_server "$TOP/echo/echo_server_many" -a 127.0.0.1 -p 0
	peer echo_many noread "cycles=$CYCLES" "flood=$FLOOD"
	assert_line --regexp '^case noread ok'
	cases_ok "cycles=$CYCLES" "flood=$FLOOD"
	grep -q 'not reading' "$SERVER_ERR"
	alive
	stop 0
}

@test "echo_server_many: SIGTERM ends live associations with SHUTDOWN (SCTP_EOF), not ABORT, and exits 0" {
	start_server "$TOP/echo/echo_server_many" -a 127.0.0.1 -p 0
	signal_test echo_many TERM 0
}

# --- multihome_server (one-to-many, blocking) -----------------------------------

@test "multihome_server: no-data DATA, an ungranted stream, a message cut by ABORT, a vanished peer, a 300 KB message (over its 64 KiB)" {
	start_server "$TOP/multihome/multihome_server" -a 127.0.0.1 -p 0
	peer multihome $RAW_CASES big
	cases_ok $RAW_CASES big
	grep -q 'dropped' "$SERVER_ERR"
	alive
	stop 143
}

@test "multihome_server: $CYCLES cycles flat; $FLOOD associations at once all seen" {
	start_server "$TOP/multihome/multihome_server" -a 127.0.0.1 -p 0
	peer multihome "cycles=$CYCLES" "flood=$FLOOD"
	cases_ok "cycles=$CYCLES" "flood=$FLOOD"
	alive
	stop 143
}

@test "multihome_server: a client that never reads does not stall the others" {
	start_server "$TOP/multihome/multihome_server" -a 127.0.0.1 -p 0
	peer multihome noread
	assert_line --regexp '^case noread ok'
	alive
	stop 143
}

@test "multihome_server: SIGTERM ends live associations with SHUTDOWN, not ABORT" {
	start_server "$TOP/multihome/multihome_server" -a 127.0.0.1 -p 0
	signal_test multihome TERM 143
}

# --- daytime_server (one-to-one, sends and closes) -------------------------------

@test "daytime_server: no-data DATA, an ungranted stream (it grants 1), a message cut by ABORT, a vanished peer, unwanted data" {
	start_server "$TOP/daytime/daytime_server" -a 127.0.0.1 -p 0
	peer daytime $RAW_CASES big
	cases_ok $RAW_CASES big
	assert_line --partial "case stream-above ok 1 granted"
	alive
	stop 143
}

@test "daytime_server: clients that never read, and $CYCLES connect/abort cycles (its sends meet dead peers: EPIPE, no SIGPIPE)" {
	start_server "$TOP/daytime/daytime_server" -a 127.0.0.1 -p 0
	peer daytime noread "cycles=$CYCLES"
	assert_line --regexp '^case noread ok'
	cases_ok "cycles=$CYCLES"
	alive
	stop 143
}

@test "daytime_server: SIGTERM leaves no association to ABORT" {
	start_server "$TOP/daytime/daytime_server" -a 127.0.0.1 -p 0
	signal_test daytime TERM 143
}

# --- sctp_events -L (one-to-many, prints every notification) ----------------------

@test "sctp_events -L: no-data DATA, an ungranted stream, a message cut by ABORT, a vanished peer, a 300 KB message" {
	start_server "$TOP/events/sctp_events" -L -a 127.0.0.1 -p 0
	peer events $RAW_CASES big
	cases_ok $RAW_CASES big
	# The cut message: its first part, then the event that ends it.
	grep -q 'PARTIAL_DELIVERY_EVENT' "$SERVER_OUT"
	alive
	stop 0
}

@test "sctp_events -L: $CYCLES cycles flat; $FLOOD associations at once, every event printed" {
	start_server "$TOP/events/sctp_events" -L -a 127.0.0.1 -p 0
	peer events "cycles=$CYCLES" "flood=$FLOOD"
	cases_ok "cycles=$CYCLES" "flood=$FLOOD"
	alive
	stop 0
}

@test "sctp_events -L: SIGINT ends live associations with SHUTDOWN, not ABORT, and exits 0" {
	start_server "$TOP/events/sctp_events" -L -a 127.0.0.1 -p 0
	signal_test events INT 0
}

# --- stream_receiver (one association per run) ----------------------------------

# receiver_done [SECONDS]: wait for the one-shot receiver to finish; sets
# $status to its exit status.
receiver_done() {
	local limit=${1:-60} i
	for ((i = 0; i < limit * 10; i++)); do
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$SERVER_PID" 2>/dev/null; then
		echo "stream_receiver still running after $limit s; its output:" >&2
		tail -n 5 "$SERVER_OUT" >&2
		return 1
	fi
	wait "$SERVER_PID" && status=0 || status=$?
}

@test "stream_receiver: a sender that ABORTs in the middle of a message: a reason, exit 1" {
	start_server "$TOP/multistream/stream_receiver" -a 127.0.0.1 -p 0
	peer receiver abort-mid
	assert_line --regexp '^case abort-mid ok'
	receiver_done
	assert_equal "$status" 1
	# Partial delivery handed it more than any stream_sender message.
	grep -q 'a message longer than 65536 bytes' "$SERVER_ERR"
}

@test "stream_receiver: a short message cut by ABORT: the report says no message arrived, exit 1" {
	start_server "$TOP/multistream/stream_receiver" -a 127.0.0.1 -p 0
	peer receiver --mid-fragments 1 abort-mid
	assert_line --regexp '^case abort-mid ok'
	receiver_done
	assert_equal "$status" 1
	grep -q '^no message arrived' "$SERVER_OUT"
}

@test "stream_receiver: DATA on a stream it never granted: an ERROR from the kernel, the message is not seen" {
	start_server "$TOP/multistream/stream_receiver" -a 127.0.0.1 -p 0 -i 4
	peer receiver stream-above
	assert_line --regexp '^case stream-above ok 4 granted'
	receiver_done
	assert_equal "$status" 1
	# Only the message on stream 0 arrived, and it is no sender header.
	grep -q '^summary .* malformed=1$' "$SERVER_OUT"
}

@test "stream_receiver: a DATA chunk without data: the kernel ABORTs, the receiver reports" {
	start_server "$TOP/multistream/stream_receiver" -a 127.0.0.1 -p 0
	peer receiver zero
	assert_line --regexp '^case zero ok'
	receiver_done
	assert_equal "$status" 1
	grep -q '^no message arrived' "$SERVER_OUT"
}

@test "stream_receiver: a message over its 64 KiB is refused with a reason, exit 1" {
	start_server "$TOP/multistream/stream_receiver" -a 127.0.0.1 -p 0
	peer receiver big
	receiver_done
	assert_equal "$status" 1
	grep -q 'a message longer than 65536 bytes' "$SERVER_ERR"
}

@test "stream_receiver: a header announcing 1,000,000 messages in 65,535 flows still gets its report within 60 s" {
	start_server "$TOP/multistream/stream_receiver" -a 127.0.0.1 -p 0
	peer receiver claim=1000000
	assert_line --regexp '^case claim ok'
	receiver_done 60
	assert_equal "$status" 1
	grep -q '^summary expected=1000000 received=1 ' "$SERVER_OUT"
}

@test "stream_receiver: SIGTERM with an idle association: SHUTDOWN, not ABORT" {
	start_server "$TOP/multistream/stream_receiver" -a 127.0.0.1 -p 0
	signal_test receiver TERM 143 1
}

# --- clients, toward a port with no listener -------------------------------------

@test "INIT toward a port with no listener gets an ABORT; every client gives up at once with a reason" {
	# A port nobody listens on: bound by a TCP socket we never use.
	local closed
	closed=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	SERVER_PORT=$closed peer echo --closed-port "$closed" --no-fresh init-nolistener
	assert_line --regexp '^case init-nolistener ok'
	local c failed=0
	for c in "echo/echo_client -m hi" "daytime/daytime_client" \
		"multistream/stream_sender -c 1" "multihome/multihome_client -a 127.0.0.1 -c 1" \
		"events/sctp_events -a 127.0.0.1"; do
		# shellcheck disable=SC2086 # the words of $c on purpose
		run --separate-stderr timeout 20 "$TOP"/$c -p "$closed"
		echo "$c: status $status: $stderr"
		if ((status != 1)) || [[ $stderr != *"refused"* ]]; then
			failed=1
		fi
	done
	((failed == 0))
}
