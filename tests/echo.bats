#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# echo: the one-to-one and one-to-many servers, the client, the TCP twins
# (echo/README.md). Misbehaving peers and load: echo_peers.bats; the wire,
# SHUTDOWN and withsctp: echo_wire.bats.

bats_require_minimum_version 1.5.0

load test_helper
load lib/echo

teardown() {
	stop_all
}

@test "echo programs: -h prints usage on stdout, a bad option exits 2 with usage on stderr" {
	for prog in "$ONE" "$MANY" "$CLIENT" "$TCP_ONE" "$TCP_CLIENT"; do
		run --separate-stderr "$prog" -h
		assert_success
		assert_line --index 0 --regexp "^usage: $(basename "$prog") "
		run --separate-stderr "$prog" -Z
		assert_failure 2
		assert_output ""
		[[ $stderr == *"usage: $(basename "$prog") "* ]] || fail "no usage in: $stderr"
	done
	run --separate-stderr "$CLIENT" -p 70000
	assert_failure 2
	[[ $stderr == "echo_client: port: '70000' is not a number from 0 to 65535"* ]] || fail "$stderr"
	run --separate-stderr "$CLIENT" -m a -l 10
	assert_failure 2
	[[ $stderr == "echo_client: -m and -l: one or the other"* ]] || fail "$stderr"
}

@test "one-to-one server: each line of stdin comes back, the client exits 0" {
	start_server "$ONE" -p 0
	# No -a: every address, IPv6 and IPv4 (an IPv4 peer shows as ::ffff:).
	assert_equal "$(head -n1 "$SERVER_OUT")" "listening on :: port $SERVER_PORT"
	run --separate-stderr timeout "$CLIENT_TIMEOUT" "$CLIENT" -p "$SERVER_PORT" \
		< <(printf 'one\ntwo words\n\nlast, no newline')
	assert_success
	assert_output $'one\ntwo words\nlast, no newline'
	assert_equal "$stderr" "echo_client: line 3 is empty: SCTP has no empty messages, skipped"
	wait_for_line "$SERVER_OUT" "^closed ::ffff:127\.0\.0\.1 port [0-9]+ after 3 messages$"
	grep -Eq "^accepted ::ffff:127\.0\.0\.1 port [0-9]+$" "$SERVER_OUT"
}

@test "one-to-many server: -m messages repeated -c times come back in order" {
	start_server "$MANY" -p 0 -v
	client -p "$SERVER_PORT" -m alpha -m beta -c 3
	assert_success
	assert_output $'alpha\nbeta\nalpha\nbeta\nalpha\nbeta'
	wait_for_line "$SERVER_OUT" "^association [0-9]+ closed \(SHUTDOWN_COMP\)$"
	grep -Eq "^association [0-9]+ up: ::ffff:127\.0\.0\.1 port [0-9]+, 10 streams in, 10 out$" "$SERVER_OUT"
	assert_equal "$(grep -Ec '^association [0-9]+: [45] bytes on stream 0$' "$SERVER_OUT")" 6
}

# queued_tcp PORT BYTES: wait until the server side of the TCP connection
# on PORT holds BYTES unread bytes.
queued_tcp() {
	local deadline=$((SECONDS + 30)) q
	while :; do
		q=$(ss -Htn state established "( sport = :$1 )" | awk '{ print $1; exit }')
		[[ $q == "$2" ]] && return 0
		((SECONDS < deadline)) || fail "receive queue is '$q', not $2"
		nap 0.1
	done
}

# queued_sctp PORT: wait until an association on local PORT holds data.
queued_sctp() {
	local deadline=$((SECONDS + 30))
	until awk -v p="$1" '$12 == p && $9 > 0 { f = 1 } END { exit !f }' /proc/net/sctp/assocs; do
		((SECONDS < deadline)) || fail "no data queued on port $1"
		nap 0.1
	done
	nap 0.5 # the other two messages are right behind the first
}

