#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# daytime: local time on stream 0, GMT on stream 1 (daytime/README.md).

bats_require_minimum_version 1.5.0

load test_helper

SERVER=$TOP/daytime/daytime_server
CLIENT=$TOP/daytime/daytime_client
LEGACY=$TOP/daytime/daytime_client_legacy
REFUSAL='daytime_client: server refused: the association has 1 stream(s) from server to client, daytime needs 2 (local time on stream 0, GMT on stream 1)'
# The refusal's payload protocol identifier, "DAYT" (daytime_server.c).
PPID_REFUSED=$((0x44415954))
# One time line as the client prints it: ctime(3) layout.
TIME_RE='[A-Z][a-z]{2} [A-Z][a-z]{2} [ 1-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-6][0-9] [0-9]{4}'

teardown() {
	stop_all
}

# seconds_of TEXT: a "Sat Nov 22 13:12:03 2025" time read as if it were UTC.
seconds_of() {
	date -u -d "$1" +%s
}

# check_zone ZONE OFFSET_SECONDS: a server running in ZONE sends a Local
# line exactly OFFSET_SECONDS ahead of its GMT line, and the GMT line is
# the test's own clock.
check_zone() {
	local zone=$1 offset=$2 before after local_text gmt_text gmt
	[ -f "/usr/share/zoneinfo/$zone" ] || fail "tzdata has no $zone"
	TZ=$zone start_server "$SERVER" -a 127.0.0.1 -p 0
	before=$(date +%s)
	run --separate-stderr timeout 20 "$CLIENT" -p "$SERVER_PORT"
	after=$(date +%s)
	assert_success
	assert_equal "$stderr" ""
	assert_equal "${#lines[@]}" 2
	assert_line --regexp "^\(Local\) $TIME_RE\$"
	assert_line --regexp "^\(GMT  \) $TIME_RE\$"
	local_text=$(sed -n 's/^(Local) //p' <<<"$output")
	gmt_text=$(sed -n 's/^(GMT  ) //p' <<<"$output")
	gmt=$(seconds_of "$gmt_text")
	assert_equal "$(($(seconds_of "$local_text") - gmt))" "$offset"
	# ctime has whole seconds: allow one either side of the run.
	((gmt >= before - 1 && gmt <= after + 1)) ||
		fail "GMT '$gmt_text' is not between $(date -u -d "@$before") and $(date -u -d "@$after")"
}

