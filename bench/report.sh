#!/usr/bin/env bash
# SPDX-License-Identifier: 0BSD
# bench/report.sh DIR: the table of one `make bench` run (the .dat files
# bench/bench.sh left in DIR), as Markdown on stdout. Medians over the
# rounds; every comparison is a ratio of runs made in the same run.
set -uo pipefail
dir=${1:?usage: bench/report.sh DIR}
cd "$dir" || exit 2

# med CONFIG: median Mbit/s of CONFIG's rounds in bulk.dat ("nan" if none).
med() {
	awk -v c="$1" '$1 == c && $3 != "nan" { print $3 }' bulk.dat 2>/dev/null | sort -g |
		awk '{ v[NR] = $1 } END { if (!NR) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# emed SERVER CLIENTS COLUMN: median over the rounds in echo.dat.
emed() {
	awk -v s="$1" -v n="$2" -v c="$3" '$1 == s && $2 == n && $c != "nan" { print $c }' echo.dat 2>/dev/null | sort -g |
		awk '{ v[NR] = $1 } END { if (!NR) print "nan"; else print v[int((NR + 1) / 2)] }'
}
# all CONFIG: every round's value, for the table.
all() { awk -v c="$1" '$1 == c { printf "%s%s", sep, $3; sep = ", " }' bulk.dat 2>/dev/null; }
# ratio A B: A/B to two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else printf "n/a" }'; }

# Helper files for bench/plots.gp: medians and merged series.
if [[ -s bulk.dat ]]; then
	for c in iperf3-sctp-default ours-sctp-default sample-sctp-default iperf3-sctp-tuned \
		ours-sctp-tuned iperf3-tcp-tuned ours-tcp-tuned; do
		echo "$c $(med "$c")"
	done >plot_bulk.dat
fi
if [[ -s tuning.dat ]]; then
	{
		awk '$1 == "buffer" { print $3, $2, $5 }' tuning.dat
		echo "sctp 1048576 $(med ours-sctp-tuned)"
		echo "tcp 1048576 $(med ours-tcp-tuned)"
	} | sort -k1,1 -k2n >plot_buffers.dat
fi
if [[ -s sizes.dat ]]; then
	{
		awk '!/^#/' sizes.dat
		echo "16384 $(med ours-sctp-tuned) $(med iperf3-sctp-tuned) $(med ours-tcp-tuned)"
	} | sort -n >plot_sizes.dat
fi
if [[ -s echo_sizes.dat && -s echo.dat ]]; then
	{
		for v in many one tcp; do echo "$v 64 $(emed "$v" 1 4)"; done
		awk '!/^#/ { print $1, $2, $3 }' echo_sizes.dat
	} | awk '{ v[$2, $1] = $3; l[$2] = 1 } END { for (k in l) print k, v[k, "many"], v[k, "one"], v[k, "tcp"] }' |
		sort -n >plot_echo_sizes.dat
fi
if [[ -s echo.dat ]]; then
	# shellcheck disable=SC2013 # one number per line
	for n in $(awk '!/^#/ { print $2 }' echo.dat | sort -nu); do
		echo "$n $(emed many "$n" 4) $(emed one "$n" 4) $(emed tcp "$n" 4)" \
			"$(emed many "$n" 6) $(emed one "$n" 6) $(emed tcp "$n" 6)"
	done >plot_echo.dat
fi

# Delay distributions: "delay fraction-of-messages-at-most-this" per run,
# for the flows that lose nothing (intact) and for flow 0 (lossy).
for m in streams one tcp unordered; do
	[[ -s hol_$m.dat ]] || continue
	for part in intact lossy; do
		awk -v p="$part" '(p == "lossy") == ($1 == 0) { print $2 }' "hol_$m.dat" | sort -g >"plot_hol_${m}_$part.tmp"
		n=$(wc -l <"plot_hol_${m}_$part.tmp")
		awk -v n="$n" '{ print $1, NR / n }' "plot_hol_${m}_$part.tmp" >"plot_hol_${m}_$part.dat"
		rm -f "plot_hol_${m}_$part.tmp"
	done
done

echo "## Environment"
echo
sed 's/^/    /' env.txt 2>/dev/null
echo

if [[ -s bulk.dat ]]; then
	echo "## Bulk throughput, 16 KiB messages, one association"
	echo
	echo "Receiver-side Mbit/s, median of the rounds (all rounds in brackets)."
	echo
	echo "| sender | buffers | Mbit/s | rounds |"
	echo "| --- | --- | ---: | --- |"
	for c in iperf3-sctp-default ours-sctp-default sample-sctp-default iperf3-sctp-tuned \
		ours-sctp-tuned iperf3-tcp-tuned ours-tcp-tuned; do
		case $c in
		iperf3-sctp-*) who="iperf3 --sctp" ;;
		iperf3-tcp-*) who="iperf3 (TCP)" ;;
		ours-sctp-*) who="bench/bulk (SCTP)" ;;
		ours-tcp-*) who="bench/bulk -T (TCP)" ;;
		sample-*) who="multistream/stream_sender -r 0" ;;
		esac
		case $c in
		sample-*) b="kernel default, SCTP_NODELAY" ;;
		*-default) b="kernel default, Nagle" ;;
		*) b="-w 1 MiB, no Nagle (-N)" ;;
		esac
		echo "| $who | $b | $(med "$c") | $(all "$c") |"
	done
	echo
	echo "| ratio | value |"
	echo "| --- | ---: |"
	echo "| bench/bulk / iperf3 --sctp, tuned | **$(ratio "$(med ours-sctp-tuned)" "$(med iperf3-sctp-tuned)")** |"
	echo "| bench/bulk / iperf3 --sctp, default buffers | $(ratio "$(med ours-sctp-default)" "$(med iperf3-sctp-default)") |"
	echo "| stream_sender / iperf3 --sctp, default buffers | $(ratio "$(med sample-sctp-default)" "$(med iperf3-sctp-default)") |"
	echo "| SCTP / TCP, bench/bulk, tuned | **$(ratio "$(med ours-sctp-tuned)" "$(med ours-tcp-tuned)")** |"
	echo "| SCTP / TCP, iperf3, tuned | $(ratio "$(med iperf3-sctp-tuned)" "$(med iperf3-tcp-tuned)") |"
	echo "| SCTP tuned / SCTP defaults, bench/bulk | $(ratio "$(med ours-sctp-tuned)" "$(med ours-sctp-default)") |"
	echo
