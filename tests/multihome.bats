#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# multihome/: one association over several addresses, and a real,
# measured failover (multihome/failover.sh breaks a path under it).
#
# Needs root and a kernel with SCTP (tests/run uses a VM when this one has
# none). Network namespaces get unique names and go in teardown. The
# machine may be an emulated one shared with others: timings are asserted
# against what the settings imply, with room, and failover as the median
# of three faults on one association.

load test_helper

SERVER="$TOP/multihome/multihome_server"
CLIENT="$TOP/multihome/multihome_client"
FAILOVER="$TOP/multihome/failover.sh"

# The tuned settings failover.sh -f uses (its "fast" list); the tests
# check the numbers against them.
RTO_MIN=200
RTO_MAX=500
HB_INTERVAL=500
ASSOC_MAX_RETRANS=6

setup() {
	NETNS=()
}

teardown() {
	stop_all
	local ns
	for ns in "${NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
}

# new_netns TAG: a namespace with lo up, deleted in teardown; sets NS.
new_netns() {
	NS=$(netns_name "$1")
	ip netns add "$NS"
	NETNS+=("$NS")
	ip -n "$NS" link set lo up
}

# result NAME: the number on failover.sh's "NAME: N ms" line in $output.
result() {
	sed -nE "s/^$1: (-?[0-9]+) ms.*/\\1/p" <<<"$output" | tail -n1
}

# section NAME: the lines of failover.sh's "== NAME ..." section.
section() {
	awk -v s="== $1" 'index($0, s) == 1 { on = 1; next } /^== / { on = 0 } on' <<<"$output"
}

@test "multihome_server -h prints usage on stdout and exits 0" {
	run "$SERVER" -h
	assert_success
	assert_line --index 0 --regexp '^usage: multihome_server '
	assert_output --partial "path_max_retrans, pf_retrans, association_max_retrans"
}

@test "multihome_client without -a, or with an unknown -T setting, is a usage error" {
	run --separate-stderr "$CLIENT"
	assert_equal "$status" 2
	assert_equal "$(head -n1 <<<"$stderr")" "multihome_client: -a: give the server's addresses"
	run --separate-stderr "$CLIENT" -a 127.0.0.1 -T rto_mini=5
	assert_equal "$status" 2
	assert_equal "$(head -n1 <<<"$stderr")" \
		"multihome_client: -T: 'rto_mini=5' is not NAME=VALUE with a known NAME"
	run --separate-stderr "$CLIENT" -a 127.0.0.1 -T pf_retrans=x
	assert_equal "$status" 2
	assert_equal "$(head -n1 <<<"$stderr")" \
		"multihome_client: pf_retrans: 'x' is not a number from 0 to 65535"
}

@test "the server binds every -a address and sctp_getladdrs lists exactly those" {
	start_server "$SERVER" -a 127.0.0.1 -a 127.0.0.2 -p 0
	run cat "$SERVER_OUT"
	assert_line --index 0 "local address set (sctp_getladdrs): 2 addresses"
	assert_line --index 1 "  127.0.0.1 port $SERVER_PORT"
	assert_line --index 2 "  127.0.0.2 port $SERVER_PORT"
	assert_line --index 3 --regexp '^settings: rto_initial 3000 ms, rto_min 1000 ms, rto_max 60000 ms, hb_interval 30000 ms, path_max_retrans 5, pf_retrans 0, association_max_retrans 10, sack_timeout 200 ms$'
	assert_line --index 4 --regexp "^listening on 127\\.0\\.0\\.[12] port $SERVER_PORT\$"
}

@test "on the wildcard the server's address set is every address, IPv4 and IPv6" {
	new_netns wild
	ip -n "$NS" link add d0 type dummy
	ip -n "$NS" addr add 10.131.7.1/24 dev d0
	ip -n "$NS" addr add fd00:131:7::1/64 dev d0 nodad
	ip -n "$NS" link set d0 up
	start_server ip netns exec "$NS" "$SERVER" -p 0
	run cat "$SERVER_OUT"
	assert_line --regexp '^local address set \(sctp_getladdrs\): [0-9]+ addresses$'
	assert_line "  127.0.0.1 port $SERVER_PORT"
	assert_line "  10.131.7.1 port $SERVER_PORT"
	assert_line "  ::1 port $SERVER_PORT"
	assert_line "  fd00:131:7::1 port $SERVER_PORT"
	assert_line "listening on :: port $SERVER_PORT"
}

@test "binding an address the host does not have fails at once, naming it" {
	new_netns nobind
	SECONDS=0
	run --separate-stderr timeout 20 ip netns exec "$NS" "$SERVER" -a 127.0.0.1 -a 10.131.9.9 -p 0
	assert_equal "$status" 1
	assert_equal "$stderr" "multihome_server: sctp_bindx 10.131.9.9: Cannot assign requested address"
	((SECONDS < 10))
}

