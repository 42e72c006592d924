#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# The guided tour (tests/tour.sh, `make demo`): it runs every step, in
# order, with its heading, the programs' real output and the packet
# summary that proves the lesson, and keeps one pcap file per step.
#
# The whole tour runs once, in setup_file (one capture for all steps is
# much cheaper than one per step under emulation); each step's test then
# reads its own part of the output. One more test runs a step alone.

bats_require_minimum_version 1.5.0

load test_helper

# Where the tour is: we are in it (kernel with SCTP, root, packages).
export SCTP_TOUR_INSIDE=1

setup_file() {
	export SCTP_TOUR_OUT=$BATS_FILE_TMPDIR/out
	local status=0
	# fd 3 closed: bats would wait for anything still holding it.
	timeout 1200 "$TOP/tests/tour.sh" >"$BATS_FILE_TMPDIR/tour.out" 2>&1 3>&- ||
		status=$?
	echo "$status" >"$BATS_FILE_TMPDIR/tour.status"
}

teardown() {
	stop_all
}

# step N NAME: the output of step N (its heading up to the next one) in
# $output, and its lines in $lines.
step() {
	run awk -v n="$1" '
		/^=== / { on = ($0 ~ "^=== Step " n " of 6: ") }
		on' "$BATS_FILE_TMPDIR/tour.out"
	[ -n "$output" ] || fail "no step $1 in: $(cat "$BATS_FILE_TMPDIR/tour.out")"
}

# packet_line WHO CHUNKS: a summary line, "   N  client > server  INIT".
packet_line() {
	assert_line --regexp "^ +[0-9]+  $1  $2( |\$)"
}

@test "--list names the six steps, in order" {
	run "$TOP/tests/tour.sh" --list
	assert_success
	assert_equal "${#lines[@]}" 6
	assert_line --index 0 --regexp '^check +Does this kernel speak SCTP\?$'
	assert_line --index 1 --regexp '^echo +'
	assert_line --index 2 --regexp '^daytime +'
	assert_line --index 3 --regexp '^multistream +'
	assert_line --index 4 --regexp '^multihome +'
	assert_line --index 5 --regexp '^events +'
}

@test "an unknown step is a usage error" {
	run --separate-stderr "$TOP/tests/tour.sh" nosuchstep
	assert_failure 2
	assert_equal "$stderr" "tour.sh: no step 'nosuchstep' (steps: check echo daytime multistream multihome events)"
}

@test "the whole tour runs its six steps in order, shows progress, and keeps a pcap file per step" {
	[ "$(cat "$BATS_FILE_TMPDIR/tour.status")" = 0 ] ||
		fail "the tour failed: $(cat "$BATS_FILE_TMPDIR/tour.out")"
	run grep -E '^=== ' "$BATS_FILE_TMPDIR/tour.out"
	local time='\[[0-9]+:[0-5][0-9]\]'
	assert_line --index 0 --regexp "^=== Step 1 of 6: Does this kernel speak SCTP\?  $time\$"
	assert_line --index 1 --regexp "^=== Step 2 of 6: Echo over SCTP, and its TCP twin side by side  $time\$"
	assert_line --index 2 --regexp "^=== Step 3 of 6: Daytime: one association, two streams  $time\$"
	assert_line --index 3 --regexp "^=== Step 4 of 6: Multistreaming: head-of-line blocking, measured  $time\$"
	assert_line --index 4 --regexp "^=== Step 5 of 6: Multihoming: a path fails, the association lives on  $time\$"
	assert_line --index 5 --regexp "^=== Step 6 of 6: Notifications: what the kernel tells the application  $time\$"
	assert_line --index 6 --regexp "^=== Captures  $time\$"
	run tail -n 1 "$BATS_FILE_TMPDIR/tour.out"
	assert_output --regexp '^Open them in Wireshark \(or: tshark -r FILE\)\. Tour done in [0-9]+:[0-5][0-9]\.$'

	local n name count
	n=0
	for name in check echo daytime multistream multihome events; do
		n=$((n + 1))
		grep -qFx "  $SCTP_TOUR_OUT/$n-$name.pcap" "$BATS_FILE_TMPDIR/tour.out" ||
			fail "the tour does not name $n-$name.pcap"
		count=$(capinfos -c -M "$SCTP_TOUR_OUT/$n-$name.pcap" | sed -n 's/^Number of packets: *//p')
		((count > 4)) || fail "$n-$name.pcap has ${count:-no} packets"
	done
}

@test "step 1 runs the kernel check and shows an association's handshake and shutdown" {
	step 1
	assert_line '$ check/sctpcheck'
	assert_line 'SCTP supported'
	assert_line --regexp "^--- packets: sctpcheck's first association \(port [0-9]+\)$"
	packet_line "client > server" INIT
	packet_line "server > client" INIT_ACK
	packet_line "client > server" COOKIE_ECHO
	packet_line "server > client" COOKIE_ACK
	packet_line "(client > server|server > client)" SHUTDOWN_COMPLETE
}

@test "step 2 runs echo over SCTP and TCP and sets their packets side by side" {
	step 2
	assert_line --regexp '^\$ echo/echo_client -p [0-9]+ -m hello -m world$'
	assert_line --regexp '^\$ echo/tcp_echo_client -p [0-9]+ -m hello$'
	assert_line hello
	assert_line world
	assert_line --regexp '^--- packets: SCTP \(left\) and TCP \(right\), side by side$'
	assert_line --regexp '^  SCTP, port [0-9]+ +TCP, port [0-9]+$'
	# Left column SCTP, right column TCP, on the same lines.
	assert_line --regexp '^ +1  client > server  INIT +[0-9]+  client > server  SYN$'
	assert_line --regexp '^ +2  server > client  INIT_ACK +[0-9]+  server > client  SYN,ACK$'
	assert_line --regexp '^ +[0-9]+  client > server  DATA stream 0 '
	assert_line --regexp '  client > server  PSH,ACK 5 bytes$'
	assert_line --regexp '  SHUTDOWN_COMPLETE( |$)'
	assert_line --regexp '  FIN,ACK$'
}