fi

if [[ -s tuning.dat ]]; then
	base=$(med ours-sctp-tuned)
	echo "## What the knobs do (bench/bulk, SCTP unless said)"
	echo
	echo "Relative to the tuned bench/bulk SCTP run above: -w 1 MiB, -N (no Nagle), 16 KiB messages, the kernel's SACK policy ($base Mbit/s). Each setting changes one thing."
	echo
	echo "| knob | setting | protocol | message | Mbit/s | relative |"
	echo "| --- | --- | --- | ---: | ---: | ---: |"
	awk '!/^#/' tuning.dat | while read -r knob setting proto len v; do
		echo "| $knob | $setting | $proto | $len | $v | $(ratio "$v" "$base") |"
	done
	echo
fi

if [[ -s sizes.dat ]]; then
	echo "## Bulk throughput as the message grows (-w 1 MiB, -N)"
	echo
	echo "| message bytes | bench/bulk SCTP | iperf3 --sctp | bench/bulk TCP | ours/iperf3 | SCTP/TCP |"
	echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
	{
		awk '!/^#/' sizes.dat
		echo "16384 $(med ours-sctp-tuned) $(med iperf3-sctp-tuned) $(med ours-tcp-tuned)"
	} | sort -n | while read -r l a b c; do
		echo "| $l | $a | $b | $c | $(ratio "$a" "$b") | $(ratio "$a" "$c") |"
	done
	echo
fi

