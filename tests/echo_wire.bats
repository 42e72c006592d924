#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# echo on the wire: SIGTERM ends associations with SHUTDOWN (not ABORT),
# and TCP programs run under lksctp's withsctp speak SCTP, unchanged
# (echo/README.md).

bats_require_minimum_version 1.5.0

load test_helper
load lib/echo

teardown() {
	stop_all
	[[ -z ${WWW:-} ]] || rm -rf "$WWW"
	[[ -z ${SSHD_DIR:-} ]] || rm -rf "$SSHD_DIR"
}

# sctp_port_of PID: the local port of the SCTP endpoint that process PID
# holds, found by socket inode in /proc/net/sctp/eps (empty if none).
sctp_port_of() {
	local inodes
	inodes=$(find "/proc/$1/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null |
		sed 's/socket:\[\([0-9]*\)\]/\1/' | tr '\n' ' ')
	awk -v inodes=" $inodes" 'NR > 1 && index(inodes, " " $8 " ") { print $6; exit }' \
		/proc/net/sctp/eps
}

# chunks_by PCAP PORT: "server TYPE" or "client TYPE" per chunk of the
# associations on PORT, decoded by tshark (one run: it is slow to start).
chunks_by() {
	local lines
	lines=$(tshark -r "$1" -Y "sctp.port == $2" -T fields -E occurrence=a \
		-e sctp.srcport -e sctp.chunk_type 2>/dev/null |
		awk -v port="$2" '{
			n = split($2, t, ",")
			for (i = 1; i <= n; i++)
				print ($1 == port ? "server" : "client") "\t" t[i]
		}')
	paste -d' ' <(cut -f1 <<<"$lines") <(cut -f2 <<<"$lines" | chunk_names)
}

@test "SIGTERM: both servers end live associations with SHUTDOWN, never ABORT" {
	local ports=() pcap=$BATS_TEST_TMPDIR/shutdown.pcap
	dumpcap_start sctp "$pcap"
	for server in "$ONE" "$MANY"; do
		SERVER_NAME=$(basename "$server") start_server "$server" -p 0
		start_peer "held-$(basename "$server")" hold -p "$SERVER_PORT"
		client -p "$SERVER_PORT" -m before
		assert_success
		stop_pid "$SERVER_PID" TERM
		assert_equal "$STOP_STATUS" 0
		wait_for_line "$PEER_OUT" "^eof$"
		# One-to-one: the held association's child said so as it ended.
		wait_for_line "$SERVER_OUT" "^(stopped after 1 messages|closed .* after 0 messages)$"
		ports+=("$SERVER_PORT")
	done
	capture_stop
	for port in "${ports[@]}"; do
		run chunks_by "$pcap" "$port"
		assert_line "server SHUTDOWN"
		assert_line "client SHUTDOWN_ACK"
		assert_line "server SHUTDOWN_COMPLETE"
		refute_line --partial "ABORT"
	done
}

@test "withsctp: the TCP twin, unchanged, speaks SCTP (its socket is in /proc/net/sctp/eps, none in TCP's)" {
	start_server withsctp "$TCP_ONE" -p 0
	# The listening socket is an SCTP endpoint, and no TCP one exists.
	assert_equal "$(sctp_port_of "$SERVER_PID")" "$SERVER_PORT"
	run ss -Htln "( sport = :$SERVER_PORT )"
	assert_output ""
	# The TCP twin client under withsctp, and our SCTP client, both talk to it.
	run --separate-stderr timeout "$CLIENT_TIMEOUT" withsctp "$TCP_CLIENT" -p "$SERVER_PORT" -m "tcp code, sctp wire"
	assert_success
	assert_output "tcp code, sctp wire"
	client -p "$SERVER_PORT" -m "from a real SCTP client"
	assert_success
	assert_output "from a real SCTP client"
	# The client says what its socket really is (SO_PROTOCOL), not what
	# it was built for: the TCP twin under withsctp says SCTP (and plain,
	# TCP: echo.bats, "TCP twins").
	run --separate-stderr timeout "$CLIENT_TIMEOUT" withsctp "$TCP_CLIENT" -v -p "$SERVER_PORT" -m x
	assert_success
	[[ $stderr == *"port $SERVER_PORT over SCTP"* ]] || fail "$stderr"
}

