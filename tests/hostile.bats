#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# hostile: every server against peers that misbehave. A peer that sends
# a DATA chunk without data or on a stream it was never granted, stops
# in the middle of a message, vanishes without a word, sends more than
# the server can hold, never reads, or comes and goes a thousand times.
# After each case a fresh client must be served correctly, and across
# the thousand cycles the server's file descriptors and memory (RSS)
# stay flat. SIGINT/SIGTERM end live associations with SHUTDOWN, not
# ABORT (counted on the wire by nftables), and SIGPIPE never kills: the
# cycles make every server write to peers that are already gone.
#
# The peers are tests/hostile_peer.py, whose header explains the cases.
# One python process serves the whole file (commands through a FIFO):
# under emulation every process start costs, python's seconds. For the
# same reason the helpers here use shell builtins where they can.
# With SCTP_VALGRIND=1 the servers run under valgrind (ROBUSTNESS.md):
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
	CYCLES=${HOSTILE_CYCLES:-100}
	READY_TIMEOUT=180
fi
# AddressSanitizer keeps freed memory in quarantine (256 MB by default):
# RSS would measure that, not the program. Even so its allocator caches
# and shadow memory grow RSS by megabytes, so with SANITIZE=1, as under
# valgrind, RSS is not judged (the plain `make check` run judges it).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1"
if [[ ${SCTP_VALGRIND:-} == 1 || ${SANITIZE:-} == 1 ]]; then
	RSS_MARGIN=-1
fi

# The raw peers' cases; each is followed by a fresh client.
RAW_CASES="zero stream-above abort-mid vanish"

setup_file() {
	export PEER_FIFO=$BATS_FILE_TMPDIR/peer.fifo
	mkfifo "$PEER_FIFO"
	start_peer_process
}

teardown_file() {
	kill "$PEER_PID" 2>/dev/null || true
}

# start_peer_process: hostile_peer.py --serve, in the background (with
# bats' own fd 3 closed, so that bats does not wait for it); ready once
# it holds the FIFO open (a line written before would be lost).
start_peer_process() {
	"$PY" "$PEER" --serve "$PEER_FIFO" >>"$BATS_FILE_TMPDIR/peer.log" 2>&1 3>&- &
	export PEER_PID=$!
	wait_for_line "$BATS_FILE_TMPDIR/peer.log" "^serving $PEER_FIFO\$" 120
}

setup() {
	# Unique per test; nftables names take no '-'.
	NFT_TABLE=hostile_$$_$BATS_TEST_NUMBER
	COUNT_TABLE=
	PEER_RUNS=0
}

teardown() {
	stop_all
	# The peer process deletes its own table; this one is ours.
	[[ -z $COUNT_TABLE ]] || nft delete table inet "$COUNT_TABLE" || true
}

# peer_send KIND CASE...: hand a command line to the peer process; its
# report grows in $PEER_OUT and ends with "done STATUS".
peer_send() {
	local kind=$1 line
	shift
	if ! kill -0 "$PEER_PID" 2>/dev/null; then
		echo "the peer process had died; its log:" >&2
		cat "$BATS_FILE_TMPDIR/peer.log" >&2
		start_peer_process
	fi
	PEER_RUNS=$((PEER_RUNS + 1))
	PEER_OUT=$BATS_TEST_TMPDIR/peer.$PEER_RUNS.out
	: >"$PEER_OUT"
	printf -v line '%s\t' "$PEER_OUT" --kind "$kind" --port "$SERVER_PORT" \
		--pid "${SERVER_PID:-0}" --server-out "${SERVER_OUT:-/dev/null}" \
		--table "$NFT_TABLE" --tmp "$BATS_TEST_TMPDIR" \
		--rss-margin "$RSS_MARGIN" "$@"
	# The peer holds the FIFO open: this write never blocks.
	echo "${line%$'\t'}" 1<>"$PEER_FIFO"
}