if [[ -s echo.dat ]]; then
	echo "## Echo round trips per second, 64-byte messages"
	echo
	echo "One message in flight per client; median of the rounds (1,000 clients: one round), with the p50/p99 round trip in ms."
	echo
	echo "| clients | one-to-many (echo_server_many) | one-to-one (echo_server) | TCP (tcp_echo_server) | many/one | many/TCP |"
	echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
	ms() { awk -v v="$1" 'BEGIN { if (v + 0 > 0) printf "%.1f", v / 1000; else printf "n/a" }'; }
	while read -r n m o t pm po pt; do
		echo "| $n | $m ($(ms "$(emed many "$n" 5)")/$(ms "$pm")) | $o ($(ms "$(emed one "$n" 5)")/$(ms "$po")) |" \
			"$t ($(ms "$(emed tcp "$n" 5)")/$(ms "$pt")) | $(ratio "$m" "$o") | $(ratio "$m" "$t") |"
	done <plot_echo.dat
	echo
	echo "The same, as clients divided by the median round trip: what the server would do if no round trip were held up by a stall of the emulated machine (see the method)."
	echo
	echo "| clients | one-to-many | one-to-one | TCP | many/one | many/TCP |"
	echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
	while read -r n _; do
		est() { awk -v n="$n" -v p="$(emed "$1" "$n" 5)" 'BEGIN { if (p + 0 > 0) printf "%.0f", n * 1e6 / p; else printf "nan" }'; }
		m=$(est many) o=$(est one) t=$(est tcp)
		echo "| $n | $m | $o | $t | $(ratio "$m" "$o") | $(ratio "$m" "$t") |"
	done <plot_echo.dat
	echo
fi

if [[ -s echo_sizes.dat ]]; then
	echo "## Echo round trips per second as the message grows (1 client)"
	echo
	echo "| message bytes | one-to-many | one-to-one | TCP | many/TCP |"
	echo "| ---: | ---: | ---: | ---: | ---: |"
	while read -r l m o t; do
		echo "| $l | $m | $o | $t | $(ratio "$m" "$t") |"
	done <plot_echo_sizes.dat
	echo
fi

if [[ -s memory.dat ]]; then
	echo "## Memory with 1,000 idle associations"
	echo
	echo "Server RSS before and with the clients connected; the kernel's slab growth counts both ends (client and server live in the same kernel)."
	echo
	echo "| server | RSS before (kB) | RSS with 1,000 (kB) | associations seen | kernel slab growth (kB) | per association, both ends (kB) | still answers |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
	awk '!/^#/' memory.dat | while read -r s b a n slab ok; do
		per=$(awk -v s="$slab" -v n="$n" 'BEGIN { if (n + 0 > 0) printf "%.1f", s / n; else printf "n/a" }')
		echo "| $s | $b | $a | $n | $slab | $per | $ok |"
	done
	echo
fi

if [[ -s hol.dat ]]; then
	echo "## Head-of-line blocking: one-way delay (ms) under loss"
	echo
	echo "Flows 1-3 lose nothing; only flow 0's packets are dropped. \"Late\": the share of messages that took over 30 ms, 10 ms more than the link's own 20 ms."
	echo
	echo "| run | messages | flows 1-3 p50 | flows 1-3 p99 | flows 1-3 late | flow 0 p50 | flow 0 p99 | flow 0 late | every message once, in order |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
	# late MODE PART: percentage of PART's messages over 30 ms.
	late() { awk '$1 > 30 { l++ } END { if (NR) printf "%.0f%%", 100 * l / NR; else printf "n/a" }' "plot_hol_$1_$2.dat" 2>/dev/null; }
	awk '!/^#/' hol.dat | while read -r m n a b c d ok; do
		case $m in
		streams) t="SCTP, 4 streams" ;;
		one) t="SCTP, 1 stream" ;;
		tcp) t="TCP" ;;
		unordered) t="SCTP, unordered" ;;
		esac
		echo "| $t | $n | $a | $b | $(late "$m" intact) | $c | $d | $(late "$m" lossy) | $ok |"
	done
	echo
fi

if [[ -s failover.dat ]]; then
	echo "## Failover: fault on the primary path to the first message through the other"
	echo
	echo "| settings | runs (ms) | median (ms) |"
	echo "| --- | --- | ---: |"
	for c in default tuned; do
		runs=$(awk -v c="$c" '$1 == c { printf "%s%s", sep, $3; sep = ", " }' failover.dat)
		m=$(awk -v c="$c" '$1 == c { print $3 }' failover.dat | sort -n |
			awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "n/a" }')
		echo "| $c | ${runs:-none} | $m |"
	done
	echo
fi

