#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# multistream: independent streams in one association (multistream/README.md).
# Stream negotiation, per-stream order under loss and reordering, unordered
# delivery on the wire, report.sh's checks of the receiver's lines, the
# header parser (tests/flow_test), the TCP twin's framing, and head-of-line
# blocking measured through a lossy link.

bats_require_minimum_version 1.5.0

load test_helper

MS=$TOP/multistream
SENDER=$MS/stream_sender
RECEIVER=$MS/stream_receiver
EINVAL_LINE='stream_sender: sendmsg: stream 8 (streams: 0 to 7): Invalid argument'
# How long a receiver may take to finish once its sender is done.
IDLE=120

teardown() {
	stop_all
}

# wait_receiver [PID]: wait for a receiver (default: the last server) to
# exit by itself after its sender closed; sets RECEIVER_STATUS.
wait_receiver() {
	local pid=${1:-$SERVER_PID}
	wait_gone "$pid" $((IDLE + 30)) || fail "receiver $pid did not finish"
	RECEIVER_STATUS=0
	wait "$pid" || RECEIVER_STATUS=$?
}

# report FILE: report.sh's table of a receiver's lines, into FILE.report;
# sets REPORT_STATUS.
report() {
	REPORT_STATUS=0
	"$MS/report.sh" "$1" >"$1.report" || REPORT_STATUS=$?
}

# row FILE FLOW: the row of FLOW ("all" for the total) of report FILE as
# "stream delivery messages out-of-order", or nothing.
row() {
	awk -v f="$2" '$1 == f && NF == 8 { print $2, $3, $4, $5 }' "$1"
}

# summary FILE KEY: one value of the report's "summary" line.
summary() {
	sed -nE "s/^summary .*\\<$2=([0-9]+).*/\\1/p" "$1"
}

@test "the message header is written and read at its offsets, and refused when no sender could have written it" {
	run "$TOP/tests/flow_test"
	assert_success
	assert_output "flow.c: every check passed"
}

@test "asking for 100 streams from a receiver that grants 8 leaves 8, one flow on each" {
	start_server "$RECEIVER" -a 127.0.0.1 -p 0 -i 8
	run timeout 60 "$SENDER" -p "$SERVER_PORT" -o 100 -c 80 -r 0
	assert_success
	assert_line "asked for 100 outbound streams, the receiver granted 8"
	assert_line --regexp '^sent 80 messages of 64 bytes on 8 flows in [0-9.]+ s$'
	wait_receiver
	assert_equal "$RECEIVER_STATUS" 0
	run cat "$SERVER_OUT"
	assert_line --regexp '^association from 127\.0\.0\.1 port [0-9]+: 8 inbound streams, [0-9]+ outbound$'
	# One line per message, as the receiver saw it.
	assert_line --regexp '^[0-9:.]{12} message 9/80 flow 1/8 #1 stream 1 ordered -?[0-9]+\.[0-9]{3} ms$'
	assert_line --regexp '^[0-9:.]{12} the sender shut down after 80 messages$'
	report "$SERVER_OUT"
	assert_equal "$REPORT_STATUS" 0
	for s in 0 1 2 3 4 5 6 7; do
		assert_equal "$(row "$SERVER_OUT.report" "$s")" "$s ordered 10 0"
	done
	assert_equal "$(row "$SERVER_OUT.report" 8)" ""
	run cat "$SERVER_OUT.report"
	assert_line "summary expected=80 received=80 missing=0 duplicates=0 order_violations=0 out_of_order=0"
	assert_line "every message arrived exactly once; ordered streams stayed in order"
}

@test "stream 7 of 8 works, stream 8 fails with EINVAL naming the limit" {
	SERVER_NAME=seven start_server "$RECEIVER" -a 127.0.0.1 -p 0 -i 8
	run --separate-stderr timeout 60 "$SENDER" -p "$SERVER_PORT" -o 100 -s 7 -c 3 -r 0
	assert_success
	assert_equal "$stderr" ""
	wait_receiver
	assert_equal "$RECEIVER_STATUS" 0
	# Every flow went on stream 7, the last one there is.
	report "$SERVER_OUT"
	assert_equal "$(row "$SERVER_OUT.report" 0)" "7 ordered 1 0"
	assert_equal "$(row "$SERVER_OUT.report" 2)" "7 ordered 1 0"

	SERVER_NAME=eight start_server "$RECEIVER" -a 127.0.0.1 -p 0 -i 8
	run --separate-stderr timeout 60 "$SENDER" -p "$SERVER_PORT" -o 100 -s 8 -c 3 -r 0
	assert_failure 1
	assert_line "asked for 100 outbound streams, the receiver granted 8"
	assert_equal "$stderr" "$EINVAL_LINE"
	# The association itself ended well, with nothing in it.
	wait_receiver
	assert_equal "$RECEIVER_STATUS" 0
	run cat "$SERVER_OUT"
	assert_line --regexp 'the sender shut down after 0 messages$'
	run "$MS/report.sh" "$SERVER_OUT"
	assert_failure 1
	assert_output "no message arrived"
}

