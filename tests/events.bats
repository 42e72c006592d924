#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# events: every SCTP notification, provoked on a real kernel by
# events/provoke (or peer.py) and decoded by events/sctp_events, and by
# provoke for the events of its own end (events/README.md has the
# scenarios).

bats_require_minimum_version 1.5.0

load test_helper

EV=$TOP/events/sctp_events
PROVOKE=$TOP/events/provoke
PEER=$TOP/events/peer.py
# Debian's interpreter: a python3 earlier in PATH (a pyenv shim) may hang
# when started by timeout(1) without a terminal.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
# The start of every event line: the time, HH:MM:SS.mmm.
T='^[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{3} '
ALL_TYPES='ASSOC_CHANGE PEER_ADDR_CHANGE SEND_FAILED REMOTE_ERROR SHUTDOWN_EVENT PARTIAL_DELIVERY_EVENT ADAPTATION_INDICATION AUTHENTICATION_EVENT SENDER_DRY_EVENT STREAM_RESET_EVENT ASSOC_RESET_EVENT STREAM_CHANGE_EVENT SEND_FAILED_EVENT'
# How long to wait for an event that timers bring (path failure, PR-SCTP).
EVENT_TIMEOUT=30

setup() {
	# nftables names take no '-'.
	NFT_TABLE=$(netns_name events | tr -- - _)
	SYSCTL_SAVED=$BATS_TEST_TMPDIR/sysctl.saved
}

teardown() {
	stop_all
	[ -z "${NFT_USED:-}" ] || nft delete table inet "$NFT_TABLE" 2>/dev/null || true
	# Last set, first restored: rto_min may not exceed rto_max.
	if [ -f "$SYSCTL_SAVED" ]; then
		tac "$SYSCTL_SAVED" | while read -r name value; do
			sysctl -qw "$name=$value"
		done
	fi
}

# set_sysctl NAME VALUE: set it for this test; teardown puts it back.
set_sysctl() {
	echo "$1 $(sysctl -n "$1")" >>"$SYSCTL_SAVED"
	sysctl -qw "$1=$2"
}

# fast_timers: timers short enough that a lost path or a lost INIT shows
# within seconds (the defaults take minutes: RTO 1 to 60 s, a heartbeat
# every 30 s, 8 INIT retransmissions), for every socket made after it.
# INITs: the first and 3 more, at most 400 ms apart.
fast_timers() {
	set_sysctl net.sctp.rto_min 100
	set_sysctl net.sctp.rto_initial 200
	set_sysctl net.sctp.rto_max 400
	set_sysctl net.sctp.max_init_retransmits 3
	set_sysctl net.sctp.hb_interval 200
	set_sysctl net.sctp.path_max_retrans 2
}

# drop RULE...: an nftables rule on locally sent packets, e.g.
# "ip daddr 127.0.0.2 meta l4proto sctp drop". Lo carries both ways.
drop() {
	[ -n "${NFT_USED:-}" ] || {
		NFT_USED=1
		nft add table inet "$NFT_TABLE"
		nft add chain inet "$NFT_TABLE" out '{ type filter hook output priority 0; }'
	}
	nft add rule inet "$NFT_TABLE" out "$@"
}

# server ARGS...: an sctp_events server on 127.0.0.1 and a fresh port.
server() {
	start_server "$EV" -a 127.0.0.1 -p 0 "$@"
}

# client ARGS...: a provoke client of that server, run to its end.
client() {
	run --separate-stderr timeout 20 "$PROVOKE" -a 127.0.0.1 -p "$SERVER_PORT" "$@"
}

# bg_client NAME ARGS...: the same, in the background, output in NAME.out.
bg_client() {
	local name=$1
	shift
	start_bg "$name" "$PROVOKE" -a 127.0.0.1 -p "$SERVER_PORT" "$@"
}

# server_says REGEX: the server printed (or soon prints) a matching line.
server_says() {
	wait_for_line "$SERVER_OUT" "$T$1" "${2:-$READY_TIMEOUT}"
}