@test "step 3 runs daytime and shows its two streams on the wire" {
	local local_text gmt_text
	step 3
	assert_line --regexp '^\(Local\) [A-Z][a-z]{2} '
	assert_line --regexp '^\(GMT  \) [A-Z][a-z]{2} '
	# The server runs in another zone than the VM (UTC), and says so:
	# the two lines differ, by India's 5 h 30 min.
	assert_line --regexp '^\$ env TZ=Asia/Kolkata daytime/daytime_server '
	local_text=$(sed -n 's/^(Local) //p' <<<"$output")
	gmt_text=$(sed -n 's/^(GMT  ) //p' <<<"$output")
	assert_equal "$(($(date -u -d "$local_text" +%s) - $(date -u -d "$gmt_text" +%s)))" $((5 * 3600 + 1800))
	assert_line --regexp "^--- packets: daytime \(port [0-9]+\)$"
	assert_line --regexp '^ +[0-9]+  server > client  (.*, )?DATA stream 0(,|$)'
	assert_line --regexp '^ +[0-9]+  server > client  (.*, )?DATA stream 1(,|$)'
}

@test "step 4 sends on four streams and runs the head-of-line experiment" {
	step 4
	assert_line --regexp '^[0-9:.]{12} message 7/8 flow 3/4 #1 stream 3 ordered [0-9.]+ ms$'
	assert_line 'every message arrived exactly once; ordered streams stayed in order'
	local sid
	for sid in 0 1 2 3; do
		assert_line --regexp "^ +[0-9]+  client > server  (.*, )?DATA stream $sid(,|\$)"
	done
	assert_line 'one-way delay p99, ms'
	assert_line --regexp '^intact +yes +yes +yes +yes$'
}

@test "step 5 fails a path over with events as they come, and shows where the data went" {
	step 5
	assert_line '$ multihome/failover.sh -l -f'
	assert_line --regexp 'PEER_ADDR_CHANGE 127\.0\.0\.2 port [0-9]+ ADDR_UNREACHABLE$'
	assert_line --regexp '^failover: [0-9]+ ms '
	assert_line --regexp '^summary: sent ([0-9]+), echoed \1, missing 0, duplicated 0'
	assert_line --regexp "^--- packets: where the client's packets went \(port [0-9]+"
	assert_line --regexp '^ +[0-9]+  client > 127\.0\.0\.2 +DATA'
	assert_line --regexp '^ +[0-9]+  client > 127\.0\.0\.1 +DATA'
}

@test "step 6 shows both ends' notifications and the packets behind them" {
	step 6
	assert_line --regexp '^[0-9:.]+ ASSOC_CHANGE assoc=[0-9]+ state=COMM_UP '
	assert_line --regexp '^[0-9:.]+ SHUTDOWN_EVENT assoc=[0-9]+$'
	assert_line --regexp '^[0-9:.]+ ASSOC_CHANGE assoc=[0-9]+ state=SHUTDOWN_COMP '
	assert_line --regexp '^[0-9:.]+ DATA assoc=[0-9]+ stream=0 .* bytes=5 eor$'
	packet_line "client > server" INIT
	packet_line "client > server" SHUTDOWN
}

@test "README's tshark command reads the echo step's pcap: tags and chunks" {
	# The command as README.md shows it, on this tour's file.
	# (stderr apart: as root, tshark warns about running as root.)
	run --separate-stderr bash -c 'tshark -r "$1" -Y sctp -T fields -e frame.number -e sctp.srcport -e sctp.dstport -e sctp.verification_tag -e sctp.init_initiate_tag -e sctp.initack_initiate_tag -e _ws.col.Info | expand -t 12' \
		tshark "$SCTP_TOUR_OUT/2-echo.pcap"
	assert_success
	local tag='0x[0-9a-f]{8}' port='[0-9]+ +[0-9]+'
	assert_line --index 0 --regexp "^1 +$port +0x00000000 +$tag +INIT *\$"
	assert_line --index 1 --regexp "^2 +$port +$tag +$tag +INIT_ACK *\$"
	assert_line --index 2 --regexp "^3 +$port +$tag +COOKIE_ECHO *\$"
	assert_line --index 3 --regexp "^4 +$port +$tag +COOKIE_ACK *\$"
	assert_line --regexp "^1[0-9] +$port +$tag +SHUTDOWN_COMPLETE *\$"
}

@test "a step runs alone: tests/tour.sh daytime" {
	SCTP_TOUR_OUT=$BATS_TEST_TMPDIR/out run timeout 600 "$TOP/tests/tour.sh" daytime
	assert_success
	run grep -E '^=== Step' <<<"$output"
	assert_output --regexp '^=== Step 1 of 1: Daytime: one association, two streams  \[[0-9]+:[0-5][0-9]\]$'
	[ -s "$BATS_TEST_TMPDIR/out/3-daytime.pcap" ] || fail "no 3-daytime.pcap"
	run ls "$BATS_TEST_TMPDIR/out"
	assert_output 3-daytime.pcap
}
