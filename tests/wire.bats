#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# What happens on the wire: the lessons of SCTP's association life cycle,
# each proven on a real capture of loopback (README.md, "What happens on
# the wire").
#
#   - the four-way handshake with its state cookie, and verification tags
#   - DATA bundled with COOKIE_ECHO: implicit setup on a one-to-many socket
#   - graceful shutdown without half-close, and ABORT instead of it
#   - no TIME_WAIT: a server restarts on its port at once (TCP cannot)
#   - one wildcard listener for every address, IPv4 and IPv6
#   - a firewall that admits SCTP to one port only
#
# One tshark runs for the whole file (tests/lib/pcap.bash says why); each
# test picks its packets out by its own ephemeral port. The lessons of an
# association's life (implicit setup, no half-close, ABORT, no TIME_WAIT)
# are assoc_server's and assoc_client's options (assoc/README.md); where a
# lesson needs a socket call no program of the suite makes (SO_REUSEADDR
# on both TCP sockets, the SCTP_RTOINFO of a connect that must fail), a
# few lines of Python make it, visibly, in the test.

bats_require_minimum_version 1.5.0

load test_helper
load lib/pcap

# Debian's own Python: the socket module has IPPROTO_SCTP (but not the
# SCTP option names, so the numbers of linux/sctp.h appear below). A
# version manager's python3 shim on PATH can take many seconds to start
# under emulation; -S (no site-packages: the standard library is all we
# use) saves a little more.
PYTHON=${PYTHON:-/usr/bin/python3}
ASSOC_SERVER=$TOP/assoc/assoc_server
ASSOC_CLIENT=$TOP/assoc/assoc_client

setup_file() {
	wire_start "$BATS_FILE_TMPDIR/wire" "sctp or tcp"
	# For the tests: each one finds the capture through these.
	export WIRE_DIR WIRE_PCAP WIRE_TEXT WIRE_PID
}

teardown_file() {
	wire_stop
	# SCTP_WIRE_KEEP=DIR keeps the capture (in the VM: with SCTP_VM_EXPORT).
	[ -z "${SCTP_WIRE_KEEP:-}" ] || cp "$WIRE_PCAP" "$SCTP_WIRE_KEEP/wire.pcap"
}

setup() {
	NFT_TABLE=
}

teardown() {
	[ -z "$NFT_TABLE" ] || nft delete table inet "$NFT_TABLE" 2>/dev/null || true
	stop_all
}