# peer_wait: wait for the command to end; $output and $lines are its
# report (shown when a test fails), $status its exit status. Its figures
# go to the TAP output of every run, passed or not.
peer_wait() {
	wait_for_line "$PEER_OUT" '^done [0-9]+$' 900
	local l
	output= status= lines=()
	while IFS= read -r l; do
		case $l in
		"done "*) status=${l#done } ;;
		*) lines+=("$l") output+=$l$'\n' ;;
		esac
		case $l in
		cycles=* | "fds "* | rss_kb=* | "rss_kb "* | flood=* | "ends "* | "# "*)
			echo "# ${l###}" >&3 ;;
		esac
	done <"$PEER_OUT"
	output=${output%$'\n'}
	echo "$output"
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
}

# alive: the server is still running.
alive() {
	kill -0 "$SERVER_PID" 2>/dev/null || {
		echo "the server died; its stderr:" >&2
		cat "$SERVER_ERR" >&2
		return 1
	}
}

# stop STATUS [SIGNAL]: stop the server (TERM by default) and check its
# exit status; a clean exit is also when valgrind and LeakSanitizer
# write their reports. A watchdog KILLs it after 20 s (no polling loop:
# each sleep would be a process). SIGINT only reaches programs that
# catch it: a shell without job control starts background commands with
# SIGINT ignored, so the tests send SIGTERM to those that do not.
stop() {
	local want=$1 got=0 dog
	kill "-${2:-TERM}" "$SERVER_PID"
	(sleep 20 && kill -KILL "$SERVER_PID") 2>/dev/null 3>&- &
	dog=$!
	wait "$SERVER_PID" || got=$?
	kill "$dog" 2>/dev/null || true
	if [[ $got != "$want" ]]; then
		echo "server exit status $got, expected $want; its stderr:" >&2
		cat "$SERVER_ERR" >&2
		return 1
	fi
}

# count_chunks: nftables counters for the ABORT and SHUTDOWN chunks the
# server sends (from its port), set before a signal test.
count_chunks() {
	COUNT_TABLE=${NFT_TABLE}_count
	nft -f - <<-EOF
		table inet $COUNT_TABLE {
			chain out {
				type filter hook output priority 0;
				sctp sport $SERVER_PORT sctp chunk abort exists counter
				sctp sport $SERVER_PORT sctp chunk shutdown exists counter
			}
		}
	EOF
}

# signal_test KIND SIGNAL STATUS [N]: N (3) idle associations, then
# SIGNAL: each must end with SHUTDOWN, no ABORT may leave the server,
# and it exits with STATUS.
signal_test() {
	local kind=$1 sig=$2 want=$3 n=${4:-3} ends= i ruleset re
	count_chunks
	peer_send "$kind" "graceful=$n"
	wait_for_line "$PEER_OUT" '^ready$' 120
	stop "$want" "$sig"
	peer_wait
	for ((i = 0; i < n; i++)); do ends+=" shutdown"; done
	assert_line "ends$ends"
	ruleset=$(nft list table inet "$COUNT_TABLE")
	echo "$ruleset"
	# A counter line that no longer matches fails here, loudly: a check
	# that cannot read its counter proves nothing.
	re='abort exists counter packets ([0-9]+)'
	[[ $ruleset =~ $re ]] || fail "no ABORT counter in the rule set"
	assert_equal "${BASH_REMATCH[1]}" 0
	re='shutdown exists counter packets ([0-9]+)'
	[[ $ruleset =~ $re ]] || fail "no SHUTDOWN counter in the rule set"
	((BASH_REMATCH[1] >= 1)) || fail "no SHUTDOWN was sent"
}

# --- echo_server (one-to-one) -----------------------------------------------

@test "echo_server: no-data DATA, an ungranted stream, a message cut by ABORT, a vanished peer, 300 KB and 600 KB messages, a non-reader, $CYCLES connect/abort cycles" {
	start_server "$TOP/echo/echo_server" -a 127.0.0.1 -p 0
	peer echo $RAW_CASES big huge noread "cycles=$CYCLES"
	cases_ok $RAW_CASES big huge "cycles=$CYCLES"
	# The non-reader stalls only itself: a fresh client was served
	# while it sat there.
	assert_line --regexp '^case noread ok'
	assert_equal "$status" 0
	# The 600 KB message was refused (its child ABORTed), with the reason.
	grep -q "recv: Message too long" "$SERVER_ERR"
	alive
	stop 0
}