# says FILE REGEX [TIMEOUT]: an event line matching REGEX shows up in FILE.
says() {
	wait_for_line "$1" "$T$2" "${3:-$READY_TIMEOUT}"
}

# refute_in FILE REGEX: no event line of FILE matches REGEX (grep -E).
# A bare "! grep" would not fail a bats test.
refute_in() {
	if grep -qE -- "$T.*$2" "$1"; then
		echo "unexpected /$2/ in $1:" >&2
		cat "$1" >&2
		return 1
	fi
}

# before FILE REGEX1 REGEX2: the first event line matching REGEX1 comes
# before the first one matching REGEX2.
before() {
	local a b
	a=$(grep -nE -- "$T.*$2" "$1" | head -n1 | cut -d: -f1)
	b=$(grep -nE -- "$T.*$3" "$1" | head -n1 | cut -d: -f1)
	if [ -z "$a" ] || [ -z "$b" ] || ((a >= b)); then
		echo "in $1, /$2/ (line ${a:-none}) is not before /$3/ (line ${b:-none}):" >&2
		cat "$1" >&2
		return 1
	fi
}

# free_port: an SCTP port nobody listens on (bound, then released).
free_port() {
	"$PY" -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_SEQPACKET, socket.IPPROTO_SCTP)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

@test "the decoder passes its unit tests on hand-built buffers" {
	run "$TOP/tests/decode_test"
	assert_success
	assert_line --regexp '^decode_test: [0-9]+ passed, 0 failed$'
	# Every type decoded, then cut short at every length.
	assert_equal "$(grep -cE '^ok [0-9]+ - [A-Z_]+ cut at every length is malformed$' <<<"$output")" 13
	assert_line --partial 'a BSD type number is unknown, shown with its number'
}

@test "-h prints the usage on stdout and exits 0" {
	run --separate-stderr "$EV" -h
	assert_success
	assert_line --index 0 --partial 'usage: sctp_events [-a ADDR]'
	assert_equal "$stderr" ""
	run --separate-stderr "$PROVOKE" -h
	assert_success
	assert_line --index 0 --partial 'usage: provoke [-a ADDR] -p PORT'
	assert_equal "$stderr" ""
}

@test "a bad command line gives a reason and the usage on stderr, exit 2" {
	run --separate-stderr "$EV" -e ASSOC_CHANGE,NO_SUCH_EVENT
	assert_failure 2
	assert_equal "$output" ""
	[[ $stderr == "sctp_events: -e: unknown type name"*"usage: sctp_events"* ]]
	run --separate-stderr "$PROVOKE" -a 127.0.0.1
	assert_failure 2
	[[ $stderr == "provoke: -p: the server's port is needed"*"usage: provoke"* ]]
}

@test "it subscribes to all 13 types, one SCTP_EVENT each; -e takes a subset" {
	server
	assert_equal "$(head -n1 "$SERVER_OUT")" "subscribed: $ALL_TYPES"
	assert_equal "$(cat "$SERVER_ERR")" ""
	SERVER_NAME=server2 server -e ASSOC_CHANGE,SHUTDOWN_EVENT
	assert_equal "$(head -n1 "$SERVER_OUT")" 'subscribed: ASSOC_CHANGE SHUTDOWN_EVENT'
	client -m hi -t 0
	assert_success
	assert_line --index 0 "subscribed: $ALL_TYPES"
	server_says 'ASSOC_CHANGE assoc=[0-9]+ state=COMM_UP '
	server_says 'ASSOC_CHANGE assoc=[0-9]+ state=SHUTDOWN_COMP '
	server_says 'SHUTDOWN_EVENT assoc=[0-9]+$'
	# Data always comes; the other types were not subscribed to.
	server_says 'DATA assoc=[0-9]+ stream=0 ssn=0 ppid=0 bytes=2 eor$'
	assert_line --regexp "${T}AUTHENTICATION_EVENT "
	refute_in "$SERVER_OUT" AUTHENTICATION_EVENT
}