@test "report.sh catches a duplicate, a missing message and an ordered stream going backwards" {
	# python3 alone can take a minute to start on a busy emulated machine.
	start_server "$RECEIVER" -a 127.0.0.1 -p 0
	# An independent peer (python3's socket module) that breaks every
	# rule on stream 0: message 2 before 1, 1 twice, 3 never.
	run timeout 600 python3 - "$SERVER_PORT" <<-'EOF'
		import socket, struct, sys, time
		s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
		s.connect(("127.0.0.1", int(sys.argv[1])))
		# flow, flows, flow_seq, seq, count, sent_ns: stream_sender's header
		for seq in (0, 2, 1, 1):
		    s.send(struct.pack("!HHIIIQ", 0, 1, seq, seq, 4, time.monotonic_ns()))
		s.close()
	EOF
	assert_success
	# Sound headers all, so the receiver prints them and exits 0...
	wait_receiver
	assert_equal "$RECEIVER_STATUS" 0
	assert_equal "$(grep -c ' message 1/4 flow 0/1 #1 stream 0 ordered ' "$SERVER_OUT")" 2
	# ... and the analysis finds what is wrong.
	run "$MS/report.sh" "$SERVER_OUT"
	assert_failure 1
	assert_line "summary expected=4 received=3 missing=1 duplicates=1 order_violations=1 out_of_order=1"
	assert_line "FAILED: 1 missing, 1 duplicated, 1 out of order on an ordered stream"
}

@test "the TCP twin finds every message again by its length prefix" {
	start_server "$MS/tcp_stream_receiver" -a 127.0.0.1 -p 0
	# Long messages as fast as possible: TCP cuts and glues them freely.
	run timeout 60 "$MS/tcp_stream_sender" -p "$SERVER_PORT" -f 3 -c 300 -l 5000 -r 0
	assert_success
	assert_line "TCP: 3 flows share one byte stream"
	wait_receiver
	assert_equal "$RECEIVER_STATUS" 0
	run cat "$SERVER_OUT"
	assert_line --regexp '^connection from 127\.0\.0\.1 port [0-9]+: TCP, one byte stream$'
	report "$SERVER_OUT"
	assert_equal "$REPORT_STATUS" 0
	assert_equal "$(row "$SERVER_OUT.report" 1)" "0 ordered 100 0"
	run cat "$SERVER_OUT.report"
	assert_line "summary expected=300 received=300 missing=0 duplicates=0 order_violations=0 out_of_order=0"
}

@test "unordered messages carry the U bit on the wire, ordered ones do not" {
	local ordered unordered
	dumpcap_start sctp

	SERVER_NAME=ordered start_server "$RECEIVER" -a 127.0.0.1 -p 0
	ordered=$SERVER_PORT
	run timeout 60 "$SENDER" -p "$ordered" -o 2 -c 20 -r 100
	assert_success
	wait_receiver
	assert_equal "$RECEIVER_STATUS" 0
	report "$SERVER_OUT"
	assert_equal "$(row "$SERVER_OUT.report" 1)" "1 ordered 10 0"

	SERVER_NAME=unordered start_server "$RECEIVER" -a 127.0.0.1 -p 0
	unordered=$SERVER_PORT
	run timeout 60 "$SENDER" -p "$unordered" -o 2 -c 20 -r 100 -u
	assert_success
	wait_receiver
	assert_equal "$RECEIVER_STATUS" 0
	report "$SERVER_OUT"
	assert_equal "$(row "$SERVER_OUT.report" 1)" "1 unordered 10 0"
	capture_stop

	# One line per DATA chunk: destination port and U bit.
	tshark -r "$CAPTURE_FILE" -Y 'sctp.chunk_type == 0' -T fields \
		-E occurrence=a -e sctp.dstport -e sctp.data_u_bit 2>/dev/null |
		awk -F'\t' '{ n = split($2, u, ","); for (i = 1; i <= n; i++) print $1, u[i] }' \
			>"$BATS_TEST_TMPDIR/ubits"
	run grep -c "^$ordered 0\$" "$BATS_TEST_TMPDIR/ubits"
	assert_output 20
	run grep -c "^$unordered 1\$" "$BATS_TEST_TMPDIR/ubits"
	assert_output 20
	# ... and nothing else: no ordered chunk with U, no unordered without.
	run grep -vc -e "^$ordered 0\$" -e "^$unordered 1\$" "$BATS_TEST_TMPDIR/ubits"
	assert_output 0
}

