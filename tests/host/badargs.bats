#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# badargs: every program refuses a bad command line the same way -- one
# line on stderr that says why, then the usage, exit status 2, nothing on
# stdout -- and never crashes. -h prints the usage on stdout, exit 0.
#
# Table-driven: each row is PROGRAM, the arguments, and the reason the
# first stderr line must give (an extended regex, after "PROGRAM: "; the
# messages of getopt(3) name the program as it was run, path and all).
# None of these needs SCTP: a bad command line is refused before the
# first socket() (a row that got as far as a socket fails, as it should).

bats_require_minimum_version 1.5.0

load ../test_helper

# Every program; the TCP twins take the same options as their originals.
SERVERS=(echo/echo_server echo/echo_server_many echo/tcp_echo_server
	daytime/daytime_server multistream/stream_receiver
	multistream/tcp_stream_receiver multihome/multihome_server
	assoc/assoc_server)
CLIENTS=(echo/echo_client echo/tcp_echo_client daytime/daytime_client
	daytime/daytime_client_legacy
	multistream/stream_sender multistream/tcp_stream_sender
	multihome/multihome_client assoc/assoc_client)
ALL=(check/sctpcheck "${SERVERS[@]}" "${CLIENTS[@]}" events/sctp_events events/provoke)

# An address no host has (TEST-NET-1, RFC 5737): a server told to bind it
# fails at once, so a bad port that slips through cannot start a server.
NOWHERE=192.0.2.1
# A name that never resolves (RFC 6761), and fails without any network.
UNRESOLVABLE=nosuch.invalid

teardown() {
	stop_all
}