@test "the handshake is INIT, INIT_ACK, COOKIE_ECHO, COOKIE_ACK, and every later packet carries the tag its receiver chose" {
	start_server "$TOP/echo/echo_server" -a 127.0.0.1 -p 0
	run timeout 20 "$TOP/echo/echo_client" -p "$SERVER_PORT" -m hello
	assert_success
	assert_output hello
	wire_sync

	run wire_packets "$SERVER_PORT"
	# A one-to-one client connect()s first: the handshake carries no data.
	assert_equal "${lines[0]}" "> INIT"
	assert_equal "${lines[1]}" "< INIT_ACK"
	assert_equal "${lines[2]}" "> COOKIE_ECHO"
	assert_equal "${lines[3]}" "< COOKIE_ACK"
	assert_equal "${lines[4]}" "> DATA/0"

	# INIT carries tag 0 (the peer has chosen none yet) and the client's
	# Initiate Tag; INIT_ACK carries the server's. From then on each side
	# puts the OTHER side's choice in every packet it sends.
	local client_tag server_tag
	client_tag=$(wire_sctp "$SERVER_PORT" | awk -F'\t' '$7 == "1" { print $8 }')
	server_tag=$(wire_sctp "$SERVER_PORT" | awk -F'\t' '$7 == "2" { print $9 }')
	[[ $client_tag =~ ^0x[0-9a-f]{8}$ && $server_tag =~ ^0x[0-9a-f]{8}$ ]] ||
		fail "no Initiate Tags: '$client_tag' '$server_tag'"
	run awk -F'\t' 'NR == 1 { print $6 }' <<<"$(wire_sctp "$SERVER_PORT")"
	assert_output 0x00000000
	run awk -F'\t' -v port="$SERVER_PORT" -v c="$client_tag" -v s="$server_tag" '
		NR > 1 && $5 == port && $6 != s { print "to the server with tag " $6 ": " $0 }
		NR > 1 && $3 == port && $6 != c { print "to the client with tag " $6 ": " $0 }
		' <<<"$(wire_sctp "$SERVER_PORT")"
	assert_output ""
	# ... and there were packets to check: handshake, data, shutdown.
	run wire_packets "$SERVER_PORT"
	((${#lines[@]} >= 9)) || fail "only ${#lines[@]} packets"
	assert_equal "${lines[${#lines[@]} - 1]}" "> SHUTDOWN_COMPLETE"
}

@test "a one-to-many client that sends without connecting bundles its DATA into the COOKIE_ECHO packet" {
	start_server "$TOP/echo/echo_server_many" -a 127.0.0.1 -p 0
	# No connect(): sendto() an address with no association sets one up
	# (implicit setup), and the message waits for the cookie to go out.
	run timeout 20 "$ASSOC_CLIENT" -I -p "$SERVER_PORT" -m "first words"
	assert_success
	assert_line --regexp '^[0-9:.]+ received first words$'
	wire_sync

	run wire_packets "$SERVER_PORT"
	assert_equal "${lines[0]}" "> INIT"
	assert_equal "${lines[1]}" "< INIT_ACK"
	# One packet, one frame: the cookie and the first message together.
	assert_equal "${lines[2]}" "> COOKIE_ECHO+DATA/0"
	[[ ${lines[3]} == "< COOKIE_ACK"* ]] || fail "no COOKIE_ACK after it: ${lines[3]}"
	run awk -F'\t' '$7 == "10,0" { n++ } END { print n + 0 }' <<<"$(wire_sctp "$SERVER_PORT")"
	assert_output 1
}

# The no-half-close experiment, run on SCTP and on TCP (-T): the client
# calls shutdown(SHUT_WR), the server reads end-of-file and then tries to
# answer (assoc/README.md, step 2).
@test "SHUTDOWN, SHUTDOWN_ACK, SHUTDOWN_COMPLETE: no half-close, the peer cannot send after it (TCP can)" {
	local sctp_port tcp_port
	start_server "$ASSOC_SERVER" -a 127.0.0.1 -p 0
	sctp_port=$SERVER_PORT
	run timeout 30 "$ASSOC_CLIENT" -p "$sctp_port" -m question
	assert_success
	assert_line --regexp '^[0-9:.]+ association gone after 0 bytes: CLOSED$'
	wait_for_line "$SERVER_OUT" 'send after end of file'
	run cat "$SERVER_OUT"
	assert_line --regexp '^[0-9:.]+ end of file after 8 bytes'
	assert_line --regexp '^[0-9:.]+ send after end of file: Broken pipe$'
	SERVER_NAME=tcp start_server "$ASSOC_SERVER" -T -a 127.0.0.1 -p 0
	tcp_port=$SERVER_PORT
	run timeout 30 "$ASSOC_CLIENT" -T -p "$tcp_port" -m question
	assert_success
	assert_line --regexp '^[0-9:.]+ end of file after 11 bytes$' # "late answer"
	wait_for_line "$SERVER_OUT" 'send after end of file'
	run cat "$SERVER_OUT"
	assert_line --regexp '^[0-9:.]+ end of file after 8 bytes$'
	assert_line --regexp '^[0-9:.]+ send after end of file: 11 bytes sent$'
	wire_sync

	# shutdown(SHUT_WR) on a one-to-one SCTP socket starts the shutdown
	# of the whole association: three chunks, and no DATA after the first.
	run wire_packets "$sctp_port"
	local n=${#lines[@]}
	assert_equal "${lines[n - 3]}" "> SHUTDOWN"
	assert_equal "${lines[n - 2]}" "< SHUTDOWN_ACK"
	assert_equal "${lines[n - 1]}" "> SHUTDOWN_COMPLETE"

	# TCP: after the client's FIN, the server's 11 bytes still flow. (FIN
	# is bit 0 of the flags: their last hex digit is odd.)
	run awk -F'\t' -v port="$tcp_port" '
		$5 == port && index("13579bdf", substr($6, length($6))) { fin = 1 }
		fin && $3 == port && $7 == 11 { print "data after FIN" }' \
		<<<"$(wire_tcp "$tcp_port")"
	assert_output "data after FIN"
}

@test "close() with SO_LINGER {1, 0}, or with data unread, sends ABORT instead of SHUTDOWN" {
	local linger_port unread_port port
	# -X: SO_LINGER {1, 0}, then close().
	start_server "$ASSOC_SERVER" -a 127.0.0.1 -p 0
	linger_port=$SERVER_PORT
	run timeout 30 "$ASSOC_CLIENT" -p "$linger_port" -X
	assert_success
	wait_for_line "$SERVER_OUT" ' recv: '
	run cat "$SERVER_OUT"
	assert_line --regexp '^[0-9:.]+ recv: Connection reset by peer$'
	# -U: close() with the data of a server that sends at once (-Q)
	# arrived and unread.
	SERVER_NAME=filler start_server "$ASSOC_SERVER" -Q -a 127.0.0.1 -p 0
	unread_port=$SERVER_PORT
	run timeout 30 "$ASSOC_CLIENT" -p "$unread_port" -U
	assert_success
	# The ABORT meets the server in recv() (ECONNRESET), or still in its
	# sends: then a send fails, the association CLOSED (the wire shows
	# the ABORT below).
	wait_for_line "$SERVER_OUT" ' recv: Connection reset by peer$| queued [0-9]+ bytes: .+: CLOSED$'
	run cat "$SERVER_OUT"
	assert_line --regexp '^[0-9:.]+ (recv: Connection reset by peer|queued [0-9]+ bytes: .+: CLOSED)$'
	wire_sync

	for port in "$linger_port" "$unread_port"; do
		run wire_packets "$port"
		assert_equal "${lines[3]}" "< COOKIE_ACK"
		# The client's last word is ABORT, and nobody says SHUTDOWN.
		refute_line --partial SHUTDOWN
		run grep '^>' <<<"$output"
		assert_equal "${lines[${#lines[@]} - 1]}" "> ABORT"
	done
	run wire_packets "$linger_port"
	assert_equal "${lines[${#lines[@]} - 1]}" "> ABORT"
}

# A one-shot server, PROTO (sctp or tcp) REUSE (1: set SO_REUSEADDR):
# binds 127.0.0.1 on a port the kernel picks, prints the listening line,
# answers one client ("pong"), and closes first, as a server that stops
# does. Then it exits.
ONESHOT='
import socket, sys
proto = {"sctp": socket.IPPROTO_SCTP, "tcp": socket.IPPROTO_TCP}[sys.argv[1]]
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, int(sys.argv[2]))
s.bind(("127.0.0.1", 0))
s.listen(1)
print("listening on 127.0.0.1 port", s.getsockname()[1], flush=True)
c, _ = s.accept()
c.recv(100)
c.sendall(b"pong")
c.close()
s.close()
'

# The server restarting, PROTO PORT: can a new socket bind PORT, first
# without SO_REUSEADDR, then with it?
REBIND='
import errno, socket, sys
proto = {"sctp": socket.IPPROTO_SCTP, "tcp": socket.IPPROTO_TCP}[sys.argv[1]]
for reuse, how in ((0, "without"), (1, "with")):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, reuse)
    try:
        s.bind(("127.0.0.1", int(sys.argv[2])))
        s.listen(1)
        print("bind", how, "SO_REUSEADDR: ok")
    except OSError as e:
        print("bind", how, "SO_REUSEADDR:", errno.errorcode[e.errno])
    s.close()
'

# A client for it: PROTO PORT. Sends "ping", prints the answer, waits for
# the server to close, then closes too.
PING='
import socket, sys
proto = {"sctp": socket.IPPROTO_SCTP, "tcp": socket.IPPROTO_TCP}[sys.argv[1]]
c = socket.socket(socket.AF_INET, socket.SOCK_STREAM, proto)
c.connect(("127.0.0.1", int(sys.argv[2])))
c.sendall(b"ping")
print(c.recv(100).decode())
c.settimeout(10)
print("server closed" if c.recv(100) == b"" else "more data?")
c.close()
'

# serve_once PROTO REUSE: a one-shot server, one client served by it, and
# the server gone. Sets SERVER_PORT.
serve_once() {
	start_server "$PYTHON" -S -c "$ONESHOT" "$1" "$2"
	run timeout 20 "$PYTHON" -S -c "$PING" "$1" "$SERVER_PORT"
	assert_success
	assert_output $'pong\nserver closed'
	stop_pid "$SERVER_PID"
	assert_equal "$STOP_STATUS" 0
}

@test "no TIME_WAIT: a stopped SCTP server restarts on its port at once, without SO_REUSEADDR" {
	# -B: the server ends the association itself (it closes first, as a
	# server that stops does), then binds its port again, without
	# SO_REUSEADDR, and exits. -W: the client waits for that.
	start_server "$ASSOC_SERVER" -B -a 127.0.0.1 -p 0
	run timeout 20 "$ASSOC_CLIENT" -p "$SERVER_PORT" -W
	assert_success
	assert_line --regexp '^[0-9:.]+ end of file after 0 bytes: CLOSED$'
	wait "$SERVER_PID"
	run cat "$SERVER_OUT"
	assert_line --index 3 "listening on 127.0.0.1 port $SERVER_PORT"
	wire_sync
	# The server closed first, and the shutdown completed: that is all.
	run wire_packets "$SERVER_PORT"
	local n=${#lines[@]}
	assert_equal "${lines[n - 3]}" "< SHUTDOWN"
	assert_equal "${lines[n - 2]}" "> SHUTDOWN_ACK"
	assert_equal "${lines[n - 1]}" "< SHUTDOWN_COMPLETE"

	# And again from another process, now that it has gone.
	run timeout 20 "$PYTHON" -S -c "$REBIND" sctp "$SERVER_PORT"
	assert_success
	assert_line --index 0 "bind without SO_REUSEADDR: ok"
}

@test "the TCP twin cannot: its port stays in TIME_WAIT, EADDRINUSE unless both sockets set SO_REUSEADDR" {
	serve_once tcp 0
	# The side that closed first keeps the connection in TIME_WAIT
	# (60 s on Linux), and with it the port.
	run ss -Htan state time-wait "( sport = :$SERVER_PORT )"
	assert_output --partial "127.0.0.1:$SERVER_PORT"
	run timeout 20 "$PYTHON" -S -c "$REBIND" tcp "$SERVER_PORT"
	assert_success
	assert_line --index 0 "bind without SO_REUSEADDR: EADDRINUSE"
	# On Linux SO_REUSEADDR on the new socket alone is not enough: the
	# one in TIME_WAIT must have had it too.
	assert_line --index 1 "bind with SO_REUSEADDR: EADDRINUSE"

	# Both with SO_REUSEADDR, as TCP servers do (tcp_echo_server too):
	# the restart works, TIME_WAIT or not.
	serve_once tcp 1
	run ss -Htan state time-wait "( sport = :$SERVER_PORT )"
	assert_output --partial "127.0.0.1:$SERVER_PORT"
	run timeout 20 "$PYTHON" -S -c "$REBIND" tcp "$SERVER_PORT"
	assert_success
	assert_line --index 0 "bind without SO_REUSEADDR: EADDRINUSE"
	assert_line --index 1 "bind with SO_REUSEADDR: ok"
}

@test "one wildcard listener serves every local address, IPv4 and IPv6, and announces them all in INIT_ACK" {
	# No -a: multihome_server binds the IPv6 wildcard (::), which on Linux
	# also takes IPv4 (IPV6_V6ONLY is off by default).
	start_server "$TOP/multihome/multihome_server" -p 0
	run cat "$SERVER_OUT"
	assert_line "listening on :: port $SERVER_PORT"
	assert_line --regexp '^local address set \(sctp_getladdrs\): [0-9]+ addresses$'
	assert_line "  127.0.0.1 port $SERVER_PORT"
	assert_line "  ::1 port $SERVER_PORT"
	# One listening socket, bound to "*" (all zeros in /proc).
	run ss -Hlnp -A sctp "( sport = :$SERVER_PORT )"
	assert_output --regexp "^LISTEN .* \*:$SERVER_PORT .*multihome_serve"
	run awk -v port="$SERVER_PORT" '$6 == port { print $NF }' /proc/net/sctp/eps
	assert_output "0000:0000:0000:0000:0000:0000:0000:0000"

	run timeout 20 "$TOP/echo/echo_client" -a 127.0.0.1 -p "$SERVER_PORT" -m "over IPv4"
	assert_success
	assert_output "over IPv4"
	run timeout 20 "$TOP/echo/echo_client" -a ::1 -p "$SERVER_PORT" -m "over IPv6"
	assert_success
	assert_output "over IPv6"
	wire_sync

	# Two INITs, one per IP version, both answered; each INIT_ACK lists
	# the server's addresses of both versions.
	run awk -F'\t' '$7 == "1" { print $2 }' <<<"$(wire_sctp "$SERVER_PORT")"
	assert_equal "$output" $'127.0.0.1\n::1'
	run awk -F'\t' '$7 == "2" { print $4, $11, $12 }' <<<"$(wire_sctp "$SERVER_PORT")"
	assert_line --index 0 --regexp '^127\.0\.0\.1 (.*,)?127\.0\.0\.1(,.*)? (.*,)?::1(,.*)?$'
	assert_line --index 1 --regexp '^::1 (.*,)?127\.0\.0\.1(,.*)? (.*,)?::1(,.*)?$'
}

@test "a firewall that admits SCTP to one port: that association comes up, the other port's INITs go unanswered" {
	SERVER_NAME=open start_server "$TOP/echo/echo_server" -a 127.0.0.1 -p 0
	local open_port=$SERVER_PORT
	SERVER_NAME=closed start_server "$TOP/echo/echo_server" -a 127.0.0.1 -p 0
	local closed_port=$SERVER_PORT
	NFT_TABLE=wire_$$
	# Replies (INIT_ACK back to the client's port) belong to an association
	# conntrack has seen start: "established" lets them in.
	nft -f - <<-EOF
		table inet $NFT_TABLE {
			chain input {
				type filter hook input priority 0; policy accept;
				ct state established,related accept
				meta l4proto sctp sctp dport $open_port accept
				meta l4proto sctp counter drop
			}
		}
	EOF

	run timeout 20 "$TOP/echo/echo_client" -p "$open_port" -m "let in"
	assert_success
	assert_output "let in"

	# The default INIT timers would retry for minutes: a first timeout of
	# 200 ms and two retries are enough to see it fail.
	run timeout 30 "$PYTHON" -S - "$closed_port" <<-'EOF'
		import errno, socket, struct, sys
		SCTP_RTOINFO, SCTP_INITMSG = 0, 2   # linux/sctp.h
		s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
		# struct sctp_rtoinfo: assoc id, initial, max, min RTO (ms)
		s.setsockopt(socket.IPPROTO_SCTP, SCTP_RTOINFO, struct.pack("=iIII", 0, 200, 400, 100))
		# struct sctp_initmsg: streams out, in, INIT retries, max INIT timeout (ms)
		s.setsockopt(socket.IPPROTO_SCTP, SCTP_INITMSG, struct.pack("=HHHH", 10, 10, 2, 400))
		try:
		    s.connect(("127.0.0.1", int(sys.argv[1])))
		    print("connected")
		except OSError as e:
		    print("connect:", errno.errorcode[e.errno])
	EOF
	assert_success
	assert_output "connect: ETIMEDOUT"
	wire_sync

	run wire_packets "$open_port"
	assert_equal "${lines[0]}" "> INIT"
	assert_equal "${lines[1]}" "< INIT_ACK"
	run wire_packets "$closed_port"
	assert_line "> INIT"
	refute_line "< INIT_ACK"
	refute_line --regexp '^<'
	# And it was the rule that dropped them.
	run nft list chain inet "$NFT_TABLE" input
	assert_output --regexp 'counter packets [1-9][0-9]* bytes [0-9]+ drop'
}
