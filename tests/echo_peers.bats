#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
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
	# Each server saw the message cut short: the one-to-one server's
	# child as the end of its association in the middle of a message,
	# the one-to-many server in a PARTIAL_DELIVERY_EVENT (aborted).
	grep -Eq "^echo_server: ::ffff:127\.0\.0\.1 port [0-9]+: recv: Connection reset by peer$" \
		"$BATS_TEST_TMPDIR/echo_server.err"
	grep -Eq "^echo_server_many: association [0-9]+: partial delivery aborted$" \
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
	# One-to-many: the shared send buffer filled, and the echo that
	# waited for room in vain (SO_SNDTIMEO) was the non-reader's.
	grep -Eq "^echo_server_many: association [0-9]+: not reading: aborting it$" "$SERVER_ERR"
}

@test "signals: SIGTERM in the middle of a run of 300 pipelined echoes: SHUTDOWN, the client sees the end, the server exits 0" {
	for server in "$ONE" "$MANY"; do
		SERVER_NAME=$(basename "$server") start_server "$server" -p 0
		start_bg run "$CLIENT" -p "$SERVER_PORT" -m tick -c 300
		local client_pid=$BG_PID rc=0
		wait_for_line "$BATS_TEST_TMPDIR/run.out" '^tick$'
		stop_pid "$SERVER_PID"
		assert_equal "$STOP_STATUS" 0
		# Either every echo came back first, or the client was told
		# the association ended (at a read, or at a send): no reset.
		wait "$client_pid" || rc=$?
		if ((rc != 0)); then
			run cat "$BATS_TEST_TMPDIR/run.err"
			assert_output --regexp "^echo_client: (the server closed the association after [0-9]+ echoes|sendmsg: Broken pipe)$"
		fi
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
		wait_for_line "$SERVER_OUT" "(after 20 messages|closed \(SHUTDOWN_COMP\))$"
	done
}