# bad PROG REASON ARGS...: PROG ARGS must be refused for REASON. Records
# a mismatch in $BATS_TEST_TMPDIR/failures instead of stopping, so one
# run shows every bad row of the table.
bad() {
	local prog=$1 reason=$2 name=${1##*/}
	shift 2
	# Plain redirections and builtins only: under emulation every fork
	# counts, and the table has a couple of hundred rows.
	local o=$BATS_TEST_TMPDIR/out e=$BATS_TEST_TMPDIR/err status=0
	local first= second= why= re="^(.*/)?$name: ($reason)"
	timeout 20 "$TOP/$prog" "$@" >"$o" 2>"$e" </dev/null || status=$?
	{ IFS= read -r first || :; IFS= read -r second || :; } <"$e"
	if ((status != 2)); then
		why="exit status $status, not 2"
	elif [[ -s $o ]]; then
		why="wrote to stdout"
	elif ! [[ $first =~ $re ]]; then
		why="first stderr line is '$first', not '$name: $reason'"
	elif [[ $second != "usage: $name "* ]]; then
		why="second stderr line is '$second', not the usage"
	fi
	if [[ -n $why ]]; then
		printf '%s' "$name" >>"$BATS_TEST_TMPDIR/failures"
		printf " '%s'" "$@" >>"$BATS_TEST_TMPDIR/failures"
		printf ': %s\n' "$why" >>"$BATS_TEST_TMPDIR/failures"
	fi
	return 0
}

# The rows every program with -a and -p shares. Servers get an address
# they cannot bind, clients a port nobody listens on, so a row that is
# wrongly accepted fails fast instead of running.
common_rows() {
	local prog=$1 where=(-a 127.0.0.1)
	[[ " ${SERVERS[*]} events/sctp_events " == *" $prog "* ]] && where=(-a "$NOWHERE")
	# util.h's next_opt() says "-Z: unknown option", "-p: needs a value".
	bad "$prog" "invalid option -- 'Z'|unknown option -Z|-Z: unknown option" -Z
	bad "$prog" "option requires an argument -- 'p'|option -p needs a value|-p: needs a value" -p
	# number_arg() says what the value is, "port:" (or "-p:").
	bad "$prog" "(port|-p): '70000' is not a number from 0 to 65535" "${where[@]}" -p 70000
	bad "$prog" "(port|-p): 'abc' is not a number" "${where[@]}" -p abc
	bad "$prog" "(port|-p): '-1' is not a number" "${where[@]}" -p -1
	bad "$prog" "(port|-p): '' is not a number" "${where[@]}" -p ''
	bad "$prog" "(port|-p): '0x10' is not a number" "${where[@]}" -p 0x10
	# strtoul() skips leading white space, and a sign after it.
	bad "$prog" "(port|-p): ' 9' is not a number" "${where[@]}" -p ' 9'
	bad "$prog" "(port|-p): ' -18446744073709551615' is not a number" "${where[@]}" \
		-p ' -18446744073709551615'
	bad "$prog" "$UNRESOLVABLE: " -a "$UNRESOLVABLE" -p 9
	bad "$prog" "unexpected argument|extra: unexpected argument" -p 9 extra
}

# check_table: fail the test with every recorded mismatch.
check_table() {
	if [ -s "$BATS_TEST_TMPDIR/failures" ]; then
		echo "bad command lines not refused as they should be:" >&2
		cat "$BATS_TEST_TMPDIR/failures" >&2
		return 1
	fi
}

@test "every program prints its usage on stdout with -h and exits 0" {
	local o=$BATS_TEST_TMPDIR/out e=$BATS_TEST_TMPDIR/err first status
	for prog in "${ALL[@]}"; do
		status=0
		"$TOP/$prog" -h >"$o" 2>"$e" </dev/null || status=$?
		first=
		IFS= read -r first <"$o" || :
		[[ $status == 0 && $first == "usage: "* && ! -s $e ]] ||
			echo "$prog -h: status $status, first line '$first'" >>"$BATS_TEST_TMPDIR/failures"
	done
	check_table
}

@test "sctpcheck refuses unknown options, bad timeouts and arguments" {
	bad check/sctpcheck "-Z: unknown option" -Z
	bad check/sctpcheck "--nosuch: unknown option" --nosuch
	bad check/sctpcheck "-t: needs a value" -t
	bad check/sctpcheck "-R: needs a value" -R
	bad check/sctpcheck "-k: needs a value" -k
	bad check/sctpcheck "timeout: '0' is not a number" -t 0
	bad check/sctpcheck "timeout: 'abc' is not a number" -t abc
	bad check/sctpcheck "timeout: '3601' is not a number" -t 3601
	bad check/sctpcheck "extra: unexpected argument" -j extra
	check_table
}

@test "echo_server refuses bad options, ports, hosts and stream counts" {
	common_rows echo/echo_server
	bad echo/echo_server "streams: '0' is not a number" -a "$NOWHERE" -i 0
	bad echo/echo_server "streams: '65536' is not a number" -a "$NOWHERE" -i 65536
	check_table
}

@test "echo_server_many refuses bad options, ports, hosts, stream counts and timeouts" {
	common_rows echo/echo_server_many
	bad echo/echo_server_many "streams: '0' is not a number" -a "$NOWHERE" -i 0
	bad echo/echo_server_many "streams: '65536' is not a number" -a "$NOWHERE" -i 65536
	bad echo/echo_server_many "seconds: '0' is not a number" -a "$NOWHERE" -t 0
	check_table
}

@test "tcp_echo_server refuses bad options, ports and hosts" {
	common_rows echo/tcp_echo_server
	check_table
}

@test "echo_client refuses bad options, ports, hosts, streams, counts and lengths" {
	common_rows echo/echo_client
	bad echo/echo_client "stream: '65535' is not a number" -p 9 -s 65535
	bad echo/echo_client "stream: '-1' is not a number" -p 9 -s -1
	bad echo/echo_client "count: '0' is not a number" -p 9 -c 0
	bad echo/echo_client "length: '0' is not a number" -p 9 -l 0
	bad echo/echo_client "length: '99999999999' is not a number" -p 9 -l 99999999999
	check_table
}

@test "tcp_echo_client refuses bad options, ports and hosts" {
	common_rows echo/tcp_echo_client
	check_table
}

@test "daytime_server refuses bad options, ports, hosts and stream counts" {
	common_rows daytime/daytime_server
	bad daytime/daytime_server "outbound streams: '0' is not a number" -a "$NOWHERE" -o 0
	bad daytime/daytime_server "outbound streams: '65536' is not a number" -a "$NOWHERE" -o 65536
	check_table
}

@test "daytime_client refuses bad options, ports, hosts and stream counts" {
	common_rows daytime/daytime_client
	bad daytime/daytime_client "inbound streams: '0' is not a number" -p 9 -i 0
	bad daytime/daytime_client "inbound streams: '65536' is not a number" -p 9 -i 65536
	check_table
}

@test "daytime_client_legacy refuses bad options, ports, hosts, stream counts and flags" {
	common_rows daytime/daytime_client_legacy
	bad daytime/daytime_client_legacy "inbound streams: '0' is not a number" -p 9 -i 0
	bad daytime/daytime_client_legacy "flags: 'x' is not a number" -p 9 -F x
	bad daytime/daytime_client_legacy "flags: '2147483648' is not a number" -p 9 -F 2147483648
	check_table
}

@test "stream_sender refuses bad options, ports, hosts, streams, counts, lengths and rates" {
	common_rows multistream/stream_sender
	bad multistream/stream_sender "streams: '0' is not a number" -p 9 -o 0
	bad multistream/stream_sender "streams: '65536' is not a number" -p 9 -o 65536
	bad multistream/stream_sender "stream: '65535' is not a number" -p 9 -s 65535
	bad multistream/stream_sender "count: '0' is not a number" -p 9 -c 0
	bad multistream/stream_sender "count: '10000001' is not a number" -p 9 -c 10000001
	bad multistream/stream_sender "length: '23' is not a number" -p 9 -l 23
	bad multistream/stream_sender "length: '65537' is not a number" -p 9 -l 65537
	bad multistream/stream_sender "rate: 'fast' is not a number" -p 9 -r fast
	check_table
}

@test "tcp_stream_sender refuses bad options, ports, hosts and counts" {
	common_rows multistream/tcp_stream_sender
	bad multistream/tcp_stream_sender "count: '0' is not a number" -p 9 -c 0
	check_table
}

@test "stream_receiver refuses bad options, ports, hosts and stream counts" {
	common_rows multistream/stream_receiver
	bad multistream/stream_receiver "streams: '0' is not a number" -a "$NOWHERE" -i 0
	bad multistream/stream_receiver "streams: '65536' is not a number" -a "$NOWHERE" -i 65536
	check_table
}

@test "tcp_stream_receiver refuses bad options, ports, hosts, and streams it has not" {
	common_rows multistream/tcp_stream_receiver
	bad multistream/tcp_stream_receiver "-i: TCP has no streams to grant" -a "$NOWHERE" -i 4
	check_table
}

@test "multihome_server refuses bad options, ports, hosts, settings and a 17th address" {
	common_rows multihome/multihome_server
	local many=()
	for i in $(seq 17); do many+=(-a "127.0.0.$i"); done
	bad multihome/multihome_server "-a: at most 16 addresses" "${many[@]}"
	bad multihome/multihome_server "-T: 'nope=1' is not NAME=VALUE" -a "$NOWHERE" -T nope=1
	bad multihome/multihome_server "-T: 'rto_min' is not NAME=VALUE" -a "$NOWHERE" -T rto_min
	bad multihome/multihome_server "rto_min: '0' is not a number" -a "$NOWHERE" -T rto_min=0
	bad multihome/multihome_server "pf_retrans: '65536' is not a number" -a "$NOWHERE" -T pf_retrans=65536
	check_table
}

@test "multihome_client refuses bad options, ports, hosts, settings and a 17th address" {
	common_rows multihome/multihome_client
	local many=()
	for i in $(seq 17); do many+=(-a "127.0.0.$i"); done
	bad multihome/multihome_client "-a: at most 16 addresses" "${many[@]}"
	bad multihome/multihome_client "-a: give the server's addresses"
	bad multihome/multihome_client "rto_min: 'x' is not a number" -a 127.0.0.1 -T rto_min=x
	bad multihome/multihome_client "stream: '65536' is not a number" -a 127.0.0.1 -s 65536
	bad multihome/multihome_client "rate: '0' is not a number" -a 127.0.0.1 -r 0
	check_table
}

@test "sctp_events and provoke refuse bad options, ports, hosts, types, streams and a 9th address" {
	common_rows events/sctp_events
	common_rows events/provoke
	local many=()
	for i in $(seq 9); do many+=(-a "127.0.0.$i"); done
	bad events/sctp_events "-a: too many" "${many[@]}"
	bad events/sctp_events "-e: unknown type name" -a "$NOWHERE" -e NOPE
	bad events/sctp_events "-k: takes KEY:SECRET" -a "$NOWHERE" -k nosecret
	bad events/sctp_events "-D: '0' is not a number" -a "$NOWHERE" -D 0
	bad events/provoke "-p: the server's port is needed" -a 127.0.0.1
	bad events/provoke "-R: takes out, in, assoc or add" -p 9 -R sideways
	bad events/provoke "-s: '65536' is not a number" -p 9 -s 65536
	bad events/provoke "-k: takes KEY:SECRET" -p 9 -k nosecret
	check_table
}

@test "assoc_server and assoc_client refuse bad options, ports, hosts, seconds and an empty message" {
	common_rows assoc/assoc_server
	common_rows assoc/assoc_client
	bad assoc/assoc_server "seconds: '3601' is not a number" -a "$NOWHERE" -t 3601
	bad assoc/assoc_server "-L: unknown option" -L
	bad assoc/assoc_server "-m: unknown option" -m hello
	bad assoc/assoc_client "seconds: 'x' is not a number" -t x
	bad assoc/assoc_client "-m: a message has one byte at least" -m ''
	bad assoc/assoc_client "-B: unknown option" -B
	check_table
}
