# SPDX-License-Identifier: 0BSD
# tests/lib/pcap.bash - one live capture, decoded as it comes, for the wire
# lessons (tests/wire.bats) and the guided tour (tests/tour.sh).
#
# Why one long-lived tshark instead of one per exchange: under software
# emulation tshark needs 10 seconds to start (it registers thousands of
# dissectors), minutes on a busy machine, and as long again for every
# `tshark -r`. So a single
# tshark captures on lo for the whole run, writes the pcap (for Wireshark)
# and at the same time prints one line of fields per packet. Readers pick
# their packets out of that text by port.
#
# How a reader knows the decoder has caught up: wire_sync sends a marker
# datagram (UDP to port 9, the discard port) and waits for it to show up
# in the text; every packet sent before it is then decoded too.
#
# Plain bash, no bats: tests/tour.sh sources it as well.
#
#   wire_start DIR [FILTER]  start capturing into DIR/capture.pcap
#   wire_sync                wait until all packets so far are decoded;
#                            sets WIRE_MARK to the marker's frame number
#   wire_sctp PORT [FROM [TO]]
#                            the SCTP packets to or from PORT (frames after
#                            FROM, up to TO), one tab-separated line each:
#                            frame src sport dst dport vtag types init_tag
#                            initack_tag sids v4params v6params
#                            (types: chunk type numbers, comma-separated;
#                            sids: the DATA chunks' stream numbers)
#   wire_packets PORT        the SCTP packets to or from PORT, one line
#                            each: ">" (to PORT) or "<" (from it), then
#                            its chunks joined by "+", a DATA chunk with
#                            its stream: "> COOKIE_ECHO+DATA/0"
#   wire_tcp PORT [FROM [TO]] the TCP segments to or from PORT: frame src
#                            sport dst dport flags(hex) length
#   wire_summary PORT [FROM [TO]]
#                            the SCTP packets as a student reads them:
#                            "client > server  INIT", "DATA stream 1", ...
#   wire_tcp_summary PORT [FROM [TO]]
#                            the same for TCP: "SYN", "PSH,ACK 6 bytes"
#   wire_paths PORT [FROM [TO]]
#                            where the client's packets went, by destination
#                            address: runs of DATA folded (multihoming)
#   wire_server_port [FROM [TO]]
#                            the port the first INIT in the range went to
#   wire_stop                stop tshark so the pcap file is complete
#   wire_split FROM TO FILE  the frames between markers FROM and TO (two
#                            wire_sync frame numbers) into their own pcap

# nap, has_line, wait_gone: waiting without starting processes.
declare -F nap >/dev/null || source "${BASH_SOURCE[0]%/*}/wait.bash"

# The discard port: nothing listens there, so the marker costs nothing.
WIRE_MARK_PORT=9

# Seconds to wait for tshark to start and for a marker to be decoded.
# Generous: emulated, on a shared machine, both can take tens of seconds.
WIRE_START_TIMEOUT=${WIRE_START_TIMEOUT:-600}
WIRE_SYNC_TIMEOUT=${WIRE_SYNC_TIMEOUT:-120}
# Seconds before a marker not yet decoded is followed by another.
WIRE_RESEND=${WIRE_RESEND:-3}

# The fields tshark prints per packet, in column order. A packet with
# several chunks gives comma-separated lists (one value per chunk that
# has the field).
WIRE_FIELDS=(frame.number
	ip.src ipv6.src sctp.srcport ip.dst ipv6.dst sctp.dstport
	sctp.verification_tag sctp.chunk_type
	sctp.init_initiate_tag sctp.initack_initiate_tag sctp.data_sid
	tcp.srcport tcp.dstport tcp.flags tcp.len
	udp.payload
	sctp.parameter_ipv4_address sctp.parameter_ipv6_address)