@test "message boundaries: 3 messages queued at a stopped server come back as 3 over SCTP, as 1 over TCP" {
	# SCTP: the server is stopped while the three messages reach it.
	start_server "$ONE" -p 0
	kill -STOP "$SERVER_PID"
	start_bg sctp-client "$CLIENT" -p "$SERVER_PORT" -m one -m two -m three
	local client_pid=$BG_PID
	queued_sctp "$SERVER_PORT"
	kill -CONT "$SERVER_PID"
	local rc=0
	wait "$client_pid" || rc=$?
	assert_equal "$rc" 0
	assert_equal "$(cat "$BATS_TEST_TMPDIR/sctp-client.out")" $'one\ntwo\nthree'

	# TCP twin, same steps: one read returns all 11 bytes, one "echo".
	SERVER_NAME=tcp start_server "$TCP_ONE" -p 0
	kill -STOP "$SERVER_PID"
	start_bg tcp-client "$TCP_CLIENT" -p "$SERVER_PORT" -m one -m two -m three
	client_pid=$BG_PID
	queued_tcp "$SERVER_PORT" 11
	kill -CONT "$SERVER_PID"
	rc=0
	wait "$client_pid" || rc=$?
	assert_equal "$rc" 1
	assert_equal "$(cat "$BATS_TEST_TMPDIR/tcp-client.out")" "onetwothree"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/tcp-client.err")" \
		"tcp_echo_client: echo 1 differs from message 1 (3 bytes sent, 11 came back)"
}

@test "large messages: larger than the receive buffer, reassembled up to MSG_EOR, echoed intact by both servers" {
	local len=300000 rmem
	rmem=$(cat /proc/sys/net/core/rmem_default)
	((len > rmem)) || fail "the message ($len) should exceed the receive buffer ($rmem)"
	((len >= 262144)) || fail "at least 256 KiB"
	for server in "$ONE" "$MANY"; do
		SERVER_NAME=$(basename "$server") start_server "$server" -p 0 -v
		client -p "$SERVER_PORT" -l "$len" -c 3
		assert_success
		assert_output "$(printf 'echo %d: 300000 bytes\n' 1 2 3)"
		[ "$(grep -c " 300000 bytes on stream 0$" "$SERVER_OUT")" -eq 3 ]
	done
}

@test "a message larger than the send buffer fails at once with a clear error (Linux: EMSGSIZE)" {
	start_server "$ONE" -p 0
	SECONDS=0
	client -p "$SERVER_PORT" -l 1000000
	assert_failure 1
	assert_output ""
	[[ $stderr =~ ^"echo_client: message 1 (1000000 bytes) is larger than the send buffer (SO_SNDBUF "[0-9]+" bytes): sendmsg: Message too long"$ ]] ||
		fail "$stderr"
	((SECONDS < 20)) || fail "took $SECONDS s: it should fail at once"
	# A line from stdin that long is refused the same way.
	run --separate-stderr timeout "$CLIENT_TIMEOUT" "$CLIENT" -p "$SERVER_PORT" \
		< <(head -c 1000000 /dev/zero | tr '\0' x)
	assert_failure 1
	[[ $stderr =~ ^"echo_client: message 1 (1000000 bytes) is larger than the send buffer (SO_SNDBUF "[0-9]+" bytes): sendmsg: Message too long"$ ]] ||
		fail "$stderr"
	assert_still_echoes
}

@test "streams kept, notifications never echoed: a Python peer checks both servers" {
	# The peer fails on a wrong stream, and on any message after its
	# echoes (--linger): a notification echoed as data would be one.
	for server in "$ONE" "$MANY"; do
		SERVER_NAME=$(basename "$server") start_server "$server" -p 0 -v
		peer client -p "$SERVER_PORT" -m a -m bb -m ccc -m dddd -s 3 -s 5 -s 0 --linger 1
		assert_success
		assert_output $'echo stream 3 a\necho stream 5 bb\necho stream 0 ccc\necho stream 3 dddd\nok'
	done
	# The one-to-many server did get notifications: each association's
	# start and end. (The one-to-one server subscribes to none.)
	wait_for_line "$SERVER_OUT" "^association [0-9]+ up: "
	wait_for_line "$SERVER_OUT" "^association [0-9]+ closed \(SHUTDOWN_COMP\)$"
	# One-to-many on both ends: a SOCK_SEQPACKET peer, no connect().
	peer client --seqpacket -p "$SERVER_PORT" -m x -m y -s 9 -s 1
	assert_success
	assert_output $'echo stream 9 x\necho stream 1 y\nok'
}