@test "connecting where nothing listens is refused at once" {
	new_netns refused
	SECONDS=0
	# Port 1 on a fresh namespace's loopback: nothing listens there.
	run --separate-stderr timeout 20 ip netns exec "$NS" "$CLIENT" -a 127.0.0.1 -a 127.0.0.2 -p 1 -c 1
	assert_equal "$status" 1
	assert_equal "$stderr" "multihome_client: sctp_connectx 127.0.0.1 127.0.0.2 port 1: Connection refused"
	((SECONDS < 10))
}

@test "connecting to addresses that never answer times out as the INIT settings imply" {
	# A dummy interface swallows every packet sent to its subnet.
	new_netns silent
	ip -n "$NS" link add d0 type dummy
	ip -n "$NS" addr add 10.131.8.1/24 dev d0
	ip -n "$NS" link set d0 up
	# The first INIT and two retries, each to the next address; the
	# timeout doubles once a round over both addresses is done:
	# 200 + 200 + 400 ms, then give up.
	start=${EPOCHREALTIME/[.,]/}
	run --separate-stderr timeout 60 ip netns exec "$NS" "$CLIENT" -a 10.131.8.2 -a 10.131.8.3 \
		-p 9 -c 1 -T rto_initial=200 -T max_init_retransmits=2
	took=$(((${EPOCHREALTIME/[.,]/} - start) / 1000))
	echo "gave up after $took ms"
	assert_equal "$status" 1
	assert_equal "$stderr" "multihome_client: sctp_connectx 10.131.8.2 10.131.8.3 port 9: Connection timed out"
	((took >= 750 && took < 30000))
}

@test "the client shows both paths, takes the primary it is told, and gets every echo on its stream" {
	start_server "$SERVER" -a 127.0.0.1 -a 127.0.0.2 -p 0 -v
	run timeout 60 "$CLIENT" -a 127.0.0.1 -a 127.0.0.2 -P 127.0.0.2 -p "$SERVER_PORT" \
		-c 10 -r 50 -s 3 -T rto_min=300 -T rto_max=900 -T hb_interval=700 \
		-T path_max_retrans=4 -T pf_retrans=1 -T association_max_retrans=7 -T sack_timeout=120
	assert_success
	assert_line --index 2 "peer address set (sctp_getpaddrs): 2 addresses"
	assert_line --index 3 "  127.0.0.1 port $SERVER_PORT"
	assert_line --index 4 "  127.0.0.2 port $SERVER_PORT"
	assert_line "primary path (SCTP_PRIMARY_ADDR): 127.0.0.2 port $SERVER_PORT"
	assert_line --regexp '^settings: rto_initial 3000 ms, rto_min 300 ms, rto_max 900 ms, hb_interval 700 ms, path_max_retrans 4, pf_retrans 1, association_max_retrans 7, sack_timeout 120 ms$'
	assert_line --regexp '^[0-9:.]{12} assoc [0-9]+: ASSOC_CHANGE COMM_UP$'
	assert_line --regexp "^[0-9:.]{12} assoc [0-9]+: PEER_ADDR_CHANGE 127\\.0\\.0\\.2 port $SERVER_PORT ADDR_MADE_PRIM\$"
	assert_line --regexp '^[0-9:.]{12} stopped sending after message 10$'
	# One line per echo: every message back once, in order, on stream 3
	# (the client has one address: every echo comes from 127.0.0.1).
	assert_equal "$(sed -nE "s/^[0-9:.]{12} echo ([0-9]+) from 127\\.0\\.0\\.1 port $SERVER_PORT on stream 3\$/\\1/p" <<<"$output" | xargs)" \
		"1 2 3 4 5 6 7 8 9 10"
	run grep -cE ' echo [0-9]+ bytes on stream 3 from 127\.0\.0\.1 port [0-9]+$' "$SERVER_OUT"
	assert_output 10
}