@test "ASSOC_CHANGE: COMM_UP on both ends, SHUTDOWN_COMP after a graceful close" {
	server
	client -t 0
	assert_success
	assert_equal "$stderr" ""
	assert_line --regexp "${T}ASSOC_CHANGE assoc=[0-9]+ state=COMM_UP error=0 outbound=10 inbound=10\$"
	assert_line --regexp "${T}ASSOC_CHANGE assoc=[0-9]+ state=SHUTDOWN_COMP error=0 outbound=0 inbound=0\$"
	server_says 'ASSOC_CHANGE assoc=[0-9]+ state=COMM_UP error=0 outbound=10 inbound=10$'
	server_says 'ASSOC_CHANGE assoc=[0-9]+ state=SHUTDOWN_COMP '
}

@test "SHUTDOWN_EVENT when the peer shuts down, after its data" {
	server
	client -m hello -s 1 -t 0
	assert_success
	server_says 'ASSOC_CHANGE assoc=[0-9]+ state=SHUTDOWN_COMP '
	# Data is never mistaken for a notification, nor the reverse.
	server_says 'DATA assoc=[0-9]+ stream=1 ssn=0 ppid=0 bytes=5 eor$'
	server_says 'SHUTDOWN_EVENT assoc=[0-9]+$'
	before "$SERVER_OUT" 'DATA ' SHUTDOWN_EVENT
	before "$SERVER_OUT" SHUTDOWN_EVENT SHUTDOWN_COMP
	# The side that shut down is not told that it did.
	refute_line --regexp "${T}SHUTDOWN_EVENT"
}

@test "SENDER_DRY_EVENT once everything sent is acknowledged" {
	server
	client -m hello -t 0
	assert_success
	assert_line --regexp "${T}SENDER_DRY_EVENT assoc=[0-9]+\$"
	server_says 'DATA assoc=[0-9]+ stream=0 ssn=0 ppid=0 bytes=5 eor$'
	# The server never sent anything: it is never told it is dry.
	refute_in "$SERVER_OUT" SENDER_DRY_EVENT
}

@test "ASSOC_CHANGE COMM_LOST, with the ABORT's cause, when the peer aborts" {
	server
	client -m hello -t 0 -X
	assert_success
	# Linux stores the cause in network byte order; the decoder says so.
	assert_line --regexp "${T}ASSOC_CHANGE assoc=[0-9]+ state=COMM_LOST error=USER_INITIATED_ABORT outbound=0 inbound=0\$"
	server_says 'ASSOC_CHANGE assoc=[0-9]+ state=COMM_LOST error=USER_INITIATED_ABORT outbound=0 inbound=0 causes=USER_INITIATED_ABORT$'
	refute_line --regexp "${T}ASSOC_CHANGE .*state=SHUTDOWN_COMP"
}

@test "ASSOC_CHANGE CANT_STR_ASSOC: nobody listens, the INIT gets an ABORT" {
	port=$(free_port)
	run --separate-stderr timeout 20 "$PROVOKE" -a 127.0.0.1 -p "$port"
	assert_failure 1
	assert_equal "$stderr" "provoke: sctp_connectx: Connection refused"
	assert_line --regexp "${T}ASSOC_CHANGE assoc=[0-9]+ state=CANT_STR_ASSOC error=0 outbound=0 inbound=0\$"
}

@test "ASSOC_CHANGE CANT_STR_ASSOC: INITs are lost, short INIT timers give up in seconds" {
	port=$(free_port)
	drop sctp dport "$port" drop
	fast_timers
	start=$SECONDS
	run --separate-stderr timeout 60 "$PROVOKE" -a 127.0.0.1 -p "$port"
	took=$((SECONDS - start))
	assert_failure 1
	assert_equal "$stderr" "provoke: sctp_connectx: Connection timed out"
	assert_line --regexp "${T}ASSOC_CHANGE assoc=[0-9]+ state=CANT_STR_ASSOC "
	# 3 INITs, RTO 200 to 400 ms: a second or two, not the default 333 s.
	((took < 20))
}

