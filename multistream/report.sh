#!/usr/bin/env bash
# SPDX-License-Identifier: 0BSD
# report.sh: stream_receiver's lines, one per message, made into a table
# per flow, and checked. For every flow: its stream ("-" when it used
# several), ordered or unordered, how many messages, how many came after a
# later one of their flow (out-of-order: never on an ordered stream), and
# the one-way delay's p50, p99 (nearest rank) and max in ms; then "all".
# The checks are what SCTP promises: every message exactly once (the
# header says how many to expect), and on an ordered stream the message
# numbers only go up (per stream, never across streams).
#
# Usage: multistream/report.sh [FILE]   (default: standard input)
# Exit status: 0 when every message arrived exactly once and every
# ordered stream kept its order; 1 otherwise (the FAILED line says what).
set -euo pipefail

prog=${0##*/}
(($# <= 1)) || { echo "usage: $prog [FILE]" >&2; exit 2; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

# The lines look like
#   10:00:01.234 message 17/400 flow 1/4 #4 stream 1 ordered 21.350 ms
# Other lines (the receiver's first and last, warnings) are skipped.
awk -v tmp="$tmp" '
$2 == "message" && $4 == "flow" && $7 == "stream" && NF == 11 {
	split($3, m, "/"); split($5, fl, "/")
	seq = m[1] + 0; flow = fl[1] + 0; fseq = substr($6, 2) + 0; sid = $8
	if (!lines++) expected = m[2]
	if (seq in seen) { dup++; next }
	seen[seq] = 1
	received++
	print flow, $10 >tmp
	if (!(flow in n)) { stream[flow] = sid; delivery[flow] = "ordered" }
	n[flow]++
	if (stream[flow] != sid) stream[flow] = "-"
	if ($9 == "unordered") delivery[flow] = "unordered"
	if ((flow in high) && fseq < high[flow]) ooo[flow]++
	else high[flow] = fseq
	# The promise of an ordered stream: numbers on it only go up.
	if ($9 == "ordered") {
		if ((sid in last) && seq < last[sid]) violations++
		else last[sid] = seq
	}
}
# pct(A, N, P): the nearest-rank percentile P of sorted A[1..N].
function pct(a, k, p,   r) {
	r = int((p * k + 99) / 100)
	return a[r < 1 ? 1 : r]
}
function row(name, s, d, k, o, a) {
	printf "%4s %6s %-9s %8d %12d %7.1f %7.1f %7.1f\n", name, s, d, k, o,
		pct(a, k, 50), pct(a, k, 99), a[k]
}
END {
	if (!received) {
		print "no message arrived"
		exit 1
	}
	close(tmp)
	print "flow stream delivery  messages out-of-order  p50 ms  p99 ms  max ms"
	# Sorted by flow, then delay: one flow after the other.
	cmd = "sort -k1,1n -k2,2g " tmp
	for (more = (cmd | getline line) > 0; more; ) {
		split(line, x, " ")
		f = x[1]; k = 0
		while (more && x[1] == f) {
			d[++k] = x[2]
			more = (cmd | getline line) > 0
			if (more) split(line, x, " ")
		}
		row(f, stream[f], delivery[f], k, ooo[f] + 0, d)
		all_ooo += ooo[f]
	}
	close(cmd)
	k = 0
	cmd = "sort -k2,2g " tmp
	while ((cmd | getline line) > 0) { split(line, x, " "); d[++k] = x[2] }
	close(cmd)
	row("all", "-", "-", k, all_ooo, d)
	missing = expected - received
	printf "summary expected=%d received=%d missing=%d duplicates=%d order_violations=%d out_of_order=%d\n",
		expected, received, missing, dup, violations, all_ooo
	if (missing || dup || violations) {
		printf "FAILED: %d missing, %d duplicated, %d out of order on an ordered stream\n",
			missing, dup, violations
		exit 1
	}
	print "every message arrived exactly once; ordered streams stayed in order"
}' "${1:-/dev/stdin}"
