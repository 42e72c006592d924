#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# assoc/assoc_server and assoc_client: an association's life cycle, each
# option's lesson proven on a live capture of loopback (one tshark for the
# file, packets picked by port: tests/lib/pcap.bash), and the states
# SCTP_STATUS reports during a shutdown. Then the claims README.md makes about the
# handshake, proven with raw packets (tests/lib/raw_sctp.py): a flood of
# INITs leaves no state, a packet with a wrong verification tag is
# dropped, and what Linux does about DATA with COOKIE_ACK.

bats_require_minimum_version 1.5.0

load test_helper
load lib/pcap

PYTHON=${PYTHON:-/usr/bin/python3}
ASSOC_SERVER=$TOP/assoc/assoc_server
ASSOC_CLIENT=$TOP/assoc/assoc_client

setup_file() {
	wire_start "$BATS_FILE_TMPDIR/wire" "sctp or tcp"
	export WIRE_DIR WIRE_PCAP WIRE_TEXT WIRE_PID
}

teardown_file() {
	wire_stop
	[ -z "${SCTP_WIRE_KEEP:-}" ] || cp "$WIRE_PCAP" "$SCTP_WIRE_KEEP/assoc.pcap"
}

setup() {
	NFT_TABLE=
}

teardown() {
	[ -z "$NFT_TABLE" ] || nft delete table inet "$NFT_TABLE" 2>/dev/null || true
	stop_all
}

# The program's lines without their time: "HH:MM:SS.mmm " goes.
untimed() {
	sed -E 's/^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} //' "$@"
}

# seconds LINE: the time at the start of LINE, in seconds since midnight.
seconds() {
	awk '{ split($1, t, ":"); print t[1] * 3600 + t[2] * 60 + t[3] }' <<<"$1"
}

# snmp NAME: a counter of /proc/net/sctp/snmp.
snmp() {
	awk -v n="$1" '$1 == n { print $2 }' /proc/net/sctp/snmp
}

@test "assoc_server and assoc_client: -h and --help print the usage; a bad option is a usage error" {
	run "$ASSOC_SERVER" --help
	assert_success
	assert_line --index 0 "usage: assoc_server [-a ADDR] [-p PORT] [-T] [-Q] [-t SECONDS] [-B] [-h]"
	assert_line --partial "-B          end one association first, close, bind again"
	run "$ASSOC_CLIENT" -h
	assert_success
	assert_line --index 0 --partial "usage: assoc_client [-a ADDR]"
	assert_line --partial "-X          close() with SO_LINGER {1, 0}: ABORT"
	run --separate-stderr "$ASSOC_CLIENT" -Z
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" "assoc_client: -Z: unknown option"
	# -L is gone: the server is a program of its own.
	run --separate-stderr "$ASSOC_SERVER" -L
	assert_equal "$status" 2
	assert_equal "${stderr_lines[0]}" "assoc_server: -L: unknown option"
	# Client options are no server's, and the other way round.
	run --separate-stderr "$ASSOC_SERVER" -m hello
	assert_equal "$status" 2
	run --separate-stderr "$ASSOC_CLIENT" -B
	assert_equal "$status" 2
	run --separate-stderr "$ASSOC_CLIENT" -m ''
	assert_equal "$status" 2
}

@test "-I: a one-to-many socket sends with no connect(); its DATA rides in the COOKIE_ECHO packet" {
	start_server "$TOP/echo/echo_server_many" -a 127.0.0.1 -p 0
	run timeout 20 "$ASSOC_CLIENT" -I -p "$SERVER_PORT" -m "first words"
	assert_success
	run untimed <<<"$output"
	assert_output "sent 11 bytes to 127.0.0.1 port $SERVER_PORT, with no connect()
received first words
closed"
	wire_sync
	run wire_packets "$SERVER_PORT"
	assert_equal "${lines[0]}" "> INIT"
	assert_equal "${lines[1]}" "< INIT_ACK"
	assert_equal "${lines[2]}" "> COOKIE_ECHO+DATA/0"
}