@test "PEER_ADDR_CHANGE: a path fails (POTENTIALLY_FAILED, UNREACHABLE) and heals (AVAILABLE)" {
	fast_timers
	# A multihomed server: 127.0.0.1 and 127.0.0.2, both on lo.
	server -a 127.0.0.2
	pf=$BATS_TEST_TMPDIR/pf.out nopf=$BATS_TEST_TMPDIR/nopf.out
	# One client shows the potentially-failed state, one does not: a
	# socket takes pf_expose when it is made (it has printed its
	# subscriptions then).
	set_sysctl net.sctp.pf_expose 2
	bg_client pf
	wait_for_line "$pf" '^subscribed: '
	sysctl -qw net.sctp.pf_expose=0
	bg_client nopf
	# The second address is confirmed by a heartbeat first.
	says "$pf" 'PEER_ADDR_CHANGE assoc=[0-9]+ addr=127.0.0.2 port=[0-9]+ state=ADDR_CONFIRMED error=HEARTBEAT_SUCCESS$'
	says "$nopf" 'PEER_ADDR_CHANGE assoc=[0-9]+ addr=127.0.0.2 port=[0-9]+ state=ADDR_CONFIRMED '

	drop ip daddr 127.0.0.2 meta l4proto sctp drop
	says "$pf" 'PEER_ADDR_CHANGE assoc=[0-9]+ addr=127.0.0.2 port=[0-9]+ state=ADDR_UNREACHABLE error=FAILED_THRESHOLD$' $EVENT_TIMEOUT
	says "$nopf" 'PEER_ADDR_CHANGE assoc=[0-9]+ addr=127.0.0.2 port=[0-9]+ state=ADDR_UNREACHABLE ' $EVENT_TIMEOUT
	nft delete table inet "$NFT_TABLE"
	NFT_USED=
	says "$pf" 'PEER_ADDR_CHANGE assoc=[0-9]+ addr=127.0.0.2 port=[0-9]+ state=ADDR_AVAILABLE error=HEARTBEAT_SUCCESS$' $EVENT_TIMEOUT
	says "$nopf" 'PEER_ADDR_CHANGE assoc=[0-9]+ addr=127.0.0.2 port=[0-9]+ state=ADDR_AVAILABLE ' $EVENT_TIMEOUT

	# PF comes before UNREACHABLE, and only where it was asked for.
	before "$pf" 'state=ADDR_POTENTIALLY_FAILED error=FAILED_THRESHOLD$' ADDR_UNREACHABLE
	refute_in "$nopf" ADDR_POTENTIALLY_FAILED
}

@test "SEND_FAILED and SEND_FAILED_EVENT: a PR-SCTP lifetime runs out on a path that drops DATA" {
	fast_timers
	server
	# The handshake and heartbeats pass; DATA chunks do not.
	drop sctp dport "$SERVER_PORT" sctp chunk data exists drop
	# 200000 bytes: 4 fragments; cwnd lets the first out, the rest wait.
	bg_client sf -x 300 -l 200000
	sf=$BATS_TEST_TMPDIR/sf.out
	says "$sf" 'SEND_FAILED_EVENT assoc=[0-9]+ flags=UNSENT error=0 stream=0 chunk_flags=LAST_FRAG ppid=0 context=0 bytes=[0-9]+ data=' $EVENT_TIMEOUT
	says "$sf" 'SEND_FAILED_EVENT assoc=[0-9]+ flags=SENT error=0 stream=0 chunk_flags=FIRST_FRAG '
	# Both types were subscribed: Linux sends the old one as well.
	says "$sf" 'SEND_FAILED assoc=[0-9]+ flags=UNSENT error=0 stream=0 ssn=0 chunk_flags=LAST_FRAG ppid=0 context=0 ttl=300 '
	# A notification bigger than one recvmsg() (32 KiB) was joined whole.
	big=$(sed -nE 's/.*SEND_FAILED_EVENT .*chunk_flags=FIRST_FRAG .* bytes=([0-9]+) .*/\1/p' "$sf" | head -n1)
	((big > 32768))
	# The data never reached the server.
	refute_in "$SERVER_OUT" 'DATA '
}