@test "echo_server: SIGINT ends live associations with SHUTDOWN, not ABORT, and exits 0" {
	start_server "$TOP/echo/echo_server" -a 127.0.0.1 -p 0
	signal_test echo INT 0
}

# --- echo_server_many (one-to-many) -------------------------------------------

@test "echo_server_many: the same, a non-reader that stalls nobody, and $FLOOD associations at once" {
	start_server "$TOP/echo/echo_server_many" -a 127.0.0.1 -p 0
	peer echo_many $RAW_CASES big huge noread "cycles=$CYCLES" "flood=$FLOOD"
	cases_ok $RAW_CASES big huge "cycles=$CYCLES" "flood=$FLOOD"
	assert_line --regexp '^case noread ok'
	assert_equal "$status" 0
	# The program saw the cut message begin, then heard it would not
	# end. (How it ABORTs a non-reader that stays is echo_peers.bats':
	# this one leaves on its own once the fresh client is served.)
	grep -q 'partial delivery aborted' "$SERVER_ERR"
	grep -q "message over 400 KiB: aborting it" "$SERVER_ERR"
	alive
	stop 0
}

@test "echo_server_many: SIGTERM ends live associations with SHUTDOWN (SCTP_EOF), not ABORT, and exits 0" {
	start_server "$TOP/echo/echo_server_many" -a 127.0.0.1 -p 0
	signal_test echo_many TERM 0
}

# --- out of descriptors (prlimit) ---------------------------------------------

# cpu_ticks PID: the process's CPU time so far, user + system, in clock
# ticks (1/100 s on Linux); builtins only.
cpu_ticks() {
	local stat f
	read -r stat <"/proc/$1/stat"
	read -ra f <<<"${stat##*) }" # the fields after "PID (COMM)"
	echo $((f[11] + f[12]))      # utime and stime, fields 14 and 15
}