@test "shutdown(SHUT_WR) ends the whole SCTP association: the server reads end of file, its late answer fails (EPIPE); TCP delivers it" {
	start_server "$ASSOC_SERVER" -a 127.0.0.1 -p 0
	run timeout 20 "$ASSOC_CLIENT" -p "$SERVER_PORT" -m question
	assert_success
	run untimed <<<"$output"
	assert_line --index 0 "sent 8 bytes to 127.0.0.1 port $SERVER_PORT: ESTABLISHED"
	assert_line --regexp '^shutdown\(SHUT_WR\): (SHUTDOWN_PENDING|SHUTDOWN_SENT|CLOSED)$'
	# Nothing came back: the late answer never left the server.
	assert_line "association gone after 0 bytes: CLOSED"
	wait_for_line "$SERVER_OUT" 'send after end of file'
	run untimed "$SERVER_OUT"
	assert_line --regexp '^end of file after 8 bytes'
	assert_line "send after end of file: Broken pipe"
	local sctp_port=$SERVER_PORT

	SERVER_NAME=tcp start_server "$ASSOC_SERVER" -T -a 127.0.0.1 -p 0
	run timeout 20 "$ASSOC_CLIENT" -T -p "$SERVER_PORT" -m question
	assert_success
	run untimed <<<"$output"
	assert_line "shutdown(SHUT_WR)"
	assert_line "end of file after 11 bytes" # "late answer"
	wait_for_line "$SERVER_OUT" 'send after end of file'
	run untimed "$SERVER_OUT"
	assert_line "end of file after 8 bytes"
	assert_line "send after end of file: 11 bytes sent"
	wire_sync

	# SCTP: after the client's one message, the three shutdown chunks and
	# no DATA from the server at all.
	run wire_packets "$sctp_port"
	local n=${#lines[@]}
	assert_equal "${lines[n - 3]}" "> SHUTDOWN"
	assert_equal "${lines[n - 2]}" "< SHUTDOWN_ACK"
	assert_equal "${lines[n - 1]}" "> SHUTDOWN_COMPLETE"
	refute_line --regexp '^< .*DATA'
	# TCP: 11 bytes from the server after the client's FIN (bit 0).
	run awk -F'\t' -v port="$SERVER_PORT" '
		$5 == port && index("13579bdf", substr($6, length($6))) { fin = 1 }
		fin && $3 == port && $7 == 11 { print "data after FIN" }' \
		<<<"$(wire_tcp "$SERVER_PORT")"
	assert_output "data after FIN"
}

@test "-X (SO_LINGER {1, 0}) and -U (close() with the server's data unread) end with ABORT: the server's recv() fails with ECONNRESET" {
	start_server "$ASSOC_SERVER" -a 127.0.0.1 -p 0
	run timeout 20 "$ASSOC_CLIENT" -p "$SERVER_PORT" -X
	assert_success
	run untimed <<<"$output"
	assert_line --index 1 "closed"
	wait_for_line "$SERVER_OUT" '^[0-9:.]+ recv'
	run untimed "$SERVER_OUT"
	assert_line "recv: Connection reset by peer"
	local linger_port=$SERVER_PORT

	# -Q: the server sends at once, until its buffer is full.
	SERVER_NAME=filler start_server "$ASSOC_SERVER" -Q -a 127.0.0.1 -p 0
	run timeout 20 "$ASSOC_CLIENT" -p "$SERVER_PORT" -U
	assert_success
	run untimed <<<"$output"
	assert_line --index 1 --regexp '^data from 127\.0\.0\.1 port [0-9]+, unread: ESTABLISHED$'
	assert_line --index 2 "closed"
	# The ABORT meets the server in recv() (ECONNRESET), or still in its
	# sends when the client is quick: then a send fails and the
	# association is CLOSED already (the wire check below sees ABORT).
	wait_for_line "$SERVER_OUT" ' recv: Connection reset by peer$| queued [0-9]+ bytes: .+: CLOSED$'
	run untimed "$SERVER_OUT"
	assert_line --regexp '^recv: Connection reset by peer$|^queued [0-9]+ bytes: .+: CLOSED$'
	wire_sync

	local port
	for port in "$linger_port" "$SERVER_PORT"; do
		run wire_packets "$port"
		assert_equal "${lines[3]}" "< COOKIE_ACK"
		assert_line "> ABORT"
		refute_line --partial SHUTDOWN
	done
}

@test "-B: no TIME_WAIT: an SCTP server that closed first binds its port again at once, without SO_REUSEADDR; over TCP, EADDRINUSE" {
	start_server "$ASSOC_SERVER" -B -a 127.0.0.1 -p 0
	# -W: the client waits for the server to end the association.
	run timeout 20 "$ASSOC_CLIENT" -p "$SERVER_PORT" -W
	assert_success
	run untimed <<<"$output"
	assert_line "end of file after 0 bytes: CLOSED"
	# It exits by itself, once it has bound the port again.
	wait "$SERVER_PID"
	run untimed "$SERVER_OUT"
	assert_line --index 2 "closed; binding the port again, without SO_REUSEADDR"
	assert_line --index 3 "listening on 127.0.0.1 port $SERVER_PORT"
	wire_sync
	# The server closed first: its SHUTDOWN, and the shutdown completed.
	run wire_packets "$SERVER_PORT"
	local n=${#lines[@]}
	assert_equal "${lines[n - 3]}" "< SHUTDOWN"
	assert_equal "${lines[n - 2]}" "> SHUTDOWN_ACK"
	assert_equal "${lines[n - 1]}" "< SHUTDOWN_COMPLETE"

	SERVER_NAME=tcp start_server "$ASSOC_SERVER" -T -B -a 127.0.0.1 -p 0
	run timeout 20 "$ASSOC_CLIENT" -T -p "$SERVER_PORT" -W
	assert_success
	local rc=0
	wait "$SERVER_PID" || rc=$?
	assert_equal "$rc" 1
	run cat "$SERVER_ERR"
	assert_output "assoc_server: bind: Address already in use"
	run ss -Htan state time-wait "( sport = :$SERVER_PORT )"
	assert_output --partial "127.0.0.1:$SERVER_PORT"
}

@test "SCTP_STATUS during a shutdown: SHUTDOWN_PENDING while the client's data is unacknowledged, SHUTDOWN_SENT, SHUTDOWN_RECEIVED on the server while its own is, then CLOSED" {
	# Both fill their send buffers (-Q) and read late (-t): the server
	# after 2 s, the client 4 s after its shutdown(SHUT_WR).
	start_server "$ASSOC_SERVER" -Q -t 2 -a 127.0.0.1 -p 0
	run timeout 60 "$ASSOC_CLIENT" -p "$SERVER_PORT" -Q -t 4
	assert_success
	local client=$output
	run untimed <<<"$client"
	assert_line --index 1 --regexp '^queued [0-9]+ bytes: the buffer is full: ESTABLISHED$'
	assert_line --index 2 "shutdown(SHUT_WR): SHUTDOWN_PENDING"
	assert_line --index 3 "SHUTDOWN_SENT"
	assert_line --index 4 "CLOSED"
	assert_line --index 5 --regexp '^association gone after [1-9][0-9]* bytes: CLOSED$'
	# Each state lasted: until the server read (2 s after it filled),
	# then until the client read (4 s after its shutdown).
	local pending sent closed
	pending=$(seconds "$(sed -n 3p <<<"$client")")
	sent=$(seconds "$(sed -n 4p <<<"$client")")
	closed=$(seconds "$(sed -n 5p <<<"$client")")
	run awk -v p="$pending" -v s="$sent" -v c="$closed" \
		'BEGIN { print (s - p >= 0.5 && c - p >= 3.5) ? "lasted" : "pending " s - p " s, sent until " c - p " s" }'
	assert_output lasted

	wait_for_line "$SERVER_OUT" 'send after end of file'
	run untimed "$SERVER_OUT"
	assert_line --index 1 --regexp '^association with 127\.0\.0\.1 port [0-9]+: ESTABLISHED$'
	assert_line --index 2 --regexp '^queued [0-9]+ bytes: the buffer is full: ESTABLISHED$'
	assert_line --index 3 "SHUTDOWN_RECEIVED"
	assert_line --index 4 --regexp '^end of file after [1-9][0-9]* bytes: SHUTDOWN_RECEIVED$'
	assert_line --index 5 "send after end of file: Broken pipe"
	wire_sync

	# On the wire: the client's SHUTDOWN after its last DATA, the
	# server's SHUTDOWN_ACK after its own last DATA.
	run wire_packets "$SERVER_PORT"
	local last_client last_server shut ack i
	for i in "${!lines[@]}"; do
		case ${lines[i]} in
		"> "*DATA*) last_client=$i ;;&
		"< "*DATA*) last_server=$i ;;&
		"> SHUTDOWN") shut=$i ;;
		"< SHUTDOWN_ACK") ack=$i ;;
		esac
	done
	[[ -n $shut && -n $ack ]] || fail "no SHUTDOWN and SHUTDOWN_ACK: $output"
	((last_client < shut && last_server < ack && shut < ack)) ||
		fail "DATA after the shutdown chunks: $output"
}