# check_pairs N: $output is N clients' output, two lines each, one
# (Local) and one (GMT  ) time per client.
check_pairs() {
	local n=$1 bad
	assert_equal "${#lines[@]}" "$((2 * n))"
	bad=$(grep -Env "^\((Local|GMT  )\) $TIME_RE\$" <<<"$output" || true)
	assert_equal "$bad" ""
	bad=$(awk '
		NR % 2 == 1 { first = substr($0, 1, 7); next }
		substr($0, 1, 7) == first { print NR ": twice " first }
	' <<<"$output")
	assert_equal "$bad" ""
}

# count_lines FILE REGEX N: poll until FILE has N lines matching REGEX.
count_lines() {
	local file=$1 re=$2 n=$3 deadline=$((SECONDS + READY_TIMEOUT))
	local lines line found
	while :; do
		mapfile -t lines <"$file"
		found=0
		for line in "${lines[@]}"; do
			[[ $line =~ $re ]] && found=$((found + 1))
		done
		((found == n)) && return 0
		((SECONDS < deadline)) ||
			fail "expected $n lines /$re/ in $file, found $found"
		nap 0.1
	done
}

# capture_fields: after capture_stop, one line per packet of the capture,
# tab-separated: source and destination ports, chunk types, DATA stream
# ids, DATA PPIDs, INIT out/in streams, INIT-ACK out/in streams (several
# chunks in one packet give comma-separated lists). One tshark run: under
# emulation each start costs seconds.
capture_fields() {
	tshark -r "$CAPTURE_FILE" -Y sctp -T fields -E occurrence=a \
		-e sctp.srcport -e sctp.dstport -e sctp.chunk_type \
		-e sctp.data_sid -e sctp.data_payload_proto_id \
		-e sctp.init_nr_out_streams -e sctp.init_nr_in_streams \
		-e sctp.initack_nr_out_streams -e sctp.initack_nr_in_streams \
		2>/dev/null >"$BATS_TEST_TMPDIR/fields"
}

# wire PORT COLUMN: for the association with the server on PORT, every
# value of COLUMN (types, sids, ppids, init, initack), one per line, in
# capture order; chunk types by name, numbers in decimal.
wire() {
	awk -F'\t' -v port="$1" -v col="$2" '
		BEGIN {
			split("DATA INIT INIT_ACK SACK HEARTBEAT HEARTBEAT_ACK ABORT SHUTDOWN SHUTDOWN_ACK ERROR COOKIE_ECHO COOKIE_ACK ECNE CWR SHUTDOWN_COMPLETE", name, " ")
		}
		$1 != port && $2 != port { next }
		col == "types" { n = split($3, v, ","); for (i = 1; i <= n; i++) print ((v[i] + 1) in name ? name[v[i] + 1] : "CHUNK_" v[i]) }
		col == "sids" { n = split($4, v, ","); for (i = 1; i <= n; i++) print v[i] }
		col == "ppids" { n = split($5, v, ","); for (i = 1; i <= n; i++) print v[i] }
		col == "init" && $6 != "" { print $6, $7 }
		col == "initack" && $8 != "" { print $8, $9 }
	' "$BATS_TEST_TMPDIR/fields" | while read -r line; do
		# tshark prints stream ids in hex (0x0001): make them decimal.
		[[ $line == 0x* ]] && line=$((line))
		echo "$line"
	done
}

# A stand-in server that breaks the daytime promise, to show what the
# client does then. For each argument (a list of stream numbers such as
# "0,2") it listens on its own ephemeral port, prints "0,2 port N", and
# answers every client with one time line on each of those streams, then
# closes. Python starts slowly under emulation (tens of seconds on a busy
# machine), so setup_file starts it once, in the background, and only the
# later tests use it.
FAKE_SERVER='
import select, socket, struct, sys
SOL_SCTP, SCTP_INITMSG, SCTP_SNDINFO = 132, 2, 2
TEXT = b"Sat Nov 22 13:12:03 2025\n"
plans = {}
for arg in sys.argv[1:]:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
    s.setsockopt(SOL_SCTP, SCTP_INITMSG, struct.pack("HHHH", 8, 1, 0, 0))
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    plans[s] = [int(sid) for sid in arg.split(",")]
    print("%s port %d" % (arg, s.getsockname()[1]), flush=True)
while True:
    for s in select.select(list(plans), [], [])[0]:
        c, _ = s.accept()
        for sid in plans[s]:
            info = struct.pack("=HHIIi", sid, 0, 0, 0, 0)
            c.sendmsg([TEXT], [(SOL_SCTP, SCTP_SNDINFO, info)])
        c.close()
'

setup_file() {
	# fd 3 closed: bats waits for whatever holds it.
	python3 -c "$FAKE_SERVER" 0,2 0 1,1 >"$BATS_FILE_TMPDIR/fake.out" \
		2>"$BATS_FILE_TMPDIR/fake.err" 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/fake.pid"
}

teardown_file() {
	kill "$(cat "$BATS_FILE_TMPDIR/fake.pid")" 2>/dev/null || true
}

# fake_port PLAN: the stand-in server's port for PLAN, once it is up.
fake_port() {
	wait_for_line "$BATS_FILE_TMPDIR/fake.out" "^$1 port [0-9]+\$" 300 >&2 ||
		{ cat "$BATS_FILE_TMPDIR/fake.err" >&2; return 1; }
	sed -nE "s/^$1 port ([0-9]+)\$/\\1/p" "$BATS_FILE_TMPDIR/fake.out"
}

@test "a server in UTC+14 (Pacific/Kiritimati) sends a Local line 14 hours ahead of GMT" {
	check_zone Pacific/Kiritimati $((14 * 3600))
}

@test "a server in UTC-09:30 (Pacific/Marquesas) sends a Local line 9.5 hours behind GMT" {
	check_zone Pacific/Marquesas $((-(9 * 3600 + 1800)))
}

@test "a client that accepts only one inbound stream gets the server's clear refusal" {
	start_server "$SERVER" -a 127.0.0.1 -p 0
	run --separate-stderr timeout 20 "$CLIENT" -p "$SERVER_PORT" -i 1
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "$REFUSAL"
	wait_for_line "$SERVER_ERR" '^daytime_server: 127\.0\.0\.1 port [0-9]+: only 1 outbound stream\(s\) granted, need 2: refused$'

	# The server carries on with the next client.
	run timeout 20 "$CLIENT" -p "$SERVER_PORT"
	assert_success
	check_pairs 1
}

@test "a server that asks for one outbound stream (-o 1) refuses too" {
	start_server "$SERVER" -a 127.0.0.1 -p 0 -o 1
	run --separate-stderr timeout 20 "$CLIENT" -p "$SERVER_PORT"
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "$REFUSAL"
}

@test "-v shows the streams granted and each message's stream, SSN and PPID" {
	start_server "$SERVER" -a 127.0.0.1 -p 0
	# Asking for more inbound streams than the server offers changes
	# nothing: the server only asked for 2 outbound.
	run --separate-stderr timeout 20 "$CLIENT" -p "$SERVER_PORT" -i 5 -v
	assert_success
	check_pairs 1
	assert_equal "$(head -n1 <<<"$stderr")" "daytime_client: 2 inbound stream(s), 1 outbound"
	[[ $stderr =~ "stream 0 ssn 0 ppid 0: " ]] || fail "no stream 0 line in: $stderr"
	[[ $stderr =~ "stream 1 ssn 0 ppid 0: " ]] || fail "no stream 1 line in: $stderr"
}

@test "200 clients in a row are all served" {
	start_server "$SERVER" -a 127.0.0.1 -p 0
	# One bash loop under one timeout: under emulation, starting a
	# process (bats' run, or a timeout(1) per client) costs more than
	# the association itself.
	run timeout 300 bash -c '
		for ((i = 1; i <= 200; i++)); do
			"$1" -p "$2" || echo "client $i: exit status $?"
		done' _ "$CLIENT" "$SERVER_PORT"
	assert_success
	refute_output --partial "exit status"
	check_pairs 200
	count_lines "$SERVER_OUT" ': local time on stream 0, GMT on stream 1$' 200
}

@test "50 clients at once are all served" {
	start_server "$SERVER" -a 127.0.0.1 -p 0
	# Freeze the server so that all 50 associations are up and waiting in
	# its accept queue together, then let it go.
	kill -STOP "$SERVER_PID"
	# One timeout around the lot, as in the test above.
	run timeout 300 bash -c '
		client=$1 port=$2 dir=$3
		for ((i = 1; i <= 50; i++)); do
			"$client" -p "$port" >"$dir/client$i.out" 2>&1 &
			pids[i]=$!
		done
		# The handshake needs no accept(): wait until the kernel has all 50.
		for ((t = 0; t < 1200; t++)); do
			n=$(awk -v p="$port" "\$12 == p" /proc/net/sctp/assocs | wc -l)
			((n == 50)) && break
			sleep 0.2
		done
		echo "queued $n"
		kill -CONT "$4"
		for ((i = 1; i <= 50; i++)); do
			wait "${pids[i]}" || echo "client $i: exit status $?"
		done' _ "$CLIENT" "$SERVER_PORT" "$BATS_TEST_TMPDIR" "$SERVER_PID"
	kill -CONT "$SERVER_PID"
	assert_success
	assert_output "queued 50"
	run cat "$BATS_TEST_TMPDIR"/client{1..50}.out
	check_pairs 50
	count_lines "$SERVER_OUT" ': local time on stream 0, GMT on stream 1$' 50
}

# One capture for both cases: starting a capture costs tens of seconds
# under emulation. Each case has its own server, so its own port.
@test "on the wire: stream counts in INIT and INIT-ACK, DATA on streams 0 and 1, the refusal tagged DAYT, graceful shutdowns" {
	local served refused
	start_server "$SERVER" -a 127.0.0.1 -p 0
	served=$SERVER_PORT
	SERVER_NAME=server2 start_server "$SERVER" -a 127.0.0.1 -p 0
	refused=$SERVER_PORT
	dumpcap_start "sctp port $served or sctp port $refused"
	run timeout 20 "$CLIENT" -p "$served"
	assert_success
	run timeout 20 "$CLIENT" -p "$refused" -i 1
	assert_failure 1
	capture_stop
	capture_fields

	# Served: the client's INIT says 1 outbound stream, at most 2
	# inbound; the server's INIT-ACK 2 outbound, at most 1 inbound.
	run wire "$served" init
	assert_output "1 2"
	run wire "$served" initack
	assert_output "2 1"
	# Exactly two DATA chunks: one on stream 0, one on stream 1, PPID 0.
	run wire "$served" sids
	assert_equal "$(sort <<<"$output" | tr '\n' ' ')" "0 1 "
	run wire "$served" ppids
	assert_output $'0\n0'
	run wire "$served" types
	assert_line --index 0 INIT
	refute_line ABORT
	assert_equal "${lines[-1]}" SHUTDOWN_COMPLETE
	# In that order (both ends may send SHUTDOWN at once; still graceful).
	assert_regex "$(tr '\n' ' ' <<<"$output")" 'DATA .*SHUTDOWN .*SHUTDOWN_ACK .*SHUTDOWN_COMPLETE $'

	# Refused: the client accepts 1 inbound stream, so the server, which
	# asked for 2, gets 1; one DATA chunk on stream 0 with PPID "DAYT".
	run wire "$refused" init
	assert_output "1 1"
	run wire "$refused" initack
	assert_output "1 1"
	run wire "$refused" sids
	assert_output "0"
	run wire "$refused" ppids
	assert_output "$PPID_REFUSED"
	run wire "$refused" types
	refute_line ABORT
	assert_equal "${lines[-1]}" SHUTDOWN_COMPLETE
	assert_regex "$(tr '\n' ' ' <<<"$output")" 'DATA .*SHUTDOWN .*SHUTDOWN_ACK .*SHUTDOWN_COMPLETE $'
}

# --- daytime_client_legacy: the articles' calls, and their pitfalls ---

@test "the legacy client (sctp_recvmsg, SCTP_EVENTS) prints what the modern one prints, -v and the refusal included" {
	start_server "$SERVER" -a 127.0.0.1 -p 0
	run --separate-stderr timeout 20 "$LEGACY" -p "$SERVER_PORT"
	assert_success
	assert_equal "$stderr" ""
	check_pairs 1
	run --separate-stderr timeout 20 "$LEGACY" -p "$SERVER_PORT" -i 5 -v
	assert_success
	check_pairs 1
	assert_equal "$(head -n1 <<<"$stderr")" "daytime_client_legacy: 2 inbound stream(s), 1 outbound"
	[[ $stderr =~ "stream 0 ssn 0 ppid 0: " ]] || fail "no stream 0 line in: $stderr"
	[[ $stderr =~ "stream 1 ssn 0 ppid 0: " ]] || fail "no stream 1 line in: $stderr"
	run --separate-stderr timeout 20 "$LEGACY" -p "$SERVER_PORT" -i 1
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "${REFUSAL/#daytime_client:/daytime_client_legacy:}"
}

@test "legacy pitfall: without sctp_data_io_event (-n), or with SCTP_RECVRCVINFO in its place (-r), sinfo is never filled: both messages seem to come on stream 0" {
	local opt
	start_server "$SERVER" -a 127.0.0.1 -p 0
	for opt in -n -r; do
		run --separate-stderr timeout 20 "$LEGACY" -p "$SERVER_PORT" "$opt" -v
		assert_failure 1
		# The first message is labelled Local, whichever it was.
		assert_output --regexp "^\(Local\) $TIME_RE\$"
		# The message the wire test shows on stream 1 reads as stream 0.
		assert_equal "$(grep -c ': stream 0 ssn 0 ppid 0: ' <<<"$stderr")" 2
		assert_regex "$(tail -n1 <<<"$stderr")" "^daytime_client_legacy: second message on stream 0: $TIME_RE\$"
	done
	# The refusal's PPID is lost with the rest: it passes for a time.
	run --separate-stderr timeout 20 "$LEGACY" -p "$SERVER_PORT" -n -i 1
	assert_failure 1
	assert_output "(Local) the association has 1 stream(s) from server to client, daytime needs 2 (local time on stream 0, GMT on stream 1)"
	assert_equal "$stderr" $'daytime_client_legacy: missing message on stream 1\ndaytime_client_legacy: the server closed the association early'
}

@test "legacy pitfall: *msg_flags is read on the way in: MSG_PEEK (2) rereads, MSG_DONTWAIT (64) fails; the bits a call leaves (MSG_EOR, MSG_NOTIFICATION) Linux ignores" {
	local flags
	start_server "$SERVER" -a 127.0.0.1 -p 0
	# 128 is MSG_EOR, 32896 MSG_EOR | MSG_NOTIFICATION: what the last
	# call leaves in a variable that is not reset.
	for flags in 128 32896; do
		run --separate-stderr timeout 20 "$LEGACY" -p "$SERVER_PORT" -F "$flags"
		assert_success
		assert_equal "$stderr" ""
		check_pairs 1
	done
	# MSG_PEEK leaves the message queued: the next call gets it again.
	run --separate-stderr timeout 20 "$LEGACY" -p "$SERVER_PORT" -F 2
	assert_failure 1
	assert_equal "${#lines[@]}" 1
	assert_regex "$stderr" "^daytime_client_legacy: second message on stream [01]: $TIME_RE\$"
	assert_equal "${stderr##*: }" "${lines[0]#(*) }"
	# MSG_DONTWAIT: with the server frozen (the kernel still completes
	# the handshake) nothing has come yet, and the call fails at once.
	kill -STOP "$SERVER_PID"
	run --separate-stderr timeout 20 "$LEGACY" -p "$SERVER_PORT" -F 64
	kill -CONT "$SERVER_PID"
	assert_failure 1
	assert_output ""
	assert_equal "$stderr" "daytime_client_legacy: sctp_recvmsg: Resource temporarily unavailable"
}

@test "the client rejects a message on a stream other than 0 and 1" {
	local port
	port=$(fake_port 0,2)
	run --separate-stderr timeout 20 "$CLIENT" -p "$port" -i 4
	assert_failure 1
	assert_output "(Local) Sat Nov 22 13:12:03 2025"
	assert_equal "$stderr" "daytime_client: unexpected message on stream 2: Sat Nov 22 13:12:03 2025"
}

@test "the client reports a missing GMT message when the server closes early" {
	local port
	port=$(fake_port 0)
	run --separate-stderr timeout 20 "$CLIENT" -p "$port"
	assert_failure 1
	assert_output "(Local) Sat Nov 22 13:12:03 2025"
	assert_equal "$stderr" $'daytime_client: missing message on stream 1\ndaytime_client: the server closed the association early'
}

@test "the client rejects a second message on the same stream" {
	local port
	port=$(fake_port 1,1)
	run --separate-stderr timeout 20 "$CLIENT" -p "$port"
	assert_failure 1
	assert_output "(GMT  ) Sat Nov 22 13:12:03 2025"
	assert_equal "$stderr" "daytime_client: second message on stream 1: Sat Nov 22 13:12:03 2025"
}

@test "bad command lines exit 2 with one reason and the usage on stderr" {
	local prog args
	for prog in daytime_server daytime_client daytime_client_legacy; do
		for args in "-x" "-p" "-p 70000" "extra"; do
			run --separate-stderr "$TOP/daytime/$prog" $args
			assert_failure 2
			assert_output ""
			assert_regex "$stderr" "^$prog: .*"$'\n'"usage: $prog "
		done
	done
	for args in "-o 0" "-o x"; do
		run --separate-stderr "$SERVER" $args
		assert_failure 2
		assert_regex "$stderr" "^daytime_server: outbound streams: '.*' is not a number from 1 to 65535"
	done
	for args in "-i 65536" "-p -1"; do
		run --separate-stderr "$CLIENT" $args
		assert_failure 2
		assert_regex "$stderr" "^daytime_client: (inbound streams|port): '.*' is not a number from [01] to 65535"
	done
	for args in "-F x" "-F -1" "-i 0"; do
		run --separate-stderr "$LEGACY" $args
		assert_failure 2
		assert_regex "$stderr" "^daytime_client_legacy: (flags|inbound streams): '.*' is not a number from [01] to [0-9]+"
	done
}

@test "-h and --help print the usage on stdout and exit 0" {
	local prog opt
	for prog in daytime_server daytime_client daytime_client_legacy; do
		for opt in -h --help; do
			run --separate-stderr "$TOP/daytime/$prog" "$opt"
			assert_success
			assert_equal "$stderr" ""
			assert_line --index 0 --regexp "^usage: $prog "
		done
	done
}