# --- cost: system calls, memory, the throughput ratio -------------------------
# desc NAME: what the server is.
desc() {
	case $1 in
	echo_server) echo "echo/echo_server (one-to-one, a child per association)" ;;
	echo_server_many) echo "echo/echo_server_many (one-to-many, one process)" ;;
	socat-exec-cat) echo "socat SCTP-LISTEN,fork EXEC:cat" ;;
	socat-pipe) echo "socat SCTP-LISTEN,fork PIPE" ;;
	ncat-e-cat) echo "ncat --sctp -l -k -e /bin/cat" ;;
	daytime_server) echo "daytime/daytime_server (two messages, then close)" ;;
	socat-exec-date) echo "socat SCTP-LISTEN,fork EXEC:date (one message)" ;;
	*) echo "$1" ;;
	esac
}
if [[ -s cost_syscalls.dat ]]; then
	for kind in echo daytime; do
		grep -q "^$kind:" cost_syscalls.dat || continue
		if [[ $kind == echo ]]; then
			echo "## Cost: system calls per echoed message"
			echo
			echo "strace -f -c of the server (every process it forks); one client, echo/echo_client, sending short lines (\`echo 17 of 201\`) one at a time, each awaiting its echo. The server's calls with 1 echo are subtracted from those with the larger count and divided by the difference: startup, accept, fork and teardown are not counted. Floor: one receive and one send."
		else
			echo "## Cost: system calls per daytime exchange"
			echo
			echo "The same method, one client process per exchange (daytime/daytime_client; socat -u as socat's client). An exchange here includes accepting the association and closing it. Floor: accept, one send per message, close."
		fi
		echo
		echo "| server | calls (messages) | calls (messages) | per $kind | floor | per $kind, by call |"
		echo "| --- | ---: | ---: | ---: | ---: | --- |"
		awk -v k="$kind:" 'index($1, k) == 1' cost_syscalls.dat | while read -r s na a nb b per floor which; do
			echo "| $(desc "${s#*:}") | $a ($na) | $b ($nb) | **$per** | $floor | ${which//_/ } |"
		done
		echo
	done
fi

if [[ -s cost_memory.dat ]]; then
	echo "## Cost: memory per idle association"
	echo
	echo "Every process of the server (the forking servers have one or two per association): RSS summed, and PSS (each shared page divided among the processes sharing it), before and with bench/echo_load -H holding the associations idle after some seconds of echoes (10 s; 5 s in the quick mode: a forking server under emulation may take seconds to answer the first), and after one warm-up echo before the first reading. The kernel's memory is not in these figures."
	echo
	echo "| server | processes | RSS (kB) | PSS (kB) | associations | processes | RSS (kB) | PSS (kB) | RSS per association (kB) | PSS per association (kB) |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	awk '!/^#/' cost_memory.dat | while read -r s pb rb sb pw rw sw n; do
		per() { awk -v a="$1" -v b="$2" -v n="$n" 'BEGIN { if (n + 0 > 0 && b + 0 > 0) printf "%.1f", (b - a) / n; else printf "n/a" }'; }
		echo "| $(desc "$s") | $pb | $rb | $sb | $n | $pw | $rw | $sw | **$(per "$rb" "$rw")** | $(per "$sb" "$sw") |"
	done
	echo
	echo "(Columns 2-4: the server alone; 6-8: with the associations.)"
	echo
fi

if [[ -s cost_bulk.dat ]]; then
	echo "## Cost: bench/bulk against iperf3 --sctp, rounds taking turns"
	echo
	echo "16 KiB messages, -w 1 MiB, no Nagle (-N), receiver-side Mbit/s; which of the two goes first alternates. The ratio is taken within each round, seconds apart."
	echo
	echo "| round | bench/bulk | iperf3 --sctp | ratio |"
	echo "| ---: | ---: | ---: | ---: |"
	awk '!/^#/' cost_bulk.dat | while read -r r o p; do
		echo "| $r | $o | $p | $(ratio "$o" "$p") |"
	done
	echo
	# Median, quartiles (medians of the lower and upper halves), min, max.
	awk '!/^#/ && $2 + 0 > 0 && $3 + 0 > 0 { print $2 / $3 }' cost_bulk.dat | sort -g | awk '
		function med(lo, hi, n) { n = hi - lo + 1; return (n % 2) ? v[lo + (n - 1) / 2] : (v[lo + n / 2 - 1] + v[lo + n / 2]) / 2 }
		{ v[NR] = $1 }
		END {
			if (!NR) { print "No round gave both rates."; exit }
			h = int(NR / 2)
			printf "bench/bulk / iperf3 --sctp over %d rounds: median **%.2f**, ", NR, med(1, NR)
			if (NR >= 4) printf "interquartile range %.2f-%.2f, ", med(1, h), med(NR - h + 1, NR)
			printf "min-max %.2f-%.2f.\n", v[1], v[NR]
		}'
	echo
fi