@test "a flood of INITs fills no table: 500 INITs, 500 INIT_ACKs, and no association, no socket, no memory kept" {
	start_server "$ASSOC_SERVER" -a 127.0.0.1 -p 0
	local before_assocs before_mem before_passive after_assocs after_mem
	before_assocs=$(wc -l </proc/net/sctp/assocs)
	before_passive=$(snmp SctpPassiveEstabs)
	# /proc/net/protocols: sockets and memory (pages) of SCTP and SCTPv6.
	before_mem=$(awk '$1 ~ /^SCTP/ { print $1, $3, $4 }' /proc/net/protocols)
	run timeout 300 "$PYTHON" -S "$TOP/tests/lib/raw_sctp.py" init-flood "$SERVER_PORT" 500 "$BATS_TEST_TMPDIR"
	assert_success
	assert_output "init-acks 500"
	after_assocs=$(wc -l </proc/net/sctp/assocs)
	after_mem=$(awk '$1 ~ /^SCTP/ { print $1, $3, $4 }' /proc/net/protocols)
	assert_equal "$after_assocs" "$before_assocs"
	assert_equal "$(snmp SctpPassiveEstabs)" "$before_passive"
	assert_equal "$after_mem" "$before_mem"
	wire_sync
	run wire_packets "$SERVER_PORT"
	assert_equal "$(grep -c '^> INIT$' <<<"$output")" 500
	assert_equal "$(grep -c '^< INIT_ACK$' <<<"$output")" 500
	refute_line --partial COOKIE
	# And the server still serves.
	run timeout 20 "$ASSOC_CLIENT" -p "$SERVER_PORT"
	assert_success
	assert_line --partial "sent 5 bytes to 127.0.0.1 port $SERVER_PORT: ESTABLISHED"
}