@test "REMOTE_ERROR: the peer's kernel reports a chunk type it does not know" {
	server
	# The obvious trigger, DATA on a stream the peer did not grant, never
	# leaves this kernel: sendmsg() refuses it.
	client -s 10 -m x -t 0
	assert_success
	assert_equal "$stderr" "provoke: sendmsg: Invalid argument"
	refute_in "$SERVER_OUT" REMOTE_ERROR
	run timeout 20 "$PY" "$PEER" unknown-chunk 127.0.0.1 "$SERVER_PORT"
	assert_success
	server_says 'REMOTE_ERROR assoc=[0-9]+ error=UNRECOGNIZED_CHUNK_TYPE\[chunk=0x7f,flags=0x00,length=4\]$'
	server_says 'ASSOC_CHANGE assoc=[0-9]+ state=SHUTDOWN_COMP '
}

@test "PARTIAL_DELIVERY_EVENT: the peer aborts in the middle of a message delivered in parts" {
	# A small partial delivery point.
	server -D 1000
	client -l 200000 -t 0 -X
	assert_success
	server_says 'PARTIAL_DELIVERY_EVENT assoc=[0-9]+ indication=PARTIAL_DELIVERY_ABORTED stream=0 seq=0$'
	server_says 'ASSOC_CHANGE assoc=[0-9]+ state=COMM_LOST '
	# Parts of the message came first, never its end.
	server_says 'DATA assoc=[0-9]+ stream=0 ssn=0 ppid=0 bytes=[0-9]+ partial$'
	refute_in "$SERVER_OUT" 'DATA .* eor$'
	before "$SERVER_OUT" 'DATA ' PARTIAL_DELIVERY_EVENT
}

@test "ADAPTATION_INDICATION carries the indication the peer announced" {
	server
	client -A 1234 -t 0
	assert_success
	server_says 'ADAPTATION_INDICATION assoc=[0-9]+ indication=1234$'
	# The server announced none: the client hears of none.
	assert_line --regexp "${T}ASSOC_CHANGE assoc=[0-9]+ state=SHUTDOWN_COMP "
	refute_line --regexp "${T}ADAPTATION_INDICATION"
}

@test "STREAM_RESET_EVENT on both ends when stream 1 is reset (reconf_enable=1)" {
	server
	# Without stream reconfiguration, Linux refuses the request.
	set_sysctl net.sctp.reconf_enable 0
	client -R out -s 1 -t 0
	assert_success
	assert_equal "$stderr" "provoke: setsockopt SCTP_RESET_STREAMS: Protocol not available"

	set_sysctl net.sctp.reconf_enable 1
	SERVER_NAME=server2 server
	bg_client rs -m hi -s 1 -R out
	says "$BATS_TEST_TMPDIR/rs.out" 'STREAM_RESET_EVENT assoc=[0-9]+ flags=OUTGOING_SSN streams=1$'
	server_says 'STREAM_RESET_EVENT assoc=[0-9]+ flags=INCOMING_SSN streams=1$'
	server_says 'DATA assoc=[0-9]+ stream=1 ssn=0 '
}

@test "ASSOC_RESET_EVENT on both ends, with matching TSNs (reconf_enable=1)" {
	set_sysctl net.sctp.reconf_enable 1
	server
	bg_client ar -R assoc
	ar=$BATS_TEST_TMPDIR/ar.out
	says "$ar" 'ASSOC_RESET_EVENT assoc=[0-9]+ flags=none local_tsn=[0-9]+ remote_tsn=[0-9]+$'
	server_says 'ASSOC_RESET_EVENT assoc=[0-9]+ flags=none local_tsn=[0-9]+ remote_tsn=[0-9]+$'
	# Each end's next TSN is what the other now expects.
	c_local=$(sed -nE 's/.*ASSOC_RESET_EVENT .*local_tsn=([0-9]+) .*/\1/p' "$ar")
	c_remote=$(sed -nE 's/.*ASSOC_RESET_EVENT .*remote_tsn=([0-9]+)$/\1/p' "$ar")
	s_local=$(sed -nE 's/.*ASSOC_RESET_EVENT .*local_tsn=([0-9]+) .*/\1/p' "$SERVER_OUT")
	s_remote=$(sed -nE 's/.*ASSOC_RESET_EVENT .*remote_tsn=([0-9]+)$/\1/p' "$SERVER_OUT")
	assert_equal "$c_local" "$s_remote"
	assert_equal "$c_remote" "$s_local"
}