# starve SERVER ARGS...: start SERVER; once it listens, its limit of
# descriptors becomes its lowest free one (prlimit): it may not open
# one more. Notes its CPU time, its lines on stderr and the time, for
# starved.
starve() {
	local n=0 log
	# valgrind needs descriptors of its own: the server runs without
	# it here (the run with SANITIZE=1 checks its memory).
	NO_VALGRIND=1 start_server "$@"
	while [[ -e /proc/$SERVER_PID/fd/$n ]]; do n=$((n + 1)); done
	prlimit --pid "$SERVER_PID" --nofile="$n"
	STARVE_CPU=$(cpu_ticks "$SERVER_PID")
	mapfile -t log <"$SERVER_ERR"
	STARVE_ERR=${#log[@]} STARVE_T=${EPOCHREALTIME/./}
}

# starved: since starve, the server's CPU time (CPU_MS), the wall time
# (MS) and its lines on stderr (ERR_LINES); the limit is then raised.
starved() {
	local log
	MS=$(((${EPOCHREALTIME/./} - STARVE_T) / 1000))
	CPU_MS=$((($(cpu_ticks "$SERVER_PID") - STARVE_CPU) * 10))
	mapfile -t log <"$SERVER_ERR"
	ERR_LINES=$((${#log[@]} - STARVE_ERR))
	prlimit --pid "$SERVER_PID" --nofile=1024
}

# wait_emfile: wait for the server to say its accept() ran out of
# descriptors; fails if it never does.
wait_emfile() {
	wait_for_line "$SERVER_ERR" '^[^:]+: accept .*: Too many open files$' 60 ||
		fail "accept() never ran out of descriptors: $(cat "$SERVER_ERR")"
}

# exhaustion KIND WANT SERVER ARGS...: starve SERVER, then two dozen
# clients connect at once and stay 3 s (hostile_peer's hold). WANT
# emfile, a one-to-one server: its accept() must fail with EMFILE, and
# the server say so (under 20 lines: no flooded log), not spin (CPU
# under a quarter of the wall time) nor exit; once the limit is raised
# again, a fresh client is served. WANT none, a one-to-many server: it
# needs no descriptor per association, so it serves them all and has
# nothing to say.
exhaustion() {
	local kind=$1 want=$2
	shift 2
	starve "$@"
	peer_send "$kind" hold=24
	if [[ $want == emfile ]]; then
		wait_emfile
		nap 2 # out of descriptors for a while
	else
		wait_for_line "$PEER_OUT" '^case hold ' 60
	fi
	starved
	peer_wait
	echo "# $kind with no descriptor to spare: ${CPU_MS} ms CPU in ${MS} ms, $ERR_LINES lines on stderr" >&3
	cases_ok hold
	assert_equal "$status" 0
	alive
	((CPU_MS * 4 < MS)) || fail "the server spun: ${CPU_MS} ms of CPU in ${MS} ms"
	if [[ $want == emfile ]]; then
		((ERR_LINES < 20)) || fail "$ERR_LINES lines on stderr: $(tail -n 3 "$SERVER_ERR")"
	else
		((ERR_LINES == 0)) || fail "it needed descriptors: $(tail -n 3 "$SERVER_ERR")"
	fi
}

@test "echo_server out of descriptors, 24 clients at once: accept() fails (EMFILE), it says so, neither spins nor floods its log, and serves again once it may" {
	exhaustion echo emfile "$TOP/echo/echo_server" -a 127.0.0.1 -p 0
}

@test "echo_server_many with no descriptor to spare, 24 clients at once: one-to-many, it needs none per association" {
	exhaustion echo_many none "$TOP/echo/echo_server_many" -a 127.0.0.1 -p 0
}

@test "multihome_server with no descriptor to spare, 24 clients at once: one-to-many, it needs none per association" {
	exhaustion multihome none "$TOP/multihome/multihome_server" -a 127.0.0.1 -p 0
}

# --- multihome_server (one-to-many, blocking) -----------------------------------

@test "multihome_server: no-data DATA, an ungranted stream, a message cut by ABORT, a vanished peer, 300 KB (over its 64 KiB), $CYCLES cycles, $FLOOD associations at once" {
	start_server "$TOP/multihome/multihome_server" -a 127.0.0.1 -p 0
	peer multihome $RAW_CASES big "cycles=$CYCLES" "flood=$FLOOD"
	cases_ok $RAW_CASES big "cycles=$CYCLES" "flood=$FLOOD"
	assert_equal "$status" 0
	grep -q 'dropped' "$SERVER_ERR"
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

@test "daytime_server: no-data DATA, an ungranted stream (it grants 1), a message cut by ABORT, a vanished peer, unwanted data, non-readers, $CYCLES cycles" {
	start_server "$TOP/daytime/daytime_server" -a 127.0.0.1 -p 0
	peer daytime $RAW_CASES big noread "cycles=$CYCLES"
	cases_ok $RAW_CASES big "cycles=$CYCLES"
	assert_line --partial "case stream-above ok 1 granted"
	assert_line --regexp '^case noread ok'
	assert_equal "$status" 0
	alive
	stop 143
}

@test "daytime_server: SIGTERM leaves no association to ABORT" {
	start_server "$TOP/daytime/daytime_server" -a 127.0.0.1 -p 0
	signal_test daytime TERM 143
}

@test "daytime_server out of descriptors, 24 clients at once: accept() fails (EMFILE), it says so, neither spins nor floods its log, and serves again once it may" {
	exhaustion daytime emfile "$TOP/daytime/daytime_server" -a 127.0.0.1 -p 0
}

# --- sctp_events (one-to-many, prints every notification) -------------------------

@test "sctp_events: no-data DATA, an ungranted stream, a message cut by ABORT, a vanished peer, 300 KB, $CYCLES cycles, $FLOOD associations at once, every event printed" {
	start_server "$TOP/events/sctp_events" -a 127.0.0.1 -p 0
	peer events $RAW_CASES big "cycles=$CYCLES" "flood=$FLOOD"
	cases_ok $RAW_CASES big "cycles=$CYCLES" "flood=$FLOOD"
	assert_equal "$status" 0
	# The cut message: its first part, then the event that ends it.
	grep -q 'PARTIAL_DELIVERY_EVENT' "$SERVER_OUT"
	alive
	stop 0
}

@test "sctp_events: SIGINT ends live associations with SHUTDOWN, not ABORT, and exits 0" {
	start_server "$TOP/events/sctp_events" -a 127.0.0.1 -p 0
	signal_test events INT 0
}

@test "sctp_events -S out of descriptors, 24 clients at once: accept() fails (EMFILE), it says so, neither spins nor floods its log, and serves again once it may" {
	exhaustion events emfile "$TOP/events/sctp_events" -S -a 127.0.0.1 -p 0
}

# --- assoc_server (one-to-one, one association at a time) -------------------------

# Not the vanished peer: assoc_server serves one association at a time
# (a lab, not a service), and stays with a silent one until its
# heartbeats give up, minutes later; the fresh client would wait as long.
@test "assoc_server: no-data DATA, an ungranted stream, a message cut by ABORT; after each a fresh client is served: end of file, the late answer refused" {
	start_server "$TOP/assoc/assoc_server" -a 127.0.0.1 -p 0
	peer assoc zero stream-above abort-mid
	cases_ok zero stream-above abort-mid
	assert_equal "$status" 0
	# The cut message: read in part, then the ABORT.
	grep -q ' recv: Connection reset by peer$' "$SERVER_OUT"
	alive
	stop 143
}

@test "assoc_server out of descriptors, 24 clients at once: accept() fails (EMFILE), it says so, neither spins nor floods its log; once it may, it serves each one that waited, then a fresh client" {
	exhaustion assoc emfile "$TOP/assoc/assoc_server" -a 127.0.0.1 -p 0
	# One at a time: the first held client got the descriptor its
	# accept() had taken before the limit came down, the others waited
	# in the backlog (SOMAXCONN). Gone by the time it could accept
	# them, each was accepted still, with a line of its own.
	assert_line --partial "24 of them without an error"
	assert_equal "$(grep -c ' association with ' "$SERVER_OUT")" 25
}

# --- stream_receiver (one association per run) ----------------------------------

# receiver_done [SECONDS]: wait for the one-shot receiver to finish; sets
# $status to its exit status.
receiver_done() {
	local limit=${1:-60} dog
	(sleep "$limit" && kill -KILL "$SERVER_PID") 2>/dev/null 3>&- &
	dog=$!
	status=0
	wait "$SERVER_PID" || status=$?
	kill "$dog" 2>/dev/null || true
	if ((status == 137)); then
		echo "stream_receiver still running after $limit s; its output:" >&2
		tail -n 5 "$SERVER_OUT" >&2
		return 1
	fi
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

@test "stream_receiver: DATA on a stream it never granted: an ERROR from the kernel, the message is not seen" {
	start_server "$TOP/multistream/stream_receiver" -a 127.0.0.1 -p 0 -i 4
	peer receiver stream-above
	assert_line --regexp '^case stream-above ok 4 granted'
	receiver_done
	assert_equal "$status" 1
	# Only the message on stream 0 arrived, and it is no sender header.
	assert_equal "$(grep -c 'a message of ' "$SERVER_ERR")" 1
	grep -q 'a message of 7 bytes on stream 0: shorter than the 24-byte header' "$SERVER_ERR"
}

@test "stream_receiver: a DATA chunk without data: the kernel ABORTs, the receiver reports" {
	start_server "$TOP/multistream/stream_receiver" -a 127.0.0.1 -p 0
	peer receiver zero
	assert_line --regexp '^case zero ok'
	receiver_done
	assert_equal "$status" 1
	# The reason (ECONNRESET, or ENOTCONN when the ABORT came before
	# accept() returned), and no message.
	cat "$SERVER_ERR"
	grep -qE '^stream_receiver: recvmsg: .+' "$SERVER_ERR"
	! grep -q ' message ' "$SERVER_OUT"
}

@test "stream_receiver: a message over its 64 KiB is refused with a reason, exit 1" {
	start_server "$TOP/multistream/stream_receiver" -a 127.0.0.1 -p 0
	peer receiver big
	receiver_done
	assert_equal "$status" 1
	grep -q 'a message longer than 65536 bytes' "$SERVER_ERR"
}

@test "stream_receiver: a header announcing 1,000,000 messages in 65,535 flows is printed like any other, within 60 s" {
	start_server "$TOP/multistream/stream_receiver" -a 127.0.0.1 -p 0
	peer receiver claim=1000000
	assert_line --regexp '^case claim ok'
	receiver_done 60
	assert_equal "$status" 0
	grep -q ' message 0/1000000 flow 0/65535 #0 stream 0 ordered ' "$SERVER_OUT"
	grep -q 'the sender shut down after 1 messages$' "$SERVER_OUT"
}

# stop_cont: stop the server and let it go on. With no handler for
# the signal, the call it was blocked in starts over (the kernel
# restarts it).
stop_cont() {
	local stat
	kill -STOP "$SERVER_PID"
	# Stopped first: a SIGCONT that comes before would cancel it.
	while read -r stat <"/proc/$SERVER_PID/stat" && [[ ${stat##*) } != T* ]]; do
		nap 0.05
	done
	kill -CONT "$SERVER_PID"
}

@test "stream_receiver with no descriptor to spare: accept() fails (EMFILE), once a second, neither spinning nor exiting; once it may, it takes the sender that waited, every message, exit 0" {
	starve "$TOP/multistream/stream_receiver" -a 127.0.0.1 -p 0
	# Its one accept() took its descriptor before the limit came down:
	# started over, it needs one it may not have.
	stop_cont
	wait_emfile
	# Meanwhile the kernel takes a sender's association into the
	# backlog and its messages into the buffer: the sender is done.
	run timeout 60 "$TOP/multistream/stream_sender" -p "$SERVER_PORT" -c 20 -r 0
	assert_success
	nap 2 # out of descriptors for a while
	alive
	starved
	echo "# stream_receiver with no descriptor to spare: ${CPU_MS} ms CPU in ${MS} ms, $ERR_LINES lines on stderr" >&3
	((CPU_MS * 4 < MS)) || fail "the receiver spun: ${CPU_MS} ms of CPU in ${MS} ms"
	# A line a second at most, the first at once.
	((ERR_LINES <= MS / 1000 + 1)) || fail "$ERR_LINES lines on stderr in $MS ms: $(tail -n 3 "$SERVER_ERR")"
	receiver_done
	assert_equal "$status" 0
	run cat "$SERVER_OUT"
	assert_line --regexp '^association from 127\.0\.0\.1 port [0-9]+: 4 inbound streams, 10 outbound$'
	assert_equal "$(grep -cE ' message [0-9]+/20 flow ' "$SERVER_OUT")" 20
	assert_line --regexp ' the sender shut down after 20 messages$'
}

@test "stream_receiver: SIGTERM with an idle association: SHUTDOWN, not ABORT" {
	start_server "$TOP/multistream/stream_receiver" -a 127.0.0.1 -p 0
	signal_test receiver TERM 143 1
}

# --- clients, toward a port with no listener -------------------------------------

@test "INIT toward a port with no listener gets an ABORT; every client gives up at once with a reason" {
	# Nobody listens for SCTP on the discard port (9) in this machine.
	local closed=9 c failed=0
	SERVER_PORT=$closed peer echo --closed-port "$closed" --no-fresh init-nolistener
	assert_line --regexp '^case init-nolistener ok'
	for c in "echo/echo_client -m hi" "daytime/daytime_client" \
		"multistream/stream_sender -c 1" "multihome/multihome_client -a 127.0.0.1 -c 1" \
		"events/provoke -a 127.0.0.1"; do
		# shellcheck disable=SC2086 # the words of $c on purpose
		run --separate-stderr timeout 20 "$TOP"/$c -p "$closed"
		echo "$c: status $status: $stderr"
		if ((status != 1)) || [[ $stderr != *"refused"* ]]; then
			failed=1
		fi
	done
	((failed == 0))
}