@test "a packet with a wrong verification tag is dropped: ABORT and DATA injected both ways go unanswered, the association lives on" {
	start_server "$TOP/echo/echo_server" -a 127.0.0.1 -p 0
	local aborted
	aborted=$(snmp SctpAborteds)
	run timeout 60 "$PYTHON" -S "$TOP/tests/lib/raw_sctp.py" wrong-tag "$SERVER_PORT"
	assert_success
	assert_line --index 0 "echo before: before"
	assert_line --index 2 "echo after: after"
	local tag=${lines[1]#injected tag }
	[[ $tag =~ ^0x[0-9a-f]{8}$ ]] || fail "no tag: ${lines[1]}"
	assert_equal "$(snmp SctpAborteds)" "$aborted"
	wire_sync
	# The four injected packets, then nothing but the client's next DATA:
	# neither end answered (no SACK for the forged DATA, no ABORT).
	run awk -F'\t' -v tag="$tag" '
		$6 == tag { n++; next }
		n && !done { print "next:", ($5 == port ? ">" : "<"), $7; done = 1 }
		END { print "injected:", n }' port="$SERVER_PORT" <<<"$(wire_sctp "$SERVER_PORT")"
	assert_line "injected: 4"
	assert_line "next: > 0"
	run wire_packets "$SERVER_PORT"
	assert_equal "$(grep -c ABORT <<<"$output")" 2 # the injected ones
}

@test "DATA with COOKIE_ACK: never the first time (the server's DATA follows it); only when a lost COOKIE_ACK goes again while DATA waits to be retransmitted" {
	# -Q: the server fills its send buffer as soon as it accepts. Its
	# association exists only once its COOKIE_ACK is out.
	start_server "$ASSOC_SERVER" -Q -a 127.0.0.1 -p 0
	# -U: the client waits for the server's data (it ends with ABORT):
	# a client that shuts down at once may beat the server's accept().
	run timeout 30 "$ASSOC_CLIENT" -p "$SERVER_PORT" -U
	assert_success
	wire_sync
	run wire_packets "$SERVER_PORT"
	assert_equal "${lines[3]}" "< COOKIE_ACK"
	refute_line --regexp '^< .*DATA.*COOKIE_ACK|^< COOKIE_ACK.+'
	assert_line --regexp '^< DATA/0'

	# Now with the first COOKIE_ACK dropped. The server's association is
	# up, its DATA goes out and is dropped by the client (still in
	# COOKIE_ECHOED). Its retransmission timer (2 s: set before it
	# starts) sends again what one packet holds and marks the rest; the
	# client's COOKIE_ECHO comes again (3 s), and its COOKIE_ACK carries
	# the rest.
	local rto
	rto=$(sysctl -n net.sctp.rto_initial)
	sysctl -qw net.sctp.rto_initial=2000
	SERVER_NAME=second start_server "$ASSOC_SERVER" -Q -a 127.0.0.1 -p 0
	sysctl -qw net.sctp.rto_initial="$rto"
	NFT_TABLE=assoc_$$
	nft -f - <<-EOF
		table inet $NFT_TABLE {
			chain output {
				type filter hook output priority 0; policy accept;
				sctp sport $SERVER_PORT sctp chunk cookie-ack exists counter drop
			}
		}
	EOF
	start_bg client timeout 60 "$ASSOC_CLIENT" -p "$SERVER_PORT"
	local client=$BG_PID deadline=$((SECONDS + 30))
	until nft list chain inet "$NFT_TABLE" output | grep -q 'counter packets [1-9]'; do
		((SECONDS < deadline)) || fail "no COOKIE_ACK dropped"
		nap 0.1
	done
	nft delete table inet "$NFT_TABLE"
	NFT_TABLE=
	wait_gone "$client" 60 || fail "the client did not finish"
	run cat "$BATS_TEST_TMPDIR/client.out"
	assert_line --partial "association gone after"
	wire_sync
	run wire_packets "$SERVER_PORT"
	assert_equal "${lines[2]}" "> COOKIE_ECHO"
	assert_line --regexp '^< COOKIE_ACK\+DATA/0(\+DATA/0)*$'
	# The first COOKIE_ACK never reached the wire (the counter above saw
	# it dropped): this one answers a COOKIE_ECHO sent again. How often
	# the server's DATA went out alone before it is the timers' race on
	# a loaded machine, and is not asserted.
}
