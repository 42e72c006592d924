#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# The READMEs, run: every command shown in README.md and in each lesson's
# README is run here, as the README shows it, and its output compared
# with the README's. So a README cannot drift from the code: change what
# a program prints, or add a command to a README without a test, and this
# file fails, naming the README and the line.
#
# tests/lib/readme.py reads the transcripts once, in setup_file: fenced
# blocks of "$ CMD", "# CMD" and "terminal N$ CMD" lines, each followed by
# its output, and ```sh blocks of plain commands. A test picks commands
# by README and a regular expression and runs the text read from the
# README, from the top of the tree:
#
#   - rd_session: the commands of one terminal, one after the other in
#     one bash on a pseudo-terminal (script(1)), as typed: $! and %1 mean
#     what they mean there, output is line-buffered, a background job's
#     lines land among the next commands' as they come. Each command's
#     part of the output is compared with the lines the README shows
#     under it; while jobs run in the background, the next command waits
#     for those lines first (a server's "listening on" line).
#   - rd_start: another terminal's server or capture, in the background,
#     waited for until ready; rd_stop sends it SIGINT, as Ctrl-C does.
#   - rd_expect queues a comparison, rd_verify makes them in one python
#     run: line by line, with numbers, hex values, IPv6 addresses and
#     dates left out (ports, times, PIDs, tags, byte counts), except in
#     what a test keeps (keep=: stream counts, exit statuses); a README
#     line "..." stands for any lines. Where the order or the presence of
#     some lines is not fixed, the test says why and how it compares.
#
# The last test checks that every command of every README was run by a
# test before it, or is in RD_ELSEWHERE with the reason and the test that
# covers it. Run the whole file: that test reads what the others ran.

bats_require_minimum_version 1.5.0

load test_helper

READMES=(README.md check/README.md echo/README.md daytime/README.md
	multistream/README.md multihome/README.md events/README.md udp/README.md
	assoc/README.md)

# Commands no test here runs, three fields each: README, a regular
# expression for the command, and why (and what covers it instead).
RD_ELSEWHERE=(
	README.md '^make demo ' "the tour itself: tests/tour.bats runs tests/tour.sh, which is all make demo runs"
	README.md '^make check ' "this very suite: make check runs this file"
	README.md '^make CC=clang ' "rebuilds every program (minutes under emulation): tests/host/build.bats, 'make CFLAGS=-O0 keeps the warnings, and a new compiler rebuilds everything'"
	README.md '^make WERROR=1 ' "rebuilds every program with other flags: tests/host/build.bats, 'make builds every program with zero warnings' (make WERROR=1 in a scratch copy)"
	README.md '^make install ' "installs outside the tree: tests/host/build.bats, 'make install: sctpcheck in bin, the samples in libexec/sctp-samples, ...' (into a DESTDIR)"
	README.md '^make uninstall ' "removes an install: tests/host/build.bats, '... uninstall takes it all back'"
	README.md '^make shellcheck ' "CI runs it (.ci/run); tests/host/build.bats, 'make shellcheck covers every shell script in the tree'"
	README.md '^make clean ' "would remove the programs the other tests run: tests/host/build.bats, 'make clean removes what make and make bench build' (in a scratch copy)"
	README.md '^make distclean ' "would remove the VM's kernel cache: tests/host/build.bats, '... distclean the VM cache and outputs too' (in a scratch copy)"
	README.md '^make format-check ' "needs no SCTP: tests/host/build.bats, 'make format-check accepts the tree and rejects a misformatted file'"
	README.md '^tests/tour\.sh daytime ' "half a minute of the tour: tests/tour.bats, 'a step runs alone: tests/tour.sh daytime', runs it as shown"
)

# Debian's python3: a version manager's shim can take seconds to start
# under emulation; -S (no site-packages) saves a little more.
PYTHON=${PYTHON:-/usr/bin/python3}

setup_file() {
	export RD=$BATS_FILE_TMPDIR/readme
	(cd "$TOP" && "$PYTHON" -S tests/lib/readme.py parse "$RD" "${READMES[@]}")
	: >"$BATS_FILE_TMPDIR/ran"
}

setup() {
	RD_ACT=$BATS_TEST_TMPDIR/act
	mkdir -p "$RD_ACT"
	RD_PLAN=$BATS_TEST_TMPDIR/plan
	: >"$RD_PLAN"
	RD_SESSIONS=0
	declare -gA RD_PID=()
	RD_NETNS=()
	RD_CLEANUP=()
	RD_MOUNTNS=
}

teardown() {
	local ns f
	stop_all
	for ns in "${RD_NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	for f in "${RD_CLEANUP[@]}"; do
		rm -rf "$f"
	done
}

# --- the README's commands --------------------------------------------

