#!/usr/bin/env bash
# SPDX-License-Identifier: 0BSD
# echo/bench.sh [CLIENTS [MESSAGES]]: CLIENTS echo_client processes at once
# (default 100), MESSAGES messages each (default 100), against the
# one-to-one server, then the one-to-many one; prints echoes per second.
#
# Needs a kernel with SCTP: run it as `tests/vm.sh echo/bench.sh` on a
# machine without. Under emulation the absolute numbers mean little; the
# ratio between the two servers, measured in one run, does.
set -euo pipefail

clients=${1:-100}
messages=${2:-100}
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT

for server in echo_server echo_server_many; do
	"$top/echo/$server" -p 0 >"$tmp/$server.out" 2>&1 &
	pid=$!
	until grep -q '^listening on' "$tmp/$server.out"; do sleep 0.05; done
	port=$(sed -nE 's/^listening on .* port ([0-9]+)$/\1/p' "$tmp/$server.out")
	start=$(date +%s.%N)
	pids=()
	for ((i = 1; i <= clients; i++)); do
		timeout 600 "$top/echo/echo_client" -p "$port" -m "client $i" \
			-c "$messages" >/dev/null &
		pids+=($!)
	done
	failed=0
	for p in "${pids[@]}"; do wait "$p" || failed=$((failed + 1)); done
	end=$(date +%s.%N)
	kill "$pid"
	wait "$pid" || true
	awk -v s="$start" -v e="$end" -v n=$((clients * messages)) \
		-v name="$server" -v c="$clients" -v f="$failed" 'BEGIN {
		printf "%-17s %d clients, %d echoes in %.2f s: %.0f per second, %d clients failed\n",
			name, c, n, e - s, n / (e - s), f
	}'
done