@test "the association survives losing its primary path: no message lost, no reconnect (namespaces)" {
	NETNS+=("$(netns_name mh)-client" "$(netns_name mh)-server")
	run timeout 600 "$FAILOVER" -f -k 3 -n "$(netns_name mh)"
	echo "$output"
	assert_success
	# Every message echoed once, in order, on one association.
	assert_line --regexp '^summary: sent [0-9]+, echoed [0-9]+, missing 0, duplicated 0, out of order 0, wrong stream 0$'
	assert_line "client exit status: 0"
	assert_equal "$(section timeline | grep -c 'client  assoc [0-9]*: ASSOC_CHANGE COMM_UP')" 1
	assert_equal "$(section timeline | grep -c 'server  assoc [0-9]*: ASSOC_CHANGE COMM_UP')" 1
	refute_line --partial "COMM_LOST"
	# Each of the three faults: unreachable, then available after repair.
	assert_equal "$(grep -c '^cycle [123]: unreachable: ' <<<"$output")" 3
	assert_equal "$(grep -c '^cycle [123]: available: ' <<<"$output")" 3
	section timeline | grep -q 'client  assoc [0-9]*: PEER_ADDR_CHANGE 10.131.1.2 port [0-9]* ADDR_UNREACHABLE'
	section timeline | grep -q 'client  assoc [0-9]*: PEER_ADDR_CHANGE 10.131.1.2 port [0-9]* ADDR_AVAILABLE'
	# The server saw the data change paths, and come back (failover.sh
	# reads that out of its line per message).
	section timeline | grep -q 'server  assoc [0-9]*: data now arrives from 10.131.2.1 (was 10.131.1.1)'
	section timeline | grep -q 'server  assoc [0-9]*: data now arrives from 10.131.1.1 (was 10.131.2.1)'
	# Failover: at least one RTO (rto_min), and under a second.
	failover=$(result failover)
	echo "failover median: $failover ms"
	((failover >= RTO_MIN - 50 && failover < 1000))
}

@test "with kernel defaults the same failover waits at least rto_min, a whole second" {
	NETNS+=("$(netns_name mhd)-client" "$(netns_name mhd)-server")
	# Hold the fault 4 s (unreachable would take about a minute), then
	# repair: the potentially failed path comes back on a heartbeat.
	run timeout 600 "$FAILOVER" -H 4 -n "$(netns_name mhd)"
	echo "$output"
	assert_success
	assert_line --regexp '^settings: rto_initial 3000 ms, rto_min 1000 ms, rto_max 60000 ms, hb_interval 30000 ms, path_max_retrans 5, pf_retrans 0, association_max_retrans 10, sack_timeout 200 ms$'
	assert_line --regexp '^summary: sent [0-9]+, echoed [0-9]+, missing 0, duplicated 0, out of order 0, wrong stream 0$'
	section timeline | grep -q 'client  assoc [0-9]*: PEER_ADDR_CHANGE 10.131.1.2 port [0-9]* ADDR_POTENTIALLY_FAILED'
	failover=$(result failover)
	echo "failover: $failover ms"
	((failover >= 1000 - 50))
}

@test "loopback only: losing 127.0.0.2 moves the client to 127.0.0.1, nothing lost" {
	new_netns mhlo
	run timeout 600 ip netns exec "$NS" "$FAILOVER" -l -f -k 3
	echo "$output"
	assert_success
	assert_line --regexp '^summary: sent [0-9]+, echoed [0-9]+, missing 0, duplicated 0, out of order 0, wrong stream 0$'
	assert_equal "$(section timeline | grep -c 'client  assoc [0-9]*: ASSOC_CHANGE COMM_UP')" 1
	assert_equal "$(grep -c '^cycle [123]: unreachable: ' <<<"$output")" 3
	assert_equal "$(grep -c '^cycle [123]: available: ' <<<"$output")" 3
	# The kernel's failover: the primary potentially failed, new data to
	# 127.0.0.1 (and the echoes went on: nothing missing, above).
	section timeline | grep -q 'client  assoc [0-9]*: PEER_ADDR_CHANGE 127.0.0.2 port [0-9]* ADDR_POTENTIALLY_FAILED'
	failover=$(result failover)
	echo "failover median: $failover ms"
	((failover >= RTO_MIN - 50 && failover < 1000))
}

@test "with every path broken the client reports COMM_LOST in the time its settings imply and exits 3" {
	NETNS+=("$(netns_name mha)-client" "$(netns_name mha)-server")
	run timeout 600 "$FAILOVER" -f -A -n "$(netns_name mha)"
	echo "$output"
	assert_success
	assert_line "client exit status: 3 (it exited by itself)"
	section timeline | grep -q 'client  assoc [0-9]*: ASSOC_CHANGE COMM_LOST'
	assert_equal "$(section timeline | grep -c 'client  assoc [0-9]*: ASSOC_CHANGE COMM_UP')" 1
	# association_max_retrans timeouts in a row, each at most an RTO
	# (capped at rto_max) or a heartbeat interval plus a jittered RTO
	# apart: that bounds the wait.
	lost=$(sed -nE 's/^first message never echoed: [0-9]+, sent ([0-9]+) ms before COMM_LOST$/\1/p' <<<"$output" | head -n1)
	limit=$(((ASSOC_MAX_RETRANS + 1) * (HB_INTERVAL + RTO_MAX * 3 / 2)))
	echo "COMM_LOST after $lost ms; the settings allow $limit ms"
	((lost >= RTO_MIN && lost <= limit))
}