@test "STREAM_CHANGE_EVENT on both ends when 2 outbound streams are added (reconf_enable=1)" {
	set_sysctl net.sctp.reconf_enable 1
	server
	bg_client sc -R add
	says "$BATS_TEST_TMPDIR/sc.out" 'STREAM_CHANGE_EVENT assoc=[0-9]+ flags=none instreams=0 outstreams=2$'
	server_says 'STREAM_CHANGE_EVENT assoc=[0-9]+ flags=none instreams=2 outstreams=0$'
}

@test "AUTHENTICATION_EVENT NO_AUTH when the peer does not do AUTH (auth_enable=1)" {
	set_sysctl net.sctp.auth_enable 1
	server
	run timeout 20 "$PY" "$PEER" no-auth 127.0.0.1 "$SERVER_PORT"
	assert_success
	server_says 'AUTHENTICATION_EVENT assoc=[0-9]+ indication=NO_AUTH key=0 altkey=0$'
	server_says 'ASSOC_CHANGE assoc=[0-9]+ state=SHUTDOWN_COMP '
}

@test "AUTHENTICATION_EVENT NEW_KEY and FREE_KEY with shared keys (auth_enable=1)" {
	set_sysctl net.sctp.auth_enable 1
	# The server's active key stays 0; the client signs with key 2, and
	# drops key 1 once the association is up.
	server -k 1:first-secret -k 2:second-secret
	client -k 1:first-secret -k 2:second-secret -K 2 -m hi -d 1 -t 0
	assert_success
	assert_line --regexp "${T}AUTHENTICATION_EVENT assoc=[0-9]+ indication=FREE_KEY key=1 altkey=0\$"
	server_says 'AUTHENTICATION_EVENT assoc=[0-9]+ indication=NEW_KEY key=2 altkey=0$'
	server_says 'DATA assoc=[0-9]+ stream=0 ssn=0 ppid=0 bytes=2 eor$'
	refute_line --regexp "${T}AUTHENTICATION_EVENT .*indication=NO_AUTH"
	refute_in "$SERVER_OUT" NO_AUTH
}

@test "one-to-one style (-S): the server accepts one association after another" {
	server -S
	client -m hi -t 0 -X
	assert_success
	server_says 'ASSOC_CHANGE assoc=[0-9]+ state=COMM_LOST error=USER_INITIATED_ABORT '
	client -t 0
	assert_success
	assert_line --regexp "${T}ASSOC_CHANGE assoc=[0-9]+ state=SHUTDOWN_COMP "
	server_says 'ASSOC_CHANGE assoc=[0-9]+ state=SHUTDOWN_COMP '
	assert_equal "$(grep -c 'state=COMM_UP' "$SERVER_OUT")" 2
}

@test "-v adds a hex dump under each notification" {
	server -v
	client -t 0
	assert_success
	server_says 'ASSOC_CHANGE assoc=[0-9]+ state=SHUTDOWN_COMP '
	# ASSOC_CHANGE is 0x8001 and 20 bytes long, in host (little) byte order.
	run grep -A2 -E "${T}ASSOC_CHANGE .*state=COMM_UP" "$SERVER_OUT"
	assert_line --index 1 "    0000  01 80 00 00 14 00 00 00 00 00 00 00 0a 00 0a 00"
	assert_line --index 2 --regexp '^    0010  [0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2}$'
}