@test "streams: the client checks the echo's stream (-s 7)" {
	start_server "$MANY" -p 0 -v
	client -v -p "$SERVER_PORT" -s 7 -m hello
	assert_success
	assert_output hello
	[[ $stderr == *"echo 1: 5 bytes on stream 7"* ]] || fail "$stderr"
	grep -Eq "^association [0-9]+: 5 bytes on stream 7$" "$SERVER_OUT"
}

@test "a stream the server did not grant is a clear error" {
	for server in "$ONE" "$MANY"; do
		SERVER_NAME=$(basename "$server") start_server "$server" -p 0 -i 4
		client -p "$SERVER_PORT" -s 6 -m x
		assert_failure 1
		assert_output ""
		assert_equal "$stderr" "echo_client: stream 6 was not granted: the server accepted 4 streams (0 to 3)"
		client -p "$SERVER_PORT" -s 3 -m x
		assert_success
	done
}

@test "IPv6: both servers and the client work over ::1" {
	for server in "$ONE" "$MANY"; do
		SERVER_NAME=$(basename "$server") start_server "$server" -a ::1 -p 0
		assert_equal "$(head -n1 "$SERVER_OUT")" "listening on ::1 port $SERVER_PORT"
		client -a ::1 -p "$SERVER_PORT" -m six -s 2
		assert_success
		assert_output six
		# Nothing answers on IPv4 there.
		client -a 127.0.0.1 -p "$SERVER_PORT" -m four
		assert_failure 1
	done
	grep -Eq "^association [0-9]+ up: ::1 port [0-9]+" "$SERVER_OUT"
}

@test "host names: -a localhost resolves with getaddrinfo(IPPROTO_SCTP); a refused connect is a clear error" {
	start_server "$ONE" -p 0
	client -v -a localhost -p "$SERVER_PORT" -m named
	assert_success
	assert_output named
	# The first address getaddrinfo() gives; the server has both.
	[[ $stderr =~ "connected to "(::1|127\.0\.0\.1)" port $SERVER_PORT over SCTP" ]] || fail "$stderr"
	stop_pid "$SERVER_PID"
	client -p "$SERVER_PORT" -m nobody
	assert_failure 1
	assert_equal "$stderr" "echo_client: connect to 127.0.0.1 port $SERVER_PORT: Connection refused"
}

@test "interop: our client against a Python SCTP server; socat against both servers" {
	SERVER_NAME=py start_server "${PEER[@]}" server -p 0
	client -p "$SERVER_PORT" -s 4 -m from -m python
	assert_success
	assert_output $'from\npython'
	for server in "$ONE" "$MANY"; do
		SERVER_NAME=$(basename "$server") start_server "$server" -p 0
		# shut-none: at the end of its input socat would half-close
		# (shutdown SHUT_WR); SCTP has no half-close, that is SHUTDOWN,
		# and the echo could no longer come back.
		run timeout "$CLIENT_TIMEOUT" socat -t 2 - "SCTP-CONNECT:127.0.0.1:$SERVER_PORT,shut-none" <<<"via socat"
		assert_success
		assert_output "via socat"
	done
}

@test "one-to-many: -t closes an idle association (SCTP_AUTOCLOSE), gracefully" {
	start_server "$MANY" -p 0 -t 1
	start_peer idle hold -p "$SERVER_PORT"
	wait_for_line "$SERVER_OUT" "^association [0-9]+ closed \(SHUTDOWN_COMP\)$"
	wait_for_line "$PEER_OUT" "^eof$"
}

@test "TCP twins: the same sources built with -DUSE_TCP speak TCP" {
	start_server "$TCP_ONE" -p 0
	ss -Htln "( sport = :$SERVER_PORT )" | grep -q LISTEN || fail "no TCP listener on $SERVER_PORT"
	run --separate-stderr timeout "$CLIENT_TIMEOUT" "$TCP_CLIENT" -v -p "$SERVER_PORT" <<<"over tcp"
	assert_success
	assert_output "over tcp"
	[[ $stderr == *"over TCP"* ]] || fail "$stderr"
	# TCP has a single byte stream.
	run --separate-stderr "$TCP_CLIENT" -p "$SERVER_PORT" -s 1 -m x
	assert_failure 1
	assert_equal "$stderr" "tcp_echo_client: stream 1: TCP has only one stream"
}
