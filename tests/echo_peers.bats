#!/usr/bin/env bats
# echo: misbehaving peers never take a server down, and 100 clients at
# once all get their echoes (echo/README.md, "Misbehaving peers"). The
# rest of that table (a peer that vanishes, a message over the send
# buffer, 1,000 connect/abort cycles) is tests/hostile.bats', which runs
# it against every server.

bats_require_minimum_version 1.5.0

load test_helper
load lib/echo

teardown() {
	stop_all
}

@test "a peer that aborts in the middle of a large message: both servers go on" {
	for server in "$ONE" "$MANY"; do
		SERVER_NAME=$(basename "$server") start_server "$server" -p 0
		# Stopped, the server cannot drain its receive window: only part
		# of the 400000-byte message gets in before the ABORT.
		kill -STOP "$SERVER_PID"
		peer partial -p "$SERVER_PORT" -l 400000 -w 1
		kill -CONT "$SERVER_PID"
		assert_success
		assert_output $'queued 400000 bytes\naborted'
		assert_still_echoes
		kill -0 "$SERVER_PID"
	done
	# Each server saw part of the message before the ABORT.
	grep -Eq "^echo_server: 127\.0\.0\.1 port [0-9]+: [0-9]+ bytes of an unfinished message dropped$" \
		"$BATS_TEST_TMPDIR/echo_server.err"
	grep -Eq "^echo_server_many: association [0-9]+ \(127\.0\.0\.1 port [0-9]+\): message cut short \(partial delivery aborted\)$" \
		"$BATS_TEST_TMPDIR/echo_server_many.err"
}

@test "a peer that sends and never reads does not block the others" {
	for server in "$ONE" "$MANY"; do
		SERVER_NAME=$(basename "$server") start_server "$server" -p 0
		# Far more than its receive buffer and our send buffer hold.
		start_peer hog hog -p "$SERVER_PORT" -l 3000000 -w 2
		wait_for_line "$PEER_OUT" "bytes"
		SECONDS=0
		assert_still_echoes
		note "$(basename "$server"): a reading client served in ${SECONDS}s while a peer did not read"
		kill -0 "$SERVER_PID"
	done
	# One-to-many: the shared send buffer filled, so the server dropped
	# the peer whose window stayed closed.
	grep -q "not reading (receive window closed while the shared send buffer is full): aborting it" "$SERVER_ERR"
}

@test "signals: SIGPIPE is ignored, EINTR is retried (a SIGUSR1 storm during a run)" {
	for server in "$ONE" "$MANY"; do
		SERVER_NAME=$(basename "$server") start_server "$server" -p 0
		kill -PIPE "$SERVER_PID"
		start_bg run "$CLIENT" -p "$SERVER_PORT" -m tick -c 300
		local client_pid=$BG_PID i
		for ((i = 0; i < 20; i++)); do
			kill -USR1 "$SERVER_PID"
			read -rt 0.05 <> <(:) || true # a sleep without a process
		done
		local rc=0
		wait "$client_pid" || rc=$?
		assert_equal "$rc" 0
		assert_equal "$(grep -c '^tick$' "$BATS_TEST_TMPDIR/run.out")" 300
		kill -0 "$SERVER_PID"
		grep -Eq "^stats: [0-9]+ (clients|associations), [0-9]+ messages, [0-9]+ bytes$" "$SERVER_OUT"
		stop_pid "$SERVER_PID"
		assert_equal "$STOP_STATUS" 0
	done
}

@test "100 simultaneous clients each get all their echoes, on both servers" {
	local server rate
	for server in "$ONE" "$MANY"; do
		SERVER_NAME=$(basename "$server") start_server "$server" -p 0
		# One process drives the 100 associations: 100 separate client
		# processes cost far more to start than to run under emulation.
		peer swarm -p "$SERVER_PORT" -c 100 -n 20
		assert_success
		assert_line "100 of 100 clients got all their echoes"
		rate=$(sed -n 's/^2000 echoes in .*: \([0-9]*\) per second$/\1/p' <<<"$output")
		[[ -n $rate ]] || fail "$output"
		note "$(basename "$server"): 100 clients x 20 messages: $rate echoes per second"
		wait_for_line "$SERVER_OUT" "after 20 messages$"
	done
}