@test "under 5% loss and reordering every message arrives once, ordered streams in order" {
	local w=$BATS_TEST_TMPDIR/w
	# netem on every packet: a quarter of them skip the 40 ms delay and
	# overtake up to 40 ms of earlier ones, so each flow (a message every
	# 20 ms) sees its own messages swapped.
	run timeout 300 "$MS/hol-experiment.sh" -k 4 -c 600 -r 200 -l 64 -d 40 -L 0 \
		-n "loss 5% reorder 25% 50%" -m streams,unordered -w "$w"
	assert_success
	assert_line --regexp '^intact +yes +yes$'
	assert_equal "$(summary "$w/streams.report" received)" 600
	assert_equal "$(summary "$w/streams.report" duplicates)" 0
	assert_equal "$(summary "$w/streams.report" order_violations)" 0
	assert_equal "$(summary "$w/streams.report" out_of_order)" 0
	# The same link really reorders: unordered delivery shows it.
	assert_equal "$(summary "$w/unordered.report" received)" 600
	assert_equal "$(summary "$w/unordered.report" duplicates)" 0
	(($(summary "$w/unordered.report" out_of_order) > 0)) ||
		fail "no message overtook another on the unordered streams: $(cat "$w/unordered.report")"
}

# p99 FILE FLOWS max|min: the largest or smallest p99 of the FLOWS (a
# regex) in report FILE, in ms.
p99() {
	awk -v f="^($2)\$" -v w="$3" '$1 ~ f && NF == 8 && (n++ == 0 || (w == "max" ? $7 > m : $7 < m)) { m = $7 } END { print m }' "$1"
}

# hol_attempt DIR: one run of the experiment with 4 streams, one stream
# and TCP, the same loss process for each (20% of flow 0's packets, none
# of flows 1-3); sets, in ms, WORST (the highest p99 among flows 1-3 with
# a stream each), BEST_ONE and BEST_TCP (the lowest among them sharing
# stream 0, or TCP's byte stream), and LOSSY_STREAMS, LOSSY_ONE and
# LOSSY_TCP (flow 0's p99). Fails the test if a message went missing or
# out of order: that is never retried.
hol_attempt() {
	local w=$1
	run timeout 400 "$MS/hol-experiment.sh" -k 4 -c 800 -L 20 -m streams,one,tcp -w "$w"
	assert_success
	assert_line --regexp '^intact +yes +yes +yes$'
	# The same loss process: a fifth of flow 0's packets, in every run.
	assert_line --regexp '^#   [0-9]+ data packets on the wire, [0-9]+ of them flow 0, [1-9][0-9]* of those dropped$'
	WORST=$(p99 "$w/streams.report" '1|2|3' max)
	BEST_ONE=$(p99 "$w/one.report" '1|2|3' min)
	BEST_TCP=$(p99 "$w/tcp.report" '1|2|3' min)
	LOSSY_STREAMS=$(p99 "$w/streams.report" 0 max)
	LOSSY_ONE=$(p99 "$w/one.report" 0 max)
	LOSSY_TCP=$(p99 "$w/tcp.report" 0 max)
	echo "p99 of flow 0 / best or worst of flows 1-3, ms: 4 streams $LOSSY_STREAMS/$WORST," \
		"one stream $LOSSY_ONE/$BEST_ONE, TCP $LOSSY_TCP/$BEST_TCP" >&3
}

# Under emulation on a busy machine a stall of the whole VM can, rarely,
# lift the clean flows' p99 with 4 streams (multistream/README.md). Such
# stalls come and go; head-of-line blocking does not. So up to three
# runs, and one clear one suffices; with isolation broken, every run
# fails. Sharing one ordered stream or TCP's byte stream, flows 1-3 wait
# as long as flow 0 (their p99 at least half of its); with a stream each
# they do not (at most half of it), and one stream is at least twice as
# slow for them as 4. TCP against 4 streams is shown, not asserted: the
# README says why its ratio is small.
@test "a loss on one stream does not hold up the others; on one shared stream, or TCP, it does" {
	local attempt seen=""
	for attempt in 1 2 3; do
		hol_attempt "$BATS_TEST_TMPDIR/w$attempt"
		awk -v w="$WORST" -v b1="$BEST_ONE" -v bt="$BEST_TCP" -v ls="$LOSSY_STREAMS" \
			-v l1="$LOSSY_ONE" -v lt="$LOSSY_TCP" 'BEGIN {
				exit !(w > 0 && b1 >= 2 * w && 2 * w <= ls && 2 * b1 >= l1 && 2 * bt >= lt)
			}' && return 0
		seen+=" [$LOSSY_STREAMS/$WORST $LOSSY_ONE/$BEST_ONE $LOSSY_TCP/$BEST_TCP]"
	done
	fail "p99 flow 0/flows 1-3 (4 streams, one stream, TCP), ms:$seen: never clear"
}