@test "withsctp: an unmodified HTTP server and client (webfsd, curl) carried over SCTP: the HTTP in DATA chunks, next to TCP (tshark)" {
	command -v webfsd >/dev/null || fail "webfsd not installed (Debian package webfs)"
	WWW=$(mktemp -d /tmp/echo-www.XXXXXX)
	chmod 755 "$WWW"
	echo "hello over SCTP" >"$WWW/hello.txt"
	chmod 644 "$WWW/hello.txt"
	# -F: stay in the foreground; -p 0: the kernel picks the port.
	start_bg webfsd withsctp webfsd -F -4 -i 127.0.0.1 -p 0 -r "$WWW"
	local pid=$BG_PID port deadline=$((SECONDS + 30))
	until port=$(sctp_port_of "$pid") && [[ -n $port ]]; do
		((SECONDS < deadline)) || fail "webfsd has no SCTP endpoint: $(cat "$BATS_TEST_TMPDIR/webfsd.err")"
		nap 0.1
	done
	# The same server, plain, over TCP: the exchange to compare with.
	start_bg tcp-webfsd webfsd -F -4 -i 127.0.0.1 -p 0 -r "$WWW"
	local tpid=$BG_PID tport
	until tport=$(ss -Htlnp | awk -v pid="pid=$tpid," 'index($0, pid) { sub(/.*:/, "", $4); print $4; exit }') &&
		[[ -n $tport ]]; do
		((SECONDS < deadline)) || fail "the plain webfsd does not listen: $(cat "$BATS_TEST_TMPDIR/tcp-webfsd.err")"
		nap 0.1
	done
	dumpcap_start "sctp port $port or tcp port $tport"
	run timeout "$CLIENT_TIMEOUT" withsctp curl -sS "http://127.0.0.1:$port/hello.txt"
	assert_success
	assert_output "hello over SCTP"
	run timeout "$CLIENT_TIMEOUT" curl -sS "http://127.0.0.1:$tport/hello.txt"
	assert_success
	assert_output "hello over SCTP"
	capture_stop
	# Plain curl speaks TCP, and nothing listens on TCP there.
	run timeout "$CLIENT_TIMEOUT" curl -sS "http://127.0.0.1:$port/hello.txt"
	assert_failure 7
	# On the wire (echo/README.md shows it): the request and the response
	# in SCTP DATA chunks (type 0, maybe bundled with a SACK), and the same
	# over TCP in segments; tshark knows HTTP on port 80 only, hence -d.
	run tshark -r "$CAPTURE_FILE" -d "sctp.port==$port,http" -d "tcp.port==$tport,http" -Y http \
		-T fields -e frame.protocols -e sctp.chunk_type -e http.request.method -e http.response.code
	assert_success
	local data='([0-9]+,)*0(,[0-9]+)*' tab=$'\t'
	assert_line --regexp "^eth:ethertype:ip:sctp:http$tab$data${tab}GET$tab\$"
	assert_line --regexp "^eth:ethertype:ip:sctp:http[^$tab]*$tab$data$tab${tab}200\$"
	assert_line --regexp "^eth:ethertype:ip:tcp:http$tab${tab}GET$tab\$"
	assert_line --regexp "^eth:ethertype:ip:tcp:http[^$tab]*$tab$tab${tab}200\$"
	# Each of webfsd's two writes (headers, file) is an SCTP message: the
	# file comes in a DATA chunk of its own; over TCP, one response.
	assert_line --regexp "^eth:ethertype:ip:sctp:http:data$tab$data$tab$tab\$"
}

@test "withsctp: an unmodified OpenSSH server and client (sshd, ssh) carried over SCTP" {
	[[ -x /usr/sbin/sshd ]] || fail "sshd not installed (Debian package openssh-server)"
	command -v ssh >/dev/null || fail "ssh not installed (Debian package openssh-client)"
	# The suite runs as root (tests/run); a skip would prove nothing.
	((EUID == 0)) || fail "sshd needs root (privilege separation)"
	SSHD_DIR=$(mktemp -d /tmp/echo-sshd.XXXXXX)
	ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/host"
	ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/key"
	# Its privilege separation directory (the package's tmpfiles.d makes it).
	mkdir -p /run/sshd
	# sshd takes no port 0: one below the ephemeral range.
	local port=$((20000 + RANDOM % 10000))
	# -f /dev/null: no configuration file, only these options.
	start_bg sshd withsctp /usr/sbin/sshd -D -e -f /dev/null -h "$SSHD_DIR/host" \
		-p "$port" -o ListenAddress=127.0.0.1 -o AuthorizedKeysFile="$SSHD_DIR/key.pub" \
		-o UsePAM=no -o StrictModes=no
	# sshd -e ends its lines with \r\n.
	wait_for_line "$BATS_TEST_TMPDIR/sshd.err" "^Server listening on 127\.0\.0\.1 port $port\."
	assert_equal "$(sctp_port_of "$BG_PID")" "$port"
	local ssh=(ssh -p "$port" -i "$SSHD_DIR/key" -o StrictHostKeyChecking=no
		-o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR)
	# The command run over the session finds the association it rides on.
	run --separate-stderr timeout "$CLIENT_TIMEOUT" withsctp "${ssh[@]}" root@127.0.0.1 \
		"ss -Hn --sctp state established '( dport = :$port )'"
	assert_success
	assert_line --regexp "^0 +0 +127\.0\.0\.1:[0-9]+ +127\.0\.0\.1:$port\$"
	wait_for_line "$BATS_TEST_TMPDIR/sshd.err" "^Accepted publickey for root from 127\.0\.0\.1 "
	# Plain ssh speaks TCP, and nothing listens on TCP there.
	run ss -Htln "( sport = :$port )"
	assert_output ""
	run --separate-stderr timeout "$CLIENT_TIMEOUT" "${ssh[@]}" root@127.0.0.1 true
	assert_failure 255
	[[ $stderr == *"port $port: Connection refused"* ]] || fail "not refused: $stderr"
}

@test "withsctp only rewrites socket(..., SOCK_STREAM, ...): Python's http.server (SOCK_CLOEXEC) stays on TCP" {
	start_bg pyhttp withsctp "$PY" -u -m http.server -b 127.0.0.1 0
	wait_for_line "$BATS_TEST_TMPDIR/pyhttp.out" "^Serving HTTP on 127.0.0.1 port [0-9]+"
	local port
	port=$(sed -nE 's/^Serving HTTP on 127.0.0.1 port ([0-9]+).*/\1/p' "$BATS_TEST_TMPDIR/pyhttp.out")
	run ss -Htln "( sport = :$port )"
	assert_output --partial "127.0.0.1:$port"
	assert_equal "$(sctp_port_of "$BG_PID")" ""
}
