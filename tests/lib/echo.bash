# SPDX-License-Identifier: 0BSD
# tests/lib/echo.bash - helpers shared by tests/echo*.bats.
#
# Load after test_helper:  load test_helper; load lib/echo

ECHO_DIR=$TOP/echo
ONE=$ECHO_DIR/echo_server        # one-to-one (SOCK_STREAM)
MANY=$ECHO_DIR/echo_server_many  # one-to-many (SOCK_SEQPACKET)
CLIENT=$ECHO_DIR/echo_client
TCP_ONE=$ECHO_DIR/tcp_echo_server
TCP_CLIENT=$ECHO_DIR/tcp_echo_client

# Debian's own interpreter: a version-manager shim in front of python3 can
# take tens of seconds to start under emulation.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
PEER=("$PY" "$TOP/tests/lib/echo_peer.py")

# Seconds any one client may take; generous, the VM is emulated.
CLIENT_TIMEOUT=${CLIENT_TIMEOUT:-60}

# client ARGS...: run the echo client (under `run`, stderr apart).
client() {
	run --separate-stderr timeout "$CLIENT_TIMEOUT" "$CLIENT" "$@"
}

# peer MODE ARGS...: run the Python peer (under `run`).
peer() {
	run --separate-stderr timeout "$CLIENT_TIMEOUT" "${PEER[@]}" "$@"
}

# start_peer NAME MODE ARGS...: the Python peer in the background; waits
# for its first line (it has connected) and sets PEER_PID, PEER_OUT.
start_peer() {
	local name=$1
	shift
	# No `timeout` wrapper: stop_all must be able to kill the peer itself
	# (the peer gives up on its own after a few minutes).
	start_bg "$name" "${PEER[@]}" "$@"
	PEER_PID=$BG_PID
	PEER_OUT=$BATS_TEST_TMPDIR/$name.out
	wait_for_line "$PEER_OUT" '.' || {
		cat "$BATS_TEST_TMPDIR/$name.err" >&2
		return 1
	}
}

# assert_still_echoes: the server in SERVER_PORT serves a new client.
assert_still_echoes() {
	client -p "$SERVER_PORT" -m "still here" -m "and again"
	assert_success
	assert_output $'still here\nand again'
}

# note TEXT: a line in the bats output (TAP comment), for measurements.
note() {
	echo "# $*" >&3
}