# wire_start DIR [FILTER]: start tshark on lo (FILTER: a capture filter,
# default all SCTP) and wait until it captures. Sets WIRE_DIR, WIRE_PCAP,
# WIRE_TEXT and WIRE_PID.
wire_start() {
	local filter=${2:-sctp} deadline f args=()
	WIRE_DIR=$1
	WIRE_PCAP=$WIRE_DIR/capture.pcap
	WIRE_TEXT=$WIRE_DIR/capture.txt
	WIRE_MARK=0
	WIRE_SEQ=0
	mkdir -p "$WIRE_DIR"
	for f in "${WIRE_FIELDS[@]}"; do args+=(-e "$f"); done
	# -l: a line per packet as it comes; -n: no name lookups; -P with -w:
	# decode and print while writing the capture file.
	tshark -i lo -f "($filter) or (udp dst port $WIRE_MARK_PORT)" -n -l \
		-w "$WIRE_PCAP" -F pcap -P -T fields -E occurrence=a \
		-E aggregator=, "${args[@]}" \
		>"$WIRE_TEXT" 2>"$WIRE_DIR/tshark.err" 3>&- &
	WIRE_PID=$!
	deadline=$((SECONDS + WIRE_START_TIMEOUT))
	until has_line "$WIRE_DIR/tshark.err" 'Capturing on'; do
		if ! kill -0 "$WIRE_PID" 2>/dev/null || ((SECONDS >= deadline)); then
			echo "tshark did not start capturing:" >&2
			cat "$WIRE_DIR/tshark.err" >&2
			return 1
		fi
		nap 0.1
	done
}

