#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# loss: 10,000 messages cross a link that loses 5% of the packets,
# duplicates 5% and reorders a quarter of them, both ways (netem on a
# veth pair between two network namespaces). SCTP must deliver every
# message exactly once, intact, in order on each stream: the programs
# check that themselves (echo_client compares every echo with what it
# sent; multistream/report.sh counts every message number stream_receiver
# printed once per stream), and their exit status says so.

bats_require_minimum_version 1.5.0

load test_helper

COUNT=10000
# The link: netem on each end, so both directions suffer.
NETEM="delay 5ms reorder 25% 50% loss 5% duplicate 5% limit 100000"
# Retransmission timers for the lab (SCTP's sysctls are per namespace):
# the defaults (RTO 1 to 60 s) would turn a lost last packet into a
# one-second pause; these keep the run short and change nothing else.
SCTP_TIMERS="net.sctp.rto_min=100 net.sctp.rto_initial=300 net.sctp.rto_max=1000"
TX_ADDR=10.203.0.1
RX_ADDR=10.203.0.2
# Generous: under emulation the run takes tens of seconds.
RUN_TIMEOUT=600

setup() {
	NS_TX=$(netns_name losstx)
	NS_RX=$(netns_name lossrx)
	modprobe -q veth 2>/dev/null || true
	modprobe -q sch_netem 2>/dev/null || true
	ip netns add "$NS_TX"
	ip netns add "$NS_RX"
	ip link add name veth-tx netns "$NS_TX" type veth peer name veth-rx netns "$NS_RX"
	ip -n "$NS_TX" addr add "$TX_ADDR/24" dev veth-tx
	ip -n "$NS_RX" addr add "$RX_ADDR/24" dev veth-rx
	local ns dev
	for ns in "$NS_TX" "$NS_RX"; do
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw $SCTP_TIMERS
	done
	ip -n "$NS_TX" link set veth-tx up
	ip -n "$NS_RX" link set veth-rx up
	# shellcheck disable=SC2086 # the words of $NETEM on purpose
	ip netns exec "$NS_TX" tc qdisc add dev veth-tx root netem $NETEM
	# shellcheck disable=SC2086
	ip netns exec "$NS_RX" tc qdisc add dev veth-rx root netem $NETEM
}

teardown() {
	stop_all
	ip netns del "$NS_TX" 2>/dev/null || true
	ip netns del "$NS_RX" 2>/dev/null || true
}

# netem_dropped NS DEV: packets netem has dropped on DEV so far.
netem_dropped() {
	ip netns exec "$1" tc -s qdisc show dev "$2" |
		sed -nE 's/.*\(dropped ([0-9]+),.*/\1/p' | head -n 1
}

# sctp_stat NS NAME: a counter of /proc/net/sctp/snmp in namespace NS.
sctp_stat() {
	ip netns exec "$1" awk -v n="$2" '$1 == n { print $2 }' /proc/net/sctp/snmp
}

# link_was_bad: the link really lost packets both ways, and SCTP really
# had to retransmit: otherwise the test proved nothing.
link_was_bad() {
	local tx rx rtx
	tx=$(netem_dropped "$NS_TX" veth-tx)
	rx=$(netem_dropped "$NS_RX" veth-rx)
	rtx=$(($(sctp_stat "$NS_TX" SctpFastRetransmits) + $(sctp_stat "$NS_TX" SctpT3Retransmits) +
		$(sctp_stat "$NS_RX" SctpFastRetransmits) + $(sctp_stat "$NS_RX" SctpT3Retransmits)))
	local line="netem dropped $tx packets one way, $rx the other; $rtx retransmissions"
	echo "$line"
	echo "# $line" >&3
	((tx > 0 && rx > 0 && rtx > 0))
}

@test "echo: $COUNT messages through 5% loss, duplication and reordering come back exactly once, intact, in order" {
	start_server ip netns exec "$NS_RX" "$TOP/echo/echo_server" -a "$RX_ADDR" -p 0
	# Each message starts with its own number ("123:"), so a lost,
	# doubled or swapped echo cannot match the message it is compared with.
	run --separate-stderr timeout "$RUN_TIMEOUT" ip netns exec "$NS_TX" \
		"$TOP/echo/echo_client" -a "$RX_ADDR" -p "$SERVER_PORT" -s 3 -l 200 -c "$COUNT" -v
	echo "$stderr" | tail -n 3
	assert_success
	# One line per echo, the last one number COUNT.
	assert_equal "${#lines[@]}" "$COUNT"
	assert_equal "${lines[-1]}" "echo $COUNT: 200 bytes"
	[[ $stderr == *"$COUNT echoes in "* ]]
	link_was_bad
}

@test "multistream: $COUNT messages on 4 streams through 5% loss, duplication and reordering: each exactly once, in order per stream" {
	start_server ip netns exec "$NS_RX" "$TOP/multistream/stream_receiver" \
		-a "$RX_ADDR" -p 0 -i 4
	run --separate-stderr timeout "$RUN_TIMEOUT" ip netns exec "$NS_TX" \
		"$TOP/multistream/stream_sender" -a "$RX_ADDR" -p "$SERVER_PORT" -o 4 -c "$COUNT" -r 0
	echo "sender: status $status, $stderr"
	assert_success
	# The receiver ends when the sender closes; report.sh gives the verdict.
	wait_gone "$SERVER_PID" "$RUN_TIMEOUT" || :
	wait "$SERVER_PID" && status=0 || status=$?
	tail -n 3 "$SERVER_OUT"
	assert_equal "$status" 0
	run "$TOP/multistream/report.sh" "$SERVER_OUT"
	echo "$output"
	assert_success
	assert_line "summary expected=$COUNT received=$COUNT missing=0 duplicates=0 order_violations=0 out_of_order=0"
	assert_line "every message arrived exactly once; ordered streams stayed in order"
	# Four flows, one per stream, each with a quarter of the messages.
	assert_line --regexp "^ +0 +0 +ordered +$((COUNT / 4)) +0 "
	assert_line --regexp "^ +3 +3 +ordered +$((COUNT / 4)) +0 "
	link_was_bad
}