# rd_id FILE REGEX [NTH]: the ID of the one command of README FILE whose
# first line matches REGEX (an extended regular expression); with NTH,
# of the NTH of them (a command the README shows twice).
rd_id() {
	local id file line block term prompt first found=()
	while IFS=$'\t' read -r id file line block term prompt first; do
		[[ $file == "$1" && $first =~ $2 ]] && found+=("$id")
	done <"$RD/index"
	if [[ -n ${3:-} ]]; then
		((${#found[@]} >= $3)) ||
			{ fail "$1: ${#found[@]} commands match /$2/, no command $3"; return; }
		echo "${found[$3 - 1]}"
		return
	fi
	((${#found[@]} == 1)) ||
		{ fail "$1: ${#found[@]} commands match /$2/, not one: ${found[*]}"; return; }
	echo "${found[0]}"
}

# rd_ids ARRAY README REGEX...: rd_id of each REGEX, in order, appended
# to the caller's ARRAY.
rd_ids() {
	local -n rd_into=$1
	local rd_file=$2 rd_re
	shift 2
	for rd_re; do
		rd_into+=("$(rd_id "$rd_file" "$rd_re")")
	done
}

# rd_where ID: "FILE:LINE" of a command.
rd_where() {
	local id file line rest
	while IFS=$'\t' read -r id file line rest; do
		[[ $id == "$1" ]] && { echo "$file:$line"; return; }
	done <"$RD/index"
	echo "$1"
}

# rd_text FILE REGEX: the file holding the one block of README FILE that
# shows no command (output, a rule set, ...) and whose last line of text
# before it matches REGEX.
rd_text() {
	local id file line prose found=()
	while IFS=$'\t' read -r id file line prose; do
		[[ $file == "$1" && $prose =~ $2 ]] && found+=("$id")
	done <"$RD/blocks"
	((${#found[@]} == 1)) ||
		{ fail "$1: ${#found[@]} blocks follow a line matching /$2/, not one: ${found[*]}"; return; }
	echo "$RD/${found[0]}.txt"
}

# rd_count FILE: the lines of FILE, "..." lines left out: what a command
# must have printed at least.
rd_count() {
	local lines line n=0
	mapfile -t lines <"$1"
	for line in "${lines[@]}"; do
		[[ $line =~ ^[[:space:]]*\.\.\.[[:space:]]*$ ]] || n=$((n + 1))
	done
	echo "$n"
}

# rd_wait_lines FILE N [SECONDS]: wait until FILE has N lines.
rd_wait_lines() {
	local lines deadline=$((SECONDS + ${3:-$READY_TIMEOUT}))
	while :; do
		lines=()
		[[ -r $1 ]] && mapfile -t lines <"$1"
		((${#lines[@]} >= $2)) && return 0
		((SECONDS < deadline)) || return 1
		nap 0.05
	done
}

# rd_session [-C DIR] [-n NETNS] ID...: run these commands
# one after the other in one bash, as typed in one terminal, from the top
# of the tree (or DIR, where a command reads a file the test made; in
# network namespace NETNS). Everything goes to one file, as to a
# terminal: each command's output, and that of the jobs it leaves in the
# background, wherever it comes; each command's part of it (from the
# command to the next one) then goes to $RD_ACT/ID, its exit status to
# $RD_ACT/ID.status. While jobs run in the background, each command waits
# until the one before has printed as many lines as the README shows
# under it (as one waits for a server's "listening on" line, or for its
# "closed" line, before typing on). Then what was printed is kept, and the
# jobs still running are stopped (TERM), as closing the terminal would.
rd_session() {
	local dir=$TOP netns= script log id cmd
	while [[ $1 == -? ]]; do
		case $1 in
		-C) dir=$2 ;;
		-n) netns=$2 ;;
		esac
		shift 2
	done
	local ids=("$@")
	RD_SESSIONS=$((RD_SESSIONS + 1))
	script=$BATS_TEST_TMPDIR/session.$RD_SESSIONS.sh
	log=$BATS_TEST_TMPDIR/session.$RD_SESSIONS.log
	{
		echo 'exec </dev/null'
		printf 'cd %q || exit 1\n' "$dir"
		echo 'source "$TOP/tests/lib/wait.bash"'
		declare -f rd_wait_after
		echo "READY_TIMEOUT=$READY_TIMEOUT"
		echo '__rd_status() { return "$1"; }'
		# Root needs no sudo, and a minimal system may have none.
		if ((EUID == 0)) && ! command -v sudo >/dev/null; then
			echo 'sudo() { "$@"; }'
		fi
		echo '__rd_st=0'
		for id in "${ids[@]}"; do
			echo "$id" >>"$BATS_FILE_TMPDIR/ran"
			cmd=$(<"$RD/$id.cmd")
			# The marker that starts this command's part of the log.
			printf 'printf "\\036%%s\\n" %q\n' "$id"
			printf '__rd_status "$__rd_st"\n%s\n' "$cmd"
			printf '__rd_st=$?; echo "$__rd_st" >%q\n' "$RD_ACT/$id.status"
			printf 'jobs -p >>%q\n' "$BATS_TEST_TMPDIR/pids"
			printf '__rd_j=$(jobs -p); [[ -z $__rd_j ]] || rd_wait_after %q %q %d\n' \
				"$log" "$id" "$(rd_count "$RD/$id.out")"
		done
		printf 'mapfile -t __rd_l <%q\n' "$log"
		printf 'printf "%%s\\n" "${__rd_l[@]}" >%q\n' "$log.kept"
		echo '__rd_jobs=$(jobs -p)'
		echo 'if [[ -n $__rd_jobs ]]; then'
		echo '	kill -TERM $__rd_jobs 2>/dev/null; kill -CONT $__rd_jobs 2>/dev/null'
		echo '	for p in $__rd_jobs; do wait_gone "$p" 10 || kill -KILL "$p" 2>/dev/null; done'
		echo '	wait'
		echo 'fi'
	} >"$script"
	# A terminal: script(1) runs the session on a pseudo-terminal, so that
	# the programs' stdout is line-buffered, as it is when one types.
	local run=(script -qefc "bash $(printf %q "$script")" /dev/null)
	[[ -z $netns ]] || run=(ip netns exec "$netns" "${run[@]}")
	[[ -z $RD_MOUNTNS ]] || run=(nsenter -t "$RD_MOUNTNS" -m -- "${run[@]}")
	timeout 900 "${run[@]}" >"$log" 2>&1 ||
		fail "the session's script failed: $(cat "$log")"
	rd_split "$log.kept"
}

# rd_wait_after LOG ID N: wait until LOG has N lines after ID's marker.
rd_wait_after() {
	local lines line n=-1 deadline=$((SECONDS + READY_TIMEOUT))
	while :; do
		mapfile -t lines <"$1"
		n=-1
		for line in "${lines[@]}"; do
			line=${line%$'\r'}
			if [[ $line == *$'\036'"$2" ]]; then
				n=0
			elif ((n >= 0)) && [[ $line != *$'\036'* ]]; then
				n=$((n + 1))
			fi
		done
		((n >= $3)) && return 0
		((SECONDS < deadline)) || return 1
		nap 0.05
	done
}

# rd_split LOG: each command's part of a session's LOG into $RD_ACT/ID.
rd_split() {
	local lines line id=
	local -A part=()
	mapfile -t lines <"$1"
	for line in "${lines[@]}"; do
		line=${line%$'\r'} # the terminal's end of line
		if [[ $line == *$'\036'* ]]; then
			# Output without a newline at its end, then the marker.
			[[ -z $id || -z ${line%%$'\036'*} ]] || part[$id]+=${line%%$'\036'*}$'\n'
			id=${line#*$'\036'}
			part[$id]=
		elif [[ -n $id ]]; then
			part[$id]+=$line$'\n'
		fi
	done
	for id in "${!part[@]}"; do
		printf '%s' "${part[$id]}" >"$RD_ACT/$id"
	done
}

# rd_start [-e] NAME ID [READY]: start command ID in the background, as in
# another terminal, from the top of the tree; its output (stdout and
# stderr) in $RD_ACT/NAME, and wait for a line matching READY (default: a
# server's "listening on ADDR port N"). -e: stderr apart, in NAME.err,
# where READY is looked for (tshark's status lines). SIGINT is not
# ignored (as it is for background jobs): rd_stop sends it, as Ctrl-C.
rd_start() {
	local apart=0
	[[ $1 == -e ]] && { apart=1; shift; }
	local name=$1 id=$2 ready=${3-'^listening on .* port [0-9]+$'} err
	echo "$id" >>"$BATS_FILE_TMPDIR/ran"
	err=$RD_ACT/$name
	((apart)) && err=$RD_ACT/$name.err
	local run=(env --default-signal=INT bash -c "$(<"$RD/$id.cmd")")
	[[ -z $RD_MOUNTNS ]] || run=(nsenter -t "$RD_MOUNTNS" -m -- "${run[@]}")
	(cd "$TOP" && exec "${run[@]}") \
		>"$RD_ACT/$name" 2>>"$err" 3>&- &
	RD_PID[$name]=$!
	echo "$!" >>"$BATS_TEST_TMPDIR/pids"
	[[ -z $ready ]] || wait_for_line "$err" "$ready" 300
}

# rd_stop NAME [SIGNAL]: stop what rd_start started (SIGINT by default).
rd_stop() {
	stop_pid "${RD_PID[$1]}" "${2:-INT}" || :
}

# rd_keep NAME FILE [FROM]: into FILE, what NAME (started by rd_start)
# has printed so far, after its first FROM lines: what that terminal
# shows at this point.
rd_keep() {
	local lines
	mapfile -t -s "${3:-0}" lines <"$RD_ACT/$1"
	if ((${#lines[@]})); then
		printf '%s\n' "${lines[@]}" >"$2"
	else
		: >"$2"
	fi
}

# rd_lines NAME: how many lines NAME has printed so far.
rd_lines() {
	local lines
	mapfile -t lines <"$RD_ACT/$1"
	echo "${#lines[@]}"
}

# --- comparing --------------------------------------------------------

# rd_expect EXPECTED ACTUAL WHERE [OPTION]...: queue a comparison of the
# file ACTUAL with the README's lines in EXPECTED (options: readme.py).
rd_expect() {
	local IFS=$'\t'
	echo "$*" >>"$RD_PLAN"
}

# rd_out ID [OPTION]...: queue the comparison of command ID's output (as
# rd_session keeps it) with the lines the README shows under it. A
# command shown without output must also succeed.
rd_out() {
	local id=$1
	shift
	rd_expect "$RD/$id.out" "$RD_ACT/$id" "$(rd_where "$id")" "$@"
	if [[ ! -s $RD/$id.out && -f $RD_ACT/$id.status ]]; then
		[[ $(<"$RD_ACT/$id.status") == 0 ]] ||
			fail "$(rd_where "$id"): exit status $(<"$RD_ACT/$id.status"), the README shows it succeed: $(cat "$RD_ACT/$id")"
	fi
}

# rd_verify: make the queued comparisons; fail with every difference.
rd_verify() {
	run "$PYTHON" -S "$TOP/tests/lib/readme.py" check "$RD_PLAN"
	((status == 0)) || fail "$output"
	: >"$RD_PLAN"
}

# rd_succeeds ID...: these commands (of a ```sh block: no output shown)
# exited 0.
rd_succeeds() {
	local id
	for id; do
		[[ $(<"$RD_ACT/$id.status") == 0 ]] ||
			fail "$(rd_where "$id"): exit status $(<"$RD_ACT/$id.status"): $(cat "$RD_ACT/$id")"
	done
}

# rd_netns NAME: a fresh network namespace NAME with lo up, deleted in
# teardown (fails if one of that name is there already).
rd_netns() {
	ip netns add "$1" || fail "cannot create namespace $1"
	RD_NETNS+=("$1")
	ip -n "$1" link set lo up
}

# rd_make_env: for a README's "make", the variables the tree was built
# with (make records its command line in .cache/build-flags: CC, and
# -Werror for WERROR=1, -fsanitize for SANITIZE=1), so that it finds
# everything built, as it does where one types it. (In the VM, make
# check's environment is not all there, and a rebuild under emulation
# takes minutes.)
rd_make_env() {
	local flags
	[[ -r $TOP/.cache/build-flags ]] || return 0
	flags=$(<"$TOP/.cache/build-flags")
	export CC=${flags%% *}
	if [[ $flags == *" -Werror"* ]]; then export WERROR=1; fi
	if [[ $flags == *-fsanitize=* ]]; then export SANITIZE=1; fi
}

# rd_private PATH...: the README's commands of this test write to PATH
# (/tmp/lab, ...), which may be someone's own: from here on they run in a
# mount namespace of their own, where an empty tmpfs lies over each PATH
# (created empty if need be, removed after), and leave nothing behind.
rd_private() {
	local p
	for p; do
		if [[ ! -e $p ]]; then
			mkdir "$p"
			RD_CLEANUP+=("$p")
		fi
	done
	# It lives as long as the test: sessions and servers join it.
	unshare -m --propagation private bash -c \
		'for p; do mount -t tmpfs readme "$p" || exit; done; echo ready; exec sleep 3600' \
		_ "$@" >"$BATS_TEST_TMPDIR/mountns" 2>&1 3>&- &
	RD_MOUNTNS=$!
	echo "$RD_MOUNTNS" >>"$BATS_TEST_TMPDIR/pids"
	wait_for_line "$BATS_TEST_TMPDIR/mountns" '^ready$'
}

# --- README.md --------------------------------------------------------

@test "README.md: make, the kernel check (check/README.md's example output), the tour's steps" {
	local check build list example
	check=$(rd_id README.md '^make && check/sctpcheck$')
	build=$(rd_id README.md '^make +#')
	list=$(rd_id README.md '^tests/tour\.sh --list')
	rd_make_env
	rd_session "$build" "$check" "$list"
	rd_succeeds "$build" "$check" "$list"
	# After make (nothing to do: make check built it all), sctpcheck's
	# report, as check/README.md shows it on Debian's kernel.
	example=$(rd_text check/README.md '^On a Debian 12 kernel')
	rd_expect "$example" "$RD_ACT/$check" "check/README.md, example output (for README.md's make && check/sctpcheck)" \
		optional='^make(\[[0-9]+\])?: |^(cc|gcc|clang) '
	rd_verify
	run cat "$RD_ACT/$list"
	assert_equal "${#lines[@]}" 6
}

@test "README.md: a wildcard listener and ss; the nftables rule, in Debian's default rule set" {
	local server ss rule ns
	server=$(rd_id README.md '^multihome/multihome_server -p 0')
	ss=$(rd_id README.md '^ss -A sctp -lnp$')
	rd_session "$server" "$ss"
	rd_out "$server" keep='[0-9]+ addresses'
	rd_out "$ss"
	# The rule goes into the table and chain of Debian's stock
	# /etc/nftables.conf; in a namespace of its own, so that the rule set
	# of the machine the suite runs on is not touched.
	rule=$(rd_id README.md '^nft add rule inet filter input')
	ns=$(netns_name nft)
	rd_netns "$ns"
	ip netns exec "$ns" nft -f - <<-'NFT'
		table inet filter {
			chain input { type filter hook input priority filter; }
			chain forward { type filter hook forward priority filter; }
			chain output { type filter hook output priority filter; }
		}
	NFT
	rd_session -n "$ns" "$rule"
	rd_succeeds "$rule"
	run ip netns exec "$ns" nft list chain inet filter input
	assert_line --regexp '^[[:space:]]*(meta l4proto sctp )?sctp dport 2013 accept$'
	rd_verify
}

@test "README.md: the handshake's tags, read from a capture of the tour's echo step" {
	# README.md reads tour-out/2-echo.pcap, the tour's capture of its echo
	# step. The same exchange is captured here (echo_server -v, then
	# echo_client -m hello -m world, then the TCP twins, as tests/tour.sh
	# runs them) into a tour-out/ of this test, and the command is run
	# from there.
	local dir=$BATS_TEST_TMPDIR/tree cmd
	mkdir -p "$dir/tour-out"
	dumpcap_start sctp "$dir/tour-out/2-echo.pcap"
	start_server "$TOP/echo/echo_server" -p 0 -v
	run timeout 30 "$TOP/echo/echo_client" -p "$SERVER_PORT" -m hello -m world
	assert_success
	stop_pid "$SERVER_PID"
	SERVER_NAME=tcp start_server "$TOP/echo/tcp_echo_server" -p 0 -v
	run timeout 30 "$TOP/echo/tcp_echo_client" -p "$SERVER_PORT" -m hello
	assert_success
	capture_stop
	cmd=$(rd_id README.md '^tshark -r tour-out/2-echo\.pcap')
	rd_session -C "$dir" "$cmd"
	# The handshake and the shutdown, with their tags, as shown; which
	# DATA and SACK chunks share a packet in between is the timing's.
	rd_out "$cmd" keep='0x00000000' optional='DATA|SACK'
	rd_verify
}

@test "README.md: the wire lessons' tshark commands, on a capture of the same kinds of exchange" {
	# README.md's wire.pcap is tests/wire.bats' capture (SCTP_WIRE_KEEP),
	# of which it shows excerpts. A capture of the same kinds of exchange
	# is made here, as wire.pcap, and every command is run on it:
	#   - frames 13 to 16 and 43 to 54 (excerpts of that long capture):
	#     the same shape, up to the chunks (frame, time, addresses,
	#     protocol, length); what the chunks are is tests/wire.bats' to
	#     check, on its own capture;
	#   - the INIT_ACKs of a wildcard listener (README.md's port, from the
	#     command) to clients over 127.0.0.1 and ::1: the same lines;
	#   - README.md's firewall rule set, loaded as it shows it: INIT and
	#     INIT_ACK to the port it admits, then one INIT and two
	#     retransmissions to another, never answered: the same lines.
	local dir=$BATS_TEST_TMPDIR/tree excerpt1 excerpt2 inits wildcard
	local port ruleset open closed ns in
	excerpt1=$(rd_id README.md "^tshark -r wire\\.pcap -Y 'frame\\.number >= 13")
	excerpt2=$(rd_id README.md "^tshark -r wire\\.pcap -Y 'frame\\.number >= 43")
	wildcard=$(rd_id README.md "^tshark -r wire\\.pcap -Y 'sctp\\.chunk_type == 2 ")
	inits=$(rd_id README.md "^tshark -r wire\\.pcap -Y 'sctp\\.chunk_type == 1 ")
	# In a network namespace of its own: the rule set drops SCTP.
	ns=$(netns_name wire)
	rd_netns "$ns"
	in=(ip netns exec "$ns")
	# Ephemeral ports above the ones tshark names a payload by (36412 to
	# 38472: S1AP, X2AP, NGAP, XnAP ...): a DATA chunk to or from 38422
	# reads "XnAP ... [Malformed Packet]", not "SCTP ... DATA".
	"${in[@]}" sysctl -qw net.ipv4.ip_local_port_range="39000 60999"
	mkdir -p "$dir"
	dumpcap_start sctp "$dir/wire.pcap" "$ns"

	# More than 54 frames of IPv4 SCTP first, however the kernel bundles
	# chunks: an association is at least 9 (the handshake's 4, a DATA,
	# its echo, SHUTDOWN's 3), and 8 of them make 72 or more.
	start_server "${in[@]}" "$TOP/echo/echo_server" -p 0
	run timeout 60 "${in[@]}" bash -c '
		for i in 1 2 3 4 5 6 7 8; do "$1" -p "$2" -m hello || exit; done' \
		_ "$TOP/echo/echo_client" "$SERVER_PORT"
	assert_success

	[[ $(<"$RD/$wildcard.cmd") =~ sctp\.srcport\ ==\ ([0-9]+) ]] ||
		fail "no port in $(rd_where "$wildcard")"
	port=${BASH_REMATCH[1]}
	SERVER_NAME=wildcard start_server "${in[@]}" "$TOP/multihome/multihome_server" -p "$port"
	run timeout 30 "${in[@]}" "$TOP/echo/echo_client" -a 127.0.0.1 -p "$port" -m hi
	assert_success
	run timeout 30 "${in[@]}" "$TOP/echo/echo_client" -a ::1 -p "$port" -m hi
	assert_success

	ruleset=$(rd_text README.md 'drops the rest:$')
	[[ $(<"$ruleset") =~ sctp\ dport\ ([0-9]+)\ accept ]] ||
		fail "no port in README.md's rule set"
	open=${BASH_REMATCH[1]}
	"${in[@]}" nft -f "$ruleset"
	SERVER_NAME=open start_server "${in[@]}" "$TOP/echo/echo_server" -p "$open"
	SERVER_NAME=closed start_server "${in[@]}" "$TOP/echo/echo_server" -p 0
	closed=$SERVER_PORT
	run timeout 30 "${in[@]}" "$TOP/echo/echo_client" -p "$open" -m hi
	assert_success
	# INIT timers cut short: 200 ms initial RTO, 2 retransmissions.
	run timeout 30 "${in[@]}" "$TOP/multihome/multihome_client" -a 127.0.0.1 -p "$closed" -c 1 \
		-T rto_initial=200 -T max_init_retransmits=2
	assert_failure
	capture_stop

	rd_session -C "$dir" "$excerpt1" "$excerpt2" "$wildcard" "$inits"
	rd_out "$excerpt1" fields=7
	rd_out "$excerpt2" fields=7
	rd_out "$wildcard"
	rd_out "$inits"
	rd_verify
}

# --- check/README.md --------------------------------------------------

@test "check/README.md lab: a seccomp filter, -j for scripts, a blacklisted module in a fake tree, tunables per namespace" {
	local seccomp json tree=() netns=() id
	seccomp=$(rd_id check/README.md '^tests/seccomp-deny EPERM')
	json=$(rd_id check/README.md '^check/sctpcheck -j ')
	rd_session "$seccomp" "$json"
	rd_out "$seccomp" keep='.+'
	rd_out "$json" keep='.+'

	# The commands create the namespace "lab" themselves.
	! ip netns list | grep -qw lab || fail "a network namespace 'lab' is there already"
	RD_NETNS+=(lab)
	rd_ids netns check/README.md '^ip netns add lab' '^ip netns exec lab sysctl' '^ip netns exec lab check/sctpcheck'
	rd_session "${netns[@]}"
	for id in "${netns[@]}"; do
		rd_out "$id" keep='.+'
	done

	rd_private /tmp/lab
	rd_ids tree check/README.md '^mkdir -p /tmp/lab/' '^: > /tmp/lab/proc/modules' '^: > /tmp/lab/lib/modules' \
		"^echo 'blacklist sctp'" '^check/sctpcheck -R /tmp/lab -k 6\.1\.0-lab$' '^sed -i ' \
		'^check/sctpcheck -R /tmp/lab -k 6\.1\.0-lab \| head -1'
	rd_session "${tree[@]}"
	for id in "${tree[@]}"; do
		rd_out "$id" keep='.+'
	done

	rd_verify
}

# --- echo/README.md ---------------------------------------------------

@test "echo/README.md: the TCP/SCTP diff, message boundaries, EMSGSIZE, a stream not granted, socat's shut-none" {
	local diff server boundaries=() clients=() id
	diff=$(rd_id echo/README.md '^diff <\(gcc ')
	rd_session "$diff"
	rd_out "$diff" keep='.+'

	rd_ids boundaries echo/README.md '^echo/echo_server -p 4000 &$' '^kill -STOP' '^echo/echo_client -p 4000 -m one -m two '
	rd_session "${boundaries[@]}"
	for id in "${boundaries[@]}"; do
		rd_out "$id" keep='after [0-9]+ messages'
	done

	# Terminal 1's server for the three clients: the EMSGSIZE and socat
	# examples show none of their own, and connect to the default port.
	server=$(rd_id echo/README.md '^echo/echo_server -i 4$')
	rd_start t1 "$server"
	rd_keep t1 "$RD_ACT/t1.ready"
	rd_expect "$RD/$server.out" "$RD_ACT/t1.ready" "$(rd_where "$server")"
	rd_ids clients echo/README.md '^echo/echo_client -s 6 ' '^echo/echo_client -l 1000000$' '^echo hi \| socat '
	rd_session "${clients[@]}"
	rd_out "${clients[0]}" keep='.+'
	rd_out "${clients[1]}" keep='.+'
	rd_out "${clients[2]}"
	rd_stop t1
	rd_verify
}

@test "echo/README.md: withsctp carries the TCP twin, webfsd and curl (HTTP in DATA chunks, tshark), sshd and ssh over SCTP" {
	local twin=() web client plain make id
	rd_ids twin echo/README.md '^withsctp echo/tcp_echo_server &$' '^ls -l /proc/\$!/fd' '^head -1 /proc/net/sctp/eps' \
		"^ss -Htln " "^ss -Hln --sctp " '^withsctp echo/tcp_echo_client ' '^echo/echo_client -m hi '
	rd_session "${twin[@]}"
	for id in "${twin[@]}"; do
		rd_out "$id" keep=' 2 10 |after [0-9]+ messages'
	done

	make=$(rd_id echo/README.md '^mkdir -p /tmp/www ')
	web=$(rd_id echo/README.md '^withsctp webfsd ')
	client=$(rd_id echo/README.md '^withsctp curl [^;]*$')
	plain=$(rd_id echo/README.md '^curl -s ')
	rd_private /tmp/www /tmp/ssh-sctp
	rd_session "$make"
	rd_out "$make"
	# webfsd -F says nothing when it is ready: wait for its endpoint.
	rd_start webfsd "$web" ''
	wait_for_line /proc/net/sctp/eps ' 8000 ' 60
	rd_session "$client" "$plain"
	rd_out "$client"
	rd_out "$plain" keep='^[0-9]+$'
	# The same exchange over TCP, both captured: HTTP in DATA chunks
	# (type 0) against plain segments. Whether webfsd's two writes of
	# the response leave in one packet over SCTP is the timing's: the
	# request and the response's first line are compared as they are.
	local http=()
	RD_CLEANUP+=(/tmp/http.pcap)
	rd_ids http echo/README.md '^webfsd -F -4 .* -p 8001 ' '^rm -f /tmp/http\.pcap; dumpcap ' '^until \[ -s /tmp/http\.pcap \]' \
		'^withsctp curl .*; curl ' '^sleep 1; kill -INT ' '^tshark -r /tmp/http\.pcap '
	rd_session "${http[@]}"
	for id in "${http[@]::5}"; do rd_out "$id"; done
	rd_out "${http[5]}" only='GET|200' keep='.+'
	rd_stop webfsd TERM

	# sshd and ssh, the same way; sshd logs each login after the line it
	# is ready with, and the README shows "..." for them.
	local keys=() sshd ssh refused
	rd_ids keys echo/README.md '^mkdir -p /tmp/ssh-sctp ' '^ssh-keygen '
	sshd=$(rd_id echo/README.md '^withsctp /usr/sbin/sshd ')
	ssh=$(rd_id echo/README.md '^withsctp ssh ')
	refused=$(rd_id echo/README.md '^ssh -p 2222 ')
	rd_session "${keys[@]}"
	for id in "${keys[@]}"; do rd_out "$id"; done
	# sshd -e ends its lines with \r\n.
	rd_start sshd "$sshd" '^Server listening on 127\.0\.0\.1 port 2222\.'
	rd_session "$ssh" "$refused"
	rd_out "$ssh"
	rd_out "$refused" keep='^[0-9]+$'
	rd_stop sshd TERM
	tr -d '\r' <"$RD_ACT/sshd" >"$RD_ACT/sshd.log"
	rd_expect "$RD/$sshd.out" "$RD_ACT/sshd.log" "$(rd_where "$sshd")"
	rd_verify
}

@test "echo/README.md: out of descriptors, a warning a second, served again once the limit is raised (prlimit)" {
	local ids=() id n
	rd_ids ids echo/README.md '^echo/echo_server -p 4000 & srv=\$!$' '^prlimit --pid \$srv --nofile=4:$' \
		'^echo/echo_client -p 4000 -m one; sleep 2$' '^echo/echo_client -p 4000 -m two & sleep 2$' \
		'^prlimit --pid \$srv --nofile=1024:; wait' '^kill \$srv$'
	rd_session "${ids[@]}"
	# How many warnings fit in each 2 s is the timing's: left out of the
	# comparison, and counted here (one a second, no flood).
	for id in "${ids[@]}"; do
		rd_out "$id" optional='Too many open files$'
	done
	for id in "${ids[2]}" "${ids[3]}"; do
		n=$(grep -c '^echo_server: accept (retrying in 1 s): Too many open files$' "$RD_ACT/$id")
		((n >= 1 && n <= 4)) || fail "$(rd_where "$id"): $n warnings in 2 s: $(cat "$RD_ACT/$id")"
	done
	rd_verify
}

@test "echo/README.md lab: streams on a one-to-many server, in two terminals" {
	local server clients=() meanwhile
	server=$(rd_id echo/README.md '^echo/echo_server_many -v -i 4$')
	rd_ids clients echo/README.md '^echo/echo_client -v -s 3 ' '^echo/echo_client -s 5 ' "^printf 'one"
	rd_start t1 "$server"
	rd_session "${clients[@]}"
	rd_out "${clients[0]}" keep='[0-9]+ streams out, [0-9]+ in|bytes on stream [0-9]+|^[0-9]+ echoes'
	rd_out "${clients[1]}" keep='.+'
	rd_out "${clients[2]}"
	# Terminal 1: its first line, then "meanwhile", up to Ctrl-C.
	meanwhile=$(rd_text echo/README.md '^Terminal 1 meanwhile')
	cat "$RD/$server.out" "$meanwhile" >"$BATS_TEST_TMPDIR/t1.expected"
	rd_wait_lines "$RD_ACT/t1" $(($(rd_count "$BATS_TEST_TMPDIR/t1.expected") - 2))
	rd_stop t1 INT
	rd_expect "$BATS_TEST_TMPDIR/t1.expected" "$RD_ACT/t1" "$(rd_where "$server") and the block after it ('Terminal 1 meanwhile')" \
		keep='[0-9]+ streams in, [0-9]+ out|bytes on stream [0-9]+|after [0-9]+ messages|stopped after [0-9]+ messages'
	assert_equal "$STOP_STATUS" 0
	rd_verify
}

# --- daytime/README.md ------------------------------------------------

@test "daytime/README.md: the opening example, server and client" {
	local server client
	server=$(rd_id daytime/README.md '^TZ=Asia/Kolkata daytime/daytime_server$' 1)
	client=$(rd_id daytime/README.md '^daytime/daytime_client$' 1)
	rd_start t1 "$server"
	rd_session "$client"
	rd_wait_lines "$RD_ACT/t1" "$(rd_count "$RD/$server.out")"
	rd_stop t1
	rd_expect "$RD/$server.out" "$RD_ACT/t1" "$(rd_where "$server")" keep='stream [0-9], GMT on stream [0-9]'
	# The order of the two lines is the order they arrive in: not
	# promised (daytime/README.md, "Client exit status").
	rd_out "$client" set
	rd_verify
}

@test "daytime/README.md lab: one instant in two zones, the streams, on the wire, the refusal, ncat" {
	local server client verbose wire fields refused ncat t1 refusal
	server=$(rd_id daytime/README.md '^TZ=Asia/Kolkata daytime/daytime_server$' 2)
	client=$(rd_id daytime/README.md '^daytime/daytime_client$' 2)
	verbose=$(rd_id daytime/README.md '^daytime/daytime_client -v$')
	wire=$(rd_id daytime/README.md "^tshark -i lo -f 'sctp port 3013'$")
	fields=$(rd_id daytime/README.md "^tshark -i lo -f 'sctp port 3013' -T fields")
	refused=$(rd_id daytime/README.md '^daytime/daytime_client -i 1;')
	ncat=$(rd_id daytime/README.md '^ncat --sctp ')

	# 1. Terminal 1 as the README shows it, then terminal 2.
	rd_start t1 "$server"
	rd_keep t1 "$RD_ACT/t1.ready"
	rd_expect "$RD/$server.out" "$RD_ACT/t1.ready" "$(rd_where "$server")"
	rd_session "$client"
	rd_out "$client" set
	# 2. The order of the lines is the order of arrival (see above).
	rd_session "$verbose"
	rd_out "$verbose" set keep='[0-9]+ inbound stream\(s\), [0-9]+ outbound|stream [0-9]+ ssn [0-9]+ ppid [0-9]+'
	# 3. Both captures of terminal 3 at once, then the client again.
	rd_start -e wire "$wire" 'Capturing on'
	rd_start -e fields "$fields" 'Capturing on'
	rd_session "$client"
	rd_out "$client" set
	nap 0.5 # packets already sent; give the kernel time to hand them over
	rd_stop wire
	rd_stop fields
	# Which end sends SHUTDOWN first, or both at once, varies, and so
	# does where the client's SACK falls (as the README says): neither
	# SHUTDOWN nor SACK packets are compared.
	rd_expect "$RD/$wire.out" "$RD_ACT/wire" "$(rd_where "$wire")" optional='SHUTDOWN|SACK'
	rd_expect "$RD/$fields.out" "$RD_ACT/fields" "$(rd_where "$fields")" keep='.+'
	# 4. The refusal, and terminal 1's warning.
	t1=$(rd_lines t1)
	rd_session "$refused"
	rd_out "$refused" keep='.+'
	refusal=$(rd_text daytime/README.md '^and in terminal 1:$')
	rd_wait_lines "$RD_ACT/t1" $((t1 + 1))
	rd_keep t1 "$RD_ACT/t1.refusal" "$t1"
	rd_expect "$refusal" "$RD_ACT/t1.refusal" "daytime/README.md, the block after 'and in terminal 1:'" keep='only [0-9]+ outbound stream\(s\) granted, need [0-9]+'
	# 5. A reader that knows nothing about streams (arrival order again).
	rd_session "$ncat"
	rd_out "$ncat" set
	rd_stop t1
	rd_verify
}

@test "daytime/README.md: the legacy client, and each pitfall it shows" {
	local server ids=() id
	server=$(rd_id daytime/README.md '^TZ=Asia/Kolkata daytime/daytime_server$' 2)
	rd_ids ids daytime/README.md '^daytime/daytime_client_legacy$' \
		'^daytime/daytime_client_legacy -n;' '^daytime/daytime_client_legacy -n -i 1;' \
		'^daytime/daytime_client_legacy -F 32896$' '^daytime/daytime_client_legacy -F 2;'
	rd_start t1 "$server"
	rd_session "${ids[@]}"
	# Lines in arrival order (see the lab test above).
	rd_out "${ids[0]}" set
	for id in "${ids[@]:1:2}" "${ids[4]}"; do
		rd_out "$id" keep='exit status [0-9]+|stream [0-9]+|[0-9]+ stream\(s\)'
	done
	rd_out "${ids[3]}" set
	rd_stop t1
	rd_verify
}

# rd_sudo: for a README's sudo, when root has none (a minimal system, the
# VM): a sudo in PATH that runs the command as it is, as root's would.
rd_sudo() {
	if ((EUID == 0)) && ! command -v sudo >/dev/null; then
		mkdir -p "$BATS_TEST_TMPDIR/bin"
		printf '#!/bin/sh\nexec "$@"\n' >"$BATS_TEST_TMPDIR/bin/sudo"
		chmod +x "$BATS_TEST_TMPDIR/bin/sudo"
		PATH=$BATS_TEST_TMPDIR/bin:$PATH
	fi
}

@test "daytime/README.md: port 13 with sudo, then with the capability alone (setcap) on a copy of the server" {
	local root=() caps=() dir nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	rd_ids root daytime/README.md '^sudo daytime/daytime_server -p 13 &$' \
		'^daytime/daytime_client -p 13$'
	root+=("$(rd_id daytime/README.md '^kill %1$' 1)")
	rd_ids caps daytime/README.md '^sudo setcap cap_net_bind_service' \
		'^getcap ' '^daytime/daytime_server -p 13 &$'
	caps+=("$(rd_id daytime/README.md '^kill %1$' 2)")
	caps+=("$(rd_id daytime/README.md '^sudo setcap -r ')")
	rd_sudo
	rd_session "${root[@]}"
	rd_out "${root[0]}" keep='port 13$'
	rd_out "${root[1]}" set
	# setcap changes the file: on a copy, in a directory anyone may
	# enter, so that an unprivileged user can run it too (below).
	dir=$(mktemp -d /tmp/daytime13.XXXXXX)
	RD_CLEANUP+=("$dir")
	chmod 755 "$dir"
	mkdir "$dir/daytime"
	cp "$TOP/daytime/daytime_server" "$dir/daytime/"
	rd_session -C "$dir" "${caps[0]}" "${caps[1]}"
	rd_out "${caps[1]}"
	# The capability alone is enough: nobody (uid 65534) binds port 13.
	start_server "${nobody[@]}" "$dir/daytime/daytime_server" -p 13
	assert_equal "$SERVER_PORT" 13
	stop_pid "$SERVER_PID" || :
	rd_session -C "$dir" "${caps[@]:2}"
	rd_out "${caps[2]}" keep='port 13$'
	# Taken back: nobody may not bind it any more.
	run getcap "$dir/daytime/daytime_server"
	assert_output ""
	run timeout 20 "${nobody[@]}" "$dir/daytime/daytime_server" -p 13
	assert_failure 1
	assert_output "daytime_server: bind: Permission denied"
	rd_verify
}

# --- multistream/README.md --------------------------------------------

@test "multistream/README.md: a receiver and a sender in two terminals, the report; a stream that does not exist" {
	local receiver sender report stream8
	receiver=$(rd_id multistream/README.md '^multistream/stream_receiver -i 8 \| tee /tmp/rx\.txt$')
	sender=$(rd_id multistream/README.md '^multistream/stream_sender -o 100 -c 400$')
	report=$(rd_id multistream/README.md '^multistream/report\.sh /tmp/rx\.txt$')
	stream8=$(rd_id multistream/README.md '^multistream/stream_sender -o 100 -s 8 ')
	rd_start t1 "$receiver"
	rd_session "$sender"
	rd_out "$sender" keep='granted [0-9]+|[0-9]+ messages of [0-9]+ bytes on [0-9]+ flows'
	# The receiver serves one association, a line per message, and exits.
	wait_gone "${RD_PID[t1]}" 120 || fail "the receiver did not finish"
	rd_expect "$RD/$receiver.out" "$RD_ACT/t1" "$(rd_where "$receiver")" \
		keep='[0-9]+ inbound streams|message [0-9]+/[0-9]+ flow [0-9]+/[0-9]+ #[0-9]+ stream [0-9]+ ordered|after [0-9]+ messages'
	rd_session "$report"
	rd_out "$report" keep='^[0-9]+ [0-9]+ ordered [0-9]+ [0-9]+ |^all - - [0-9]+ [0-9]+ |^summary .*'

	# The same receiver (-i 8) for the stream that does not exist.
	rd_start t1b "$receiver"
	rd_session "$stream8"
	rd_out "$stream8" keep='.+'
	rd_verify
}

@test "multistream/README.md lab: two flows per stream (hol-experiment.sh)" {
	local experiment sender receiver
	experiment=$(rd_id multistream/README.md '^sudo multistream/hol-experiment\.sh ')
	sender=$(rd_id multistream/README.md '^cat /tmp/lab/streams\.sender$')
	receiver=$(rd_id multistream/README.md "^grep -A5 '\\^flow' /tmp/lab/streams\\.report$")
	rd_private /tmp/lab
	rd_session "$experiment" "$sender" "$receiver"
	rd_out "$experiment" keep='^flow [0-9]+ streams$|^[0-9]+ \(lossy\)|^[0-9] '
	rd_out "$sender" keep='granted [0-9]+|sending .*|[0-9]+ messages of [0-9]+ bytes on [0-9]+ flows'
	# Which flow shares which stream, with how many messages: as shown.
	rd_out "$receiver" keep='^[0-9]+ [0-9]+ ordered [0-9]+ [0-9]+ |^all - - [0-9]+ [0-9]+ '
	rd_verify
}

# --- multihome/README.md ----------------------------------------------

@test "multihome/README.md: two loopback addresses; a bind error; the wildcard in a namespace; nothing answers" {
	local server client bindx status wild refused silent ns=mhw
	server=$(rd_id multihome/README.md '^multihome/multihome_server -a 127\.0\.0\.1 -a 127\.0\.0\.2$')
	client=$(rd_id multihome/README.md '^multihome/multihome_client -a 127\.0\.0\.2 -a 127\.0\.0\.1 -c 40$')
	rd_start t1 "$server"
	rd_session "$client"
	rd_wait_lines "$RD_ACT/t1" "$(rd_count "$RD/$server.out")"
	rd_stop t1
	# Under emulation the machine pauses now and then, and a pause
	# longer than an RTO is a false alarm, a path potentially failed
	# for a moment (multihome/README.md, "Under emulation"): those
	# lines come or not. The 40th echo and the count sent are compared
	# as they are.
	local alarms='PEER_ADDR_CHANGE .* (ADDR_POTENTIALLY_FAILED|ADDR_AVAILABLE)$'
	rd_out "$client" optional="$alarms" \
		keep='echo 40 from [0-9.]+|stopped sending after message [0-9]+|[0-9]+ address(es)?$'
	rd_expect "$RD/$server.out" "$RD_ACT/t1" "$(rd_where "$server")" keep='[0-9]+ addresses' optional="$alarms"

	bindx=$(rd_id multihome/README.md '^multihome/multihome_server -a 127\.0\.0\.1 -a 10\.131\.9\.9$')
	status=$(rd_id multihome/README.md '^echo \$\?$')
	rd_session "$bindx" "$status"
	rd_out "$bindx" keep='.+'
	rd_out "$status" keep='.+'

	# The namespace the README describes: loopback and a dummy interface
	# with 10.131.7.1 and fd00:131:7::1 (no duplicate address detection,
	# so that every address is there at once).
	! ip netns list | grep -qw "$ns" || fail "a network namespace '$ns' is there already"
	rd_netns "$ns"
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0
	ip -n "$ns" link add d0 type dummy
	ip -n "$ns" addr add 10.131.7.1/24 dev d0
	ip -n "$ns" addr add fd00:131:7::1/64 dev d0
	ip -n "$ns" link set d0 up
	wild=$(rd_id multihome/README.md '^ip netns exec mhw multihome/multihome_server$')
	rd_start wild "$wild"
	rd_keep wild "$RD_ACT/wild.ready"
	rd_stop wild
	rd_expect "$RD/$wild.out" "$RD_ACT/wild.ready" "$(rd_where "$wild")" keep='[0-9]+ addresses'
	refused=$(rd_id multihome/README.md '^ip netns exec mhw multihome/multihome_client -a 127\.0\.0\.1 ')
	silent=$(rd_id multihome/README.md '^ip netns exec mhw multihome/multihome_client -a 10\.131\.7\.2 ')
	rd_session "$refused" "$silent"
	rd_out "$refused" keep='.+'
	rd_out "$silent" keep='.+'
	rd_verify
}

@test "multihome/README.md: failover.sh, tuned, every path cut, loopback only, and without the potentially-failed state" {
	# Four experiments of a minute each, mostly waiting: they run side by
	# side (each in namespaces of its own, or, -l, on its own port of
	# loopback). Their output is the timeline of a live association,
	# different in every run (stalls of the emulated machine make false
	# alarms): what is compared is its shape, the section headings and
	# the result lines, and in the lab's run, the client's path states.
	local id ids=() n=0 excerpt
	local results='^(== |fault: |failover: |unreachable: |available: |association lost: |client exit status: |summary: )'
	rd_ids ids multihome/README.md '^multihome/failover\.sh -f$' '^multihome/failover\.sh -f -A$' \
		'^multihome/failover\.sh -l -f$' '^multihome/failover\.sh -f -T pf_retrans=3$'
	for id in "${ids[@]}"; do
		rd_start "fo$((n += 1))" "$id" ''
	done
	for ((n = 1; n <= ${#ids[@]}; n++)); do
		wait_gone "${RD_PID[fo$n]}" 300 || fail "$(rd_where "${ids[n - 1]}") did not finish"
	done
	for ((n = 1; n <= 3; n++)); do
		rd_expect "$RD/${ids[n - 1]}.out" "$RD_ACT/fo$n" "$(rd_where "${ids[n - 1]}")" \
			only="$results" keep='missing 0, duplicated 0, out of order 0, wrong stream 0|client exit status: [0-9]+'
	done
	# The lab's run is shown as an excerpt, from the fault on: no
	# POTENTIALLY_FAILED, the path straight to UNREACHABLE.
	excerpt=$(rd_text multihome/README.md 'From a real run:$')
	{ echo ...; cat "$excerpt"; echo ...; } >"$BATS_TEST_TMPDIR/lab.expected"
	rd_expect "$BATS_TEST_TMPDIR/lab.expected" "$RD_ACT/fo4" "multihome/README.md, the block after 'From a real run:' ($(rd_where "${ids[3]}"))" \
		only='client  assoc [0-9]+: PEER_ADDR_CHANGE 10\.131\.1\.2 |^summary: ' keep='missing 0, duplicated 0, out of order 0, wrong stream 0'
	rd_verify
}

# --- events/README.md -------------------------------------------------

@test "events/README.md: make, a server and a client in two terminals, the decoder's tests" {
	local make server client decode t1 t2
	make=$(rd_id events/README.md '^make$')
	server=$(rd_id events/README.md '^events/sctp_events -a 127\.0\.0\.1 -p 9999 +# terminal 1$')
	client=$(rd_id events/README.md '^events/provoke -a 127\.0\.0\.1 -p 9999 -m hello -t 1 +# terminal 2$')
	decode=$(rd_id events/README.md '^tests/decode_test \| tail -1$')
	rd_make_env
	rd_session "$make"
	rd_succeeds "$make"
	rd_start t1 "$server"
	rd_session "$client"
	t2=$(rd_text events/README.md '^Terminal 2 \(the client\) prints')
	t1=$(rd_text events/README.md '^and terminal 1 \(the server')
	rd_expect "$t2" "$RD_ACT/$client" "events/README.md, the block after 'Terminal 2 (the client) prints' ($(rd_where "$client"))" \
		keep='state=[A-Z_]+|^subscribed: .*'
	rd_wait_lines "$RD_ACT/t1" "$(rd_count "$t1")"
	rd_stop t1
	rd_expect "$t1" "$RD_ACT/t1" "events/README.md, the block after 'and terminal 1 (the server' ($(rd_where "$server"))" \
		keep='state=[A-Z_]+|bytes=[0-9]+ eor'
	rd_session "$decode"
	rd_out "$decode" keep='.+'
	rd_verify
}

@test "events/README.md lab: an abort in the middle of a message" {
	local server client t1 t2
	server=$(rd_id events/README.md '^events/sctp_events -a 127\.0\.0\.1 -p 9999 -D 1000$')
	client=$(rd_id events/README.md '^events/provoke -a 127\.0\.0\.1 -p 9999 -l 200000 -t 0 -X$')
	rd_start t1 "$server"
	rd_session "$client"
	# The README shows the server's lines after its "subscribed:" and
	# "listening" lines, and the client's after its "subscribed:" line.
	{ echo ...; cat "$(rd_text events/README.md '^\(times and ids differ\):$')"; } >"$BATS_TEST_TMPDIR/t1.expected"
	{ echo ...; cat "$(rd_text events/README.md '^and on the client:$')"; } >"$BATS_TEST_TMPDIR/t2.expected"
	rd_wait_lines "$RD_ACT/t1" $(($(rd_count "$BATS_TEST_TMPDIR/t1.expected") + 2))
	rd_stop t1
	rd_expect "$BATS_TEST_TMPDIR/t2.expected" "$RD_ACT/$client" "events/README.md, the block after 'and on the client:' ($(rd_where "$client"))" \
		keep='state=[A-Z_]+.*'
	rd_expect "$BATS_TEST_TMPDIR/t1.expected" "$RD_ACT/t1" "events/README.md, the block after '(times and ids differ):' ($(rd_where "$server"))" \
		keep=' partial$|state=[A-Z_]+.*|indication=[A-Z_]+ stream=[0-9]+'
	rd_verify
}

# The scenarios: each block of "Every event" runs as its terminals would,
# in a network namespace of its own, so that the sysctls and nftables
# rules it sets go away with it (teardown deletes the namespace).

# ev_block ARRAY REGEX: into ARRAY, the IDs of every command of the block
# of events/README.md that holds the one command matching REGEX, in order.
ev_block() {
	local -n ev_into=$1
	local one want='' id file line block term prompt first
	one=$(rd_id events/README.md "$2") || return
	while IFS=$'\t' read -r id file line block term prompt first; do
		if [[ $id == "$one" ]]; then want=$block; fi
	done <"$RD/index"
	while IFS=$'\t' read -r id file line block term prompt first; do
		if [[ $file == events/README.md && $block == "$want" ]]; then ev_into+=("$id"); fi
	done <"$RD/index"
}

# ev_field ID N: field N of command ID's line of the index (5: its
# terminal, 7: its first line).
ev_field() {
	local fields
	while IFS=$'\t' read -r -a fields; do
		if [[ ${fields[0]} == "$1" ]]; then
			echo "${fields[$2 - 1]}"
			return
		fi
	done <"$RD/index"
}

# ev_start NAME NETNS ID [READY]: rd_start, in network namespace NETNS.
ev_start() {
	local name=$1 ns=$2 id=$3 ready=${4-'^listening on .* port [0-9]+$'}
	echo "$id" >>"$BATS_FILE_TMPDIR/ran"
	(cd "$TOP" && exec ip netns exec "$ns" env --default-signal=INT bash -c "$(<"$RD/$id.cmd")") \
		>"$RD_ACT/$name" 2>&1 3>&- &
	RD_PID[$name]=$!
	echo "$!" >>"$BATS_TEST_TMPDIR/pids"
	[[ -z $ready ]] || wait_for_line "$RD_ACT/$name" "$ready" 300
}

# ev_scenario NETNS WAIT REGEX: the block holding the command matching
# REGEX, in a fresh namespace NETNS: terminal 1's commands before its
# server (sysctls) in one session, the server in the background as t1,
# every other command in one session; then, once the server has printed
# as many lines matching WAIT as the README shows under it, Ctrl-C. Sets
# EV_SERVER (the server's ID) and EV_CMDS (the others' IDs, in order).
ev_scenario() {
	local ns=$1 wait=$2 ids=() id before=() rest=() n
	EV_SERVER=
	ev_block ids "$3"
	for id in "${ids[@]}"; do
		if [[ -z $EV_SERVER && $(ev_field "$id" 5) == 1 && $(ev_field "$id" 7) == events/sctp_events* ]]; then
			EV_SERVER=$id
		elif [[ -z $EV_SERVER ]]; then
			before+=("$id")
		else
			rest+=("$id")
		fi
	done
	[[ -n $EV_SERVER ]] || fail "events/README.md: no server in the block of /$3/"
	rd_netns "$ns"
	((${#before[@]} == 0)) || rd_session -n "$ns" "${before[@]}"
	ev_start t1 "$ns" "$EV_SERVER"
	rd_session -n "$ns" "${rest[@]}"
	n=$(grep -cE -- "$wait" "$RD/$EV_SERVER.out") || :
	ev_wait_count "$RD_ACT/t1" "$wait" "$n" ||
		fail "$(rd_where "$EV_SERVER"): not $n lines matching /$wait/: $(cat "$RD_ACT/t1")"
	rd_stop t1
	EV_CMDS=("${before[@]}" "${rest[@]}")
}

# ev_wait_count FILE REGEX N: wait (a minute at most) until N lines of
# FILE match REGEX.
ev_wait_count() {
	local lines line n deadline=$((SECONDS + 60))
	while :; do
		n=0
		mapfile -t lines <"$1"
		for line in "${lines[@]}"; do
			if [[ $line =~ $2 ]]; then n=$((n + 1)); fi
		done
		((n >= $3)) && return 0
		((SECONDS < deadline)) || return 1
		nap 0.05
	done
}

# ev_compare KEEP: compare the server's output and every other command's
# with the README's lines, numbers left out except in what matches KEEP.
ev_compare() {
	local id
	rd_expect "$RD/$EV_SERVER.out" "$RD_ACT/t1" "$(rd_where "$EV_SERVER")" keep="$1"
	for id in "${EV_CMDS[@]}"; do
		rd_out "$id" keep="$1"
	done
	rd_verify
}

# What a scenario's lines must show as they are: stream counts, streams,
# keys, indications, the chunk quoted, the error messages.
EV_KEEP='outbound=[0-9]+ inbound=[0-9]+|stream=[0-9]+|streams=[0-9]+|instreams=[0-9]+ outstreams=[0-9]+|key=[0-9]+|indication=[0-9]+|\[chunk=[^]]*\]|ttl=[0-9]+|^provoke: .*|listening on .*'

@test "events/README.md, ASSOC_CHANGE: COMM_UP, SHUTDOWN_COMP, COMM_LOST, CANT_STR_ASSOC refused and timed out" {
	ev_scenario "$(netns_name evac)" 'state=COMM_LOST .*causes=' '^events/provoke -p 9999 -m hello -t 0 -X$'
	ev_compare "$EV_KEEP"
}

@test "events/README.md, PEER_ADDR_CHANGE: a path fails and heals; the sysctl defaults put back" {
	local ns ids=() server client nft=() restore k
	ns=$(netns_name evpa)
	ev_block ids '^events/sctp_events -a 127\.0\.0\.1 -a 127\.0\.0\.2 -p 9999$'
	# sysctl, server, client, the rule (three commands), its removal.
	((${#ids[@]} == 7)) || fail "events/README.md: the PEER_ADDR_CHANGE block has ${#ids[@]} commands, not 7"
	server=${ids[1]} client=${ids[2]} nft=("${ids[@]:3:3}")
	rd_netns "$ns"
	rd_session -n "$ns" "${ids[0]}"
	rd_succeeds "${ids[0]}"
	ev_start t1 "$ns" "$server"
	# As one waits for each line before the next step.
	ev_start t2 "$ns" "$client" 'state=ADDR_CONFIRMED'
	rd_session -n "$ns" "${nft[@]}"
	wait_for_line "$RD_ACT/t2" 'addr=127\.0\.0\.2 .*state=ADDR_UNREACHABLE' 60 || fail "no ADDR_UNREACHABLE: $(cat "$RD_ACT/t2")"
	rd_session -n "$ns" "${ids[6]}"
	wait_for_line "$RD_ACT/t2" 'addr=127\.0\.0\.2 .*state=ADDR_AVAILABLE' 60 || fail "no ADDR_AVAILABLE: $(cat "$RD_ACT/t2")"
	rd_stop t2
	rd_stop t1
	rd_succeeds "${nft[@]}" "${ids[6]}"
	rd_expect "$RD/$server.out" "$RD_ACT/t1" "$(rd_where "$server")" keep='listening on .*'
	# A stall of the emulated machine longer than an RTO is a false
	# alarm, a path potentially failed for a moment (multihome/README.md,
	# "Under emulation"): any lines may come between the README's, which
	# must come in its order.
	sed 's/$/\n.../' "$RD/$client.out" >"$BATS_TEST_TMPDIR/t2.expected"
	rd_expect "$BATS_TEST_TMPDIR/t2.expected" "$RD_ACT/t2" "$(rd_where "$client")" \
		only='PEER_ADDR_CHANGE .*addr=127\.0\.0\.2 ' keep='addr=[0-9.]+ port=[0-9]+'
	rd_verify

	# The defaults put back, after the short timers and pf_expose: as in
	# a fresh namespace (and the VM's own).
	restore=$(rd_id events/README.md '^sysctl -qw net\.sctp\.rto_max=60000 ')
	rd_session -n "$ns" "$restore"
	rd_out "$restore"
	for k in rto_min rto_initial rto_max max_init_retransmits hb_interval path_max_retrans pf_expose reconf_enable auth_enable; do
		assert_equal "net.sctp.$k=$(ip netns exec "$ns" sysctl -n "net.sctp.$k")" "net.sctp.$k=$(sysctl -n "net.sctp.$k")"
	done
	rd_verify
}

@test "events/README.md, SEND_FAILED_EVENT and SEND_FAILED: a PR-SCTP lifetime runs out on a path that drops DATA" {
	ev_scenario "$(netns_name evsf)" 'state=SHUTDOWN_COMP ' '^events/provoke -p 9999 -x 300 -l 200000 -t 2$'
	# Which fragment came back, sent or not, and its length: four DATA
	# chunks on the loopback MTU.
	ev_compare "$EV_KEEP|flags=(UN)?SENT|chunk_flags=[A-Z_]+|bytes=[0-9]+ data="
}

@test "events/README.md, REMOTE_ERROR: a stream not granted, then peer.py's unknown chunk" {
	ev_scenario "$(netns_name evre)" 'REMOTE_ERROR ' 'peer\.py unknown-chunk'
	ev_compare "$EV_KEEP"
}

@test "events/README.md, ADAPTATION_INDICATION" {
	ev_scenario "$(netns_name evad)" 'ADAPTATION_INDICATION ' '^events/provoke -p 9999 -A 1234 -t 0$'
	ev_compare "$EV_KEEP"
}

@test "events/README.md, STREAM_RESET_EVENT, ASSOC_RESET_EVENT, STREAM_CHANGE_EVENT (reconf_enable=1)" {
	ev_scenario "$(netns_name evrc)" 'STREAM_CHANGE_EVENT ' '^events/provoke -p 9999 -R assoc -t 1$'
	ev_compare "$EV_KEEP"
}

@test "events/README.md, AUTHENTICATION_EVENT: NEW_KEY, FREE_KEY, NO_AUTH (auth_enable=1)" {
	ev_scenario "$(netns_name evau)" 'indication=NO_AUTH ' 'peer\.py no-auth'
	ev_compare "$EV_KEEP"
}

# --- udp/README.md ----------------------------------------------------

@test "udp/README.md: a middlebox that drops SCTP passes it over UDP, a Linux NAT that passes SCTP, usrsctp both ways, the captures" {
	local ids=() id mbox tmbox pass usr tusr src sport dst dport type t
	local -A seen=()
	rd_ids ids udp/README.md '^udp/middlebox\.sh -w' '^tshark -r /tmp/lab/middlebox' \
		'^udp/middlebox\.sh -s$' '^udp/usrsctp\.sh -w' '^tshark -r /tmp/lab/usrsctp'
	mbox=${ids[0]} tmbox=${ids[1]} pass=${ids[2]} usr=${ids[3]} tusr=${ids[4]}
	rd_private /tmp/lab
	rd_session "$mbox" "$tmbox" "$pass" "$usr" "$tusr"
	rd_succeeds "$mbox" "$tmbox" "$pass" "$usr" "$tusr"
	for id in "${ids[@]}"; do rd_out "$id"; done
	rd_verify
	# Past the middlebox, on the server's side, only UDP from 9899 to
	# 9899 (plain SCTP never got there), the NAT's address (10.71.2.1)
	# in place of the client's, and a whole association inside.
	# (tshark's lines only: its warning about root comes first.)
	while read -r src sport dst dport type; do
		[[ $src == [0-9]* ]] || continue
		[[ $sport == 9899 && $dport == 9899 ]] || fail "not UDP 9899: $src $sport $dst $dport $type"
		[[ "$src $dst" == "10.71.2.1 10.71.2.2" || "$src $dst" == "10.71.2.2 10.71.2.1" ]] ||
			fail "an address other than the NAT's and the server's: $src -> $dst"
		for t in ${type//,/ }; do seen[$t]=1; done
	done <"$RD_ACT/$tmbox"
	for type in 1 2 10 11 0 7; do
		[[ -n ${seen[$type]:-} ]] || fail "no chunk of type $type through the middlebox"
	done
	# usrsctp: DATA both ways, each time between UDP 9899 and 9900.
	seen=()
	while read -r sport dport type; do
		[[ $sport == [0-9]* ]] || continue
		[[ "$sport $dport" == "9899 9900" || "$sport $dport" == "9900 9899" ]] ||
			fail "usrsctp capture: UDP $sport -> $dport"
		for t in ${type//,/ }; do seen[$sport.$t]=1; done
	done <"$RD_ACT/$tusr"
	[[ -n ${seen[9899.0]:-} && -n ${seen[9900.0]:-} ]] || fail "no DATA both ways: ${!seen[*]}"
}

# --- assoc/README.md ------------------------------------------------

# rd_assoc_expected NAME SERVER BLOCK...: into NAME.expected, what terminal
# NAME shows: the lines under command SERVER, then the blocks that follow
# a line matching each BLOCK (assoc/README.md shows a server's later
# lines after the clients' commands).
rd_assoc_expected() {
	local name=$1 server=$2 re
	shift 2
	cat "$RD/$server.out" >"$BATS_TEST_TMPDIR/$name.expected"
	for re; do
		cat "$(rd_text assoc/README.md "$re")" >>"$BATS_TEST_TMPDIR/$name.expected"
	done
}

@test "assoc/README.md lab: the states of a shutdown, no half-close, ABORT, no TIME_WAIT, implicit setup on the wire" {
	local f=assoc/README.md s1 c1 s2 c2 s3 c3 x s4 u s5 c5 s6 c6 wire many implicit
	s1=$(rd_id $f '^assoc/assoc_server -Q -t 2$')
	c1=$(rd_id $f '^assoc/assoc_client -Q -t 4$')
	s2=$(rd_id $f '^assoc/assoc_server$')
	c2=$(rd_id $f '^assoc/assoc_client -m question$')
	s3=$(rd_id $f '^assoc/assoc_server -T$')
	c3=$(rd_id $f '^assoc/assoc_client -T -m question$')
	x=$(rd_id $f '^assoc/assoc_client -X$')
	s4=$(rd_id $f '^assoc/assoc_server -Q -p 2014$')
	u=$(rd_id $f '^assoc/assoc_client -U -p 2014$')
	s5=$(rd_id $f '^assoc/assoc_server -B$')
	c5=$(rd_id $f '^assoc/assoc_client -W$')
	s6=$(rd_id $f '^assoc/assoc_server -B -T;')
	c6=$(rd_id $f '^assoc/assoc_client -W -T$')
	wire=$(rd_id $f "^tshark -i lo -f 'sctp port 2013'$")
	many=$(rd_id $f '^echo/echo_server_many$')
	implicit=$(rd_id $f '^assoc/assoc_client -I ')
	# 1. The states (the times say how long each lasted).
	rd_start states "$s1"
	rd_session "$c1"
	rd_out "$c1"
	rd_assoc_expected states "$s1" '^and terminal 1 says:$'
	rd_wait_lines "$RD_ACT/states" "$(rd_count "$BATS_TEST_TMPDIR/states.expected")"
	rd_stop states
	rd_expect "$BATS_TEST_TMPDIR/states.expected" "$RD_ACT/states" "$f, terminal 1 of step 1 ($(rd_where "$s1"))"
	# 2. and 3. One SCTP server for both steps, a TCP one beside it.
	rd_start t1 "$s2"
	rd_session "$c2"
	rd_out "$c2"
	rd_start t3 "$s3"
	rd_session "$c3"
	rd_out "$c3"
	rd_assoc_expected t3 "$s3" '^Terminal 3, over TCP:$'
	rd_wait_lines "$RD_ACT/t3" "$(rd_count "$BATS_TEST_TMPDIR/t3.expected")"
	rd_stop t3
	rd_expect "$BATS_TEST_TMPDIR/t3.expected" "$RD_ACT/t3" "$f, terminal 3 of step 2 ($(rd_where "$s3"))"
	rd_session "$x"
	rd_out "$x"
	rd_assoc_expected t1 "$s2" '^Terminal 1:$' '^and terminal 1 adds:$'
	rd_wait_lines "$RD_ACT/t1" "$(rd_count "$BATS_TEST_TMPDIR/t1.expected")"
	rd_stop t1
	# Step 3's state line CLOSED comes or not, by timing (the README
	# says so); the recv line's reset is compared.
	rd_expect "$BATS_TEST_TMPDIR/t1.expected" "$RD_ACT/t1" "$f, terminal 1 of steps 2 and 3 ($(rd_where "$s2"))" optional='[0-9] CLOSED$'
	# Whether the ABORT comes while the server still fills varies (the
	# README says so): its "queued" line then ends with the send's error
	# and CLOSED, and no "recv" line comes. One of the two must come;
	# which is not compared, nor are the "queued" and "CLOSED" lines.
	rd_start unread "$s4"
	rd_session "$u"
	rd_out "$u"
	rd_assoc_expected unread "$s4" '^Terminal 3 this time:$'
	wait_for_line "$RD_ACT/unread" ' recv: Connection reset by peer$| queued [0-9]+ bytes: .+: CLOSED$'
	rd_stop unread
	rd_expect "$BATS_TEST_TMPDIR/unread.expected" "$RD_ACT/unread" "$f, terminal 3 of step 3 ($(rd_where "$s4"))" optional=' queued | CLOSED$| recv: Connection reset by peer$'
	# 4. Each server exits by itself once it has bound its port again.
	rd_start rebind "$s5"
	rd_session "$c5"
	# A line of its own, or not, by timing; and the state just after the
	# send is ESTABLISHED, or CLOSED already when the server was quicker
	# (assoc/README.md says so).
	rd_out "$c5" optional='[0-9] CLOSED$|^[0-9:.]+ sent [0-9]+ bytes to .*: (ESTABLISHED|CLOSED)$'
	wait_gone "${RD_PID[rebind]}" 30 || fail "$(rd_where "$s5") did not exit"
	rd_assoc_expected rebind "$s5" '^Terminal 1, which exits:$'
	rd_expect "$BATS_TEST_TMPDIR/rebind.expected" "$RD_ACT/rebind" "$f, terminal 1 of step 4 ($(rd_where "$s5"))"
	rd_start tcp_rebind "$s6"
	rd_session "$c6"
	rd_out "$c6"
	wait_gone "${RD_PID[tcp_rebind]}" 30 || fail "$(rd_where "$s6") did not exit"
	rd_assoc_expected tcp_rebind "$s6" '^Terminal 1 again, which fails:$'
	rd_expect "$BATS_TEST_TMPDIR/tcp_rebind.expected" "$RD_ACT/tcp_rebind" "$f, terminal 1 of step 4, TCP ($(rd_where "$s6"))" keep='exit status [0-9]+' optional='Address already in use'
	# 5. The capture. A SACK of its own comes or not, by timing.
	rd_start -e wire "$wire" 'Capturing on'
	rd_start many "$many"
	rd_session "$implicit"
	rd_out "$implicit"
	nap 0.5 # packets already sent; give the kernel time to hand them over
	rd_stop wire
	rd_stop many
	rd_expect "$RD/$wire.out" "$RD_ACT/wire" "$(rd_where "$wire")" optional='SCTP [0-9]+ SACK'
	rd_verify
}

# --- every command --------------------------------------------------

@test "every command shown in a README is run by a test above, or listed in RD_ELSEWHERE with its reason" {
	local id file line block term prompt first i missing=() unused=()
	local -A ran=() used=()
	while read -r id; do ran[$id]=1; done <"$BATS_FILE_TMPDIR/ran"
	while IFS=$'\t' read -r id file line block term prompt first; do
		[[ -n ${ran[$id]:-} ]] && continue
		for ((i = 0; i < ${#RD_ELSEWHERE[@]}; i += 3)); do
			if [[ $file == "${RD_ELSEWHERE[i]}" && $first =~ ${RD_ELSEWHERE[i + 1]} ]]; then
				used[$i]=1
				continue 2
			fi
		done
		missing+=("$file:$line: $first")
	done <"$RD/index"
	for ((i = 0; i < ${#RD_ELSEWHERE[@]}; i += 3)); do
		[[ -n ${used[$i]:-} ]] ||
			unused+=("RD_ELSEWHERE: ${RD_ELSEWHERE[i]} /${RD_ELSEWHERE[i + 1]}/ matches no command that no test runs")
	done
	if ((${#missing[@]} + ${#unused[@]})); then
		printf '%s\n' "${missing[@]/%/: no test in tests/readme.bats runs it}" "${unused[@]}" >&2
		fail "every command shown must be run by a test (or listed in RD_ELSEWHERE, with the reason and what covers it)"
	fi
}