# wire_sync: send a marker and wait until tshark has printed it, so every
# packet sent before it is in $WIRE_TEXT. Sets WIRE_MARK.
#
# Loopback loses nothing, but a capture that has only just said
# "Capturing on" may not see the first packets yet: a marker not decoded
# within WIRE_RESEND seconds is followed by another, with a token of its
# own. Any of them proves the capture has caught up (each was sent after
# every packet before this call); the first decoded one is the mark.
wire_sync() {
	local hexes=() token deadline resend_at lines line hex h i seen=0
	deadline=$((SECONDS + WIRE_SYNC_TIMEOUT))
	resend_at=$SECONDS
	WIRE_MARK=
	while :; do
		if ((SECONDS >= resend_at)); then
			WIRE_SEQ=$((WIRE_SEQ + 1))
			# Unique across subshells (each bats test is one): $$ is not.
			token="wire-sync-$BASHPID-$WIRE_SEQ-$RANDOM$RANDOM"
			hex=
			for ((i = 0; i < ${#token}; i++)); do
				printf -v h '%02x' "'${token:i:1}"
				hex+=$h
			done
			hexes+=("$hex")
			printf '%s' "$token" >/dev/udp/127.0.0.1/$WIRE_MARK_PORT
			resend_at=$((SECONDS + WIRE_RESEND))
		fi
		# The whole lines not looked at yet (a last one without its
		# newline is still being written); field 17 is the UDP payload.
		mapfile -s "$seen" lines <"$WIRE_TEXT"
		((${#lines[@]})) && [[ ${lines[-1]} != *$'\n' ]] && unset 'lines[-1]'
		seen=$((seen + ${#lines[@]}))
		for line in "${lines[@]}"; do
			for hex in "${hexes[@]}"; do
				if [[ $line == *$'\t'"$hex"$'\t'* ]]; then
					WIRE_MARK=${line%%$'\t'*}
					return 0
				fi
			done
		done
		if ((SECONDS >= deadline)); then
			echo "the capture did not catch up within ${WIRE_SYNC_TIMEOUT}s" \
				"(${#hexes[@]} markers sent)" >&2
			WIRE_MARK=0
			return 1
		fi
		nap 0.1
	done
}

# hex("0x1f"): 31. Debian's awk is mawk, which has no strtonum().
WIRE_AWK_HEX='
	function hex(s,   i, v) {
		v = 0
		s = tolower(s)
		sub(/^0x/, "", s)
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}'

# wire_sctp PORT [FROM [TO]]: see the header.
wire_sctp() {
	awk -F'\t' -v OFS='\t' -v port="$1" -v from="${2:-0}" -v to="${3:-0}" '
	'"$WIRE_AWK_HEX"'
	# tshark prints stream numbers in hex (0x0001).
	function dec(list,   n, i, v, out) {
		n = split(list, v, ",")
		for (i = 1; i <= n; i++)
			out = out (i > 1 ? "," : "") hex(v[i])
		return out
	}
	$9 != "" && ($4 == port || $7 == port) && $1 > from &&
	    (to == 0 || $1 <= to) {
		print $1, ($2 != "" ? $2 : $3), $4, ($5 != "" ? $5 : $6), $7,
		    $8, $9, $10, $11, dec($12), $18, $19
	}' "$WIRE_TEXT"
}

# wire_packets PORT: see the header (chunk names: WIRE_CHUNK_NAMES,
# below).
wire_packets() {
	# One awk for every packet: under emulation a process per packet
	# cost a minute for a thousand packets.
	wire_sctp "$1" | awk -F'\t' -v port="$1" '
	BEGIN {'"$WIRE_CHUNK_NAMES"'}
	{
		nt = split($7, t, ","); split($10, sid, ","); d = 0; line = ""
		for (i = 1; i <= nt; i++) {
			name = (t[i] in n) ? n[t[i]] : "CHUNK_" t[i]
			if (t[i] == 0)
				name = name "/" sid[++d]
			line = line (i > 1 ? "+" : "") name
		}
		print ($5 == port ? "> " : "< ") line
	}'
}

# wire_tcp PORT [FROM [TO]]: see the header.
wire_tcp() {
	awk -F'\t' -v OFS='\t' -v port="$1" -v from="${2:-0}" -v to="${3:-0}" '
	$13 != "" && ($13 == port || $14 == port) && $1 > from &&
	    (to == 0 || $1 <= to) {
		print $1, ($2 != "" ? $2 : $3), $13, ($5 != "" ? $5 : $6), $14,
		    $15, $16
	}' "$WIRE_TEXT"
}

# The chunk names of RFC 9260 and its extensions, by type number, as awk
# code (the same names as the chunk_names helper in tests/test_helper.bash).
WIRE_CHUNK_NAMES='
	n[0]="DATA"; n[1]="INIT"; n[2]="INIT_ACK"; n[3]="SACK";
	n[4]="HEARTBEAT"; n[5]="HEARTBEAT_ACK"; n[6]="ABORT";
	n[7]="SHUTDOWN"; n[8]="SHUTDOWN_ACK"; n[9]="ERROR";
	n[10]="COOKIE_ECHO"; n[11]="COOKIE_ACK"; n[14]="SHUTDOWN_COMPLETE";
	n[15]="AUTH"; n[64]="I_DATA"; n[128]="ASCONF_ACK"; n[130]="RECONF";
	n[192]="FORWARD_TSN"; n[193]="ASCONF";'

# wire_summary PORT [FROM [TO]]: one line per packet, "N  who > who
# CHUNKS", where the side that owns PORT is the server. Runs of identical
# lines are folded ("(x12)"), and a long exchange shows its beginning and
# its end.
wire_summary() {
	wire_sctp "$@" | awk -F'\t' -v port="$1" -v from="${2:-0}" \
		-v head=14 -v tail=6 '
	BEGIN {'"$WIRE_CHUNK_NAMES"'}
	{
		nt = split($7, t, ","); split($10, sid, ","); d = 0; text = ""
		for (i = 1; i <= nt; i++) {
			name = (t[i] in n) ? n[t[i]] : "CHUNK_" t[i]
			if (t[i] == 0 || t[i] == 64)
				name = name " stream " sid[++d]
			text = text (i > 1 ? ", " : "") name
		}
		who = ($5 == port) ? "client > server" : "server > client"
		line = who "  " text
		if (count > 0 && line == last) {
			reps[count]++
			next
		}
		lines[++count] = line; reps[count] = 1; frame[count] = $1 - from
		last = line
	}
	function show(i) {
		# (Parentheses: a bare ">" in printf redirects its output.)
		printf "  %4d  %s%s\n", frame[i], lines[i],
		    (reps[i] > 1 ? "  (x" reps[i] ")" : "")
	}
	END {
		if (count <= head + tail + 1) {
			for (i = 1; i <= count; i++) show(i)
			exit
		}
		for (i = 1; i <= head; i++) show(i)
		skipped = 0
		for (i = head + 1; i <= count - tail; i++) skipped += reps[i]
		printf "        ... %d more packets ...\n", skipped
		for (i = count - tail + 1; i <= count; i++) show(i)
	}'
}

# wire_tcp_summary PORT [FROM [TO]]: the same for a TCP connection.
wire_tcp_summary() {
	wire_tcp "$@" | awk -F'\t' -v port="$1" -v from="${2:-0}" '
	'"$WIRE_AWK_HEX"'
	BEGIN {
		# Flag bits, in the order people say them: "SYN,ACK", "FIN,ACK".
		split("SYN RST FIN PSH ACK", name, " ")
		split("2 4 1 8 16", bit, " ")
	}
	{
		f = hex($6); text = ""
		for (k = 1; k <= 5; k++)
			if (int(f / bit[k]) % 2)
				text = text (text != "" ? "," : "") name[k]
		if ($7 > 0)
			text = text " " $7 " bytes"
		who = ($5 == port) ? "client > server" : "server > client"
		printf "  %4d  %s  %s\n", $1 - from, who, text
	}'
}

# wire_paths PORT [FROM [TO]]: where the client's data went, by
# destination address: one line per run of packets carrying DATA to the
# same address ("(x N, to frame M)"), other chunks (INIT, SHUTDOWN, ...)
# on lines of their own. SACKs and heartbeats do not break a run; a last
# line counts the heartbeats per address. A long story shows its
# beginning and its end.
wire_paths() {
	wire_sctp "$@" | awk -F'\t' -v port="$1" -v from="${2:-0}" \
		-v head=12 -v tail=8 '
	BEGIN {'"$WIRE_CHUNK_NAMES"'}
	function flush() {
		if (count == 0) return
		text = sprintf("  %4d  client > %-15s  %s", first, dst, kind)
		if (count > 1) text = text sprintf("  (x%d, to %d)", count, last)
		out[++lines] = text
		count = 0
	}
	$5 != port { next }
	{
		nt = split($7, t, ","); names = ""; data = 0
		for (i = 1; i <= nt; i++) {
			if (t[i] == 0 || t[i] == 64) { data = 1; continue }
			if (t[i] == 4) { hb[$4]++; continue }
			if (t[i] == 3 || t[i] == 5) continue
			names = names (names != "" ? ", " : "") \
			    ((t[i] in n) ? n[t[i]] : "CHUNK_" t[i])
		}
		if (data && count > 0 && kind == "DATA" && $4 == dst) {
			count++; last = $1 - from
		} else if (data) {
			flush()
			kind = "DATA"; dst = $4; count = 1; first = last = $1 - from
		}
		if (names != "") {
			flush()
			kind = names; dst = $4; count = 1; first = last = $1 - from
			flush()
		}
	}
	END {
		flush()
		for (i = 1; i <= lines; i++) {
			if (lines > head + tail + 1 && i == head + 1) {
				printf "        ... %d more lines ...\n", lines - head - tail
				i = lines - tail
			}
			print out[i]
		}
		for (a in hb) h = h sprintf("%s%d to %s", h != "" ? ", " : "", hb[a], a)
		if (h != "") print "        client heartbeats: " h
	}'
}

# wire_server_port [FROM [TO]]: the destination port of the first INIT
# after frame FROM (up to TO): the server of the first association.
wire_server_port() {
	awk -F'\t' -v from="${1:-0}" -v to="${2:-0}" '
	$1 > from && (to == 0 || $1 <= to) && $9 == "1" { print $7; exit }
	' "$WIRE_TEXT"
}

# wire_stop: stop tshark (SIGINT lets it finish the file) and wait for it.
wire_stop() {
	[[ -n ${WIRE_PID:-} ]] || return 0
	kill -INT "$WIRE_PID" 2>/dev/null
	wait_gone "$WIRE_PID" 10 || kill -KILL "$WIRE_PID" 2>/dev/null
	wait "$WIRE_PID" 2>/dev/null
	WIRE_PID=
}

# wire_split FROM TO FILE: frames FROM+1..TO-1 of the capture (the packets
# between two markers) into their own pcap file. Needs the capture stopped.
wire_split() {
	local from=$1 to=$2 file=$3
	((to - from > 1)) || return 0
	editcap -F pcap -r "$WIRE_PCAP" "$file" "$((from + 1))-$((to - 1))"
}
