#!/usr/bin/env bash
# SPDX-License-Identifier: 0BSD
# fuzz/run.sh [SECONDS] [TARGET...]: build the libFuzzer targets and run
# each for SECONDS (default 60), starting from its seed corpus.
#
# Targets (fuzz/NAME_fuzz.c; each file's header says what it checks):
#   decode           events/decode.c, the notification decoder
#   number           parse_number() of common/util.h
#   addr             multihome/addrs.h walking packed address arrays, addr_str
#   stream_receiver  multistream/flow.c, the header stream_receiver parses
#
# Built with clang -fsanitize=fuzzer,address,undefined: a crash, a
# sanitizer report, a failed check (abort), a leak or an input that takes
# more than PER_INPUT_TIMEOUT seconds stops that target and is kept in
# fuzz/out/crashes/TARGET/ (replay it with fuzz/out/TARGET FILE). The
# seeds (fuzz/corpus/TARGET/, checked in) are copied to
# fuzz/out/corpus/TARGET/, which keeps growing from run to run.
#
# Prints one line per target: executions, exec/s, coverage (cov: edges
# reached, ft: libFuzzer's finer "features"), corpus size, and the
# verdict; exits 1 if any target failed.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
seconds=${1:-60}
[[ $seconds =~ ^[0-9]+$ ]] || {
	echo "usage: fuzz/run.sh [SECONDS] [TARGET...]" >&2
	exit 2
}
shift $(($# > 0 ? 1 : 0))
all=(decode number addr stream_receiver)
targets=("$@")
((${#targets[@]})) || targets=("${all[@]}")

# A single input slower than this is a hang.
PER_INPUT_TIMEOUT=10
CC=${FUZZ_CC:-clang}
# shellcheck disable=SC2054 # -fsanitize takes a comma-separated list
FLAGS=(-g -O1 -std=c11 -D_GNU_SOURCE -Icommon -Ievents -Ifuzz
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
	-fno-omit-frame-pointer -Wall -Wextra)

tests/deps.sh fuzz || exit 1
out=fuzz/out
mkdir -p "$out"
# Reports go to stderr here, whatever the caller's environment says.
unset ASAN_OPTIONS UBSAN_OPTIONS
# clock_str() reads the zone on every event line: keep it cheap.
export TZ=UTC

# Sources per target: the target, plus what it links.
sources() {
	case $1 in
	decode) echo "fuzz/$1_fuzz.c events/decode.c" ;;
	stream_receiver) echo "fuzz/$1_fuzz.c multistream/flow.c" ;;
	*) echo "fuzz/$1_fuzz.c" ;;
	esac
}

failed=0
printf '%-16s %10s %7s %6s %6s %7s  %s\n' target executions exec/s cov ft corpus result
for t in "${targets[@]}"; do
	[[ -f fuzz/${t}_fuzz.c ]] || {
		echo "fuzz/run.sh: no target '$t' (one of: ${all[*]})" >&2
		exit 2
	}
	log=$out/$t.log
	# shellcheck disable=SC2046 # sources() lists words on purpose
	if ! $CC "${FLAGS[@]}" -o "$out/$t" $(sources "$t") -lsctp >"$out/$t.build" 2>&1; then
		printf '%-16s %10s %7s %6s %6s %7s  %s\n' "$t" - - - - - "BUILD FAILED"
		sed 's/^/  /' "$out/$t.build" | head -n 20
		failed=1
		continue
	fi
	mkdir -p "$out/corpus/$t" "$out/crashes/$t"
	cp -n fuzz/corpus/"$t"/* "$out/corpus/$t/" 2>/dev/null
	"$out/$t" -max_total_time="$seconds" -timeout="$PER_INPUT_TIMEOUT" \
		-print_final_stats=1 -close_fd_mask=3 \
		-artifact_prefix="$out/crashes/$t/" \
		"$out/corpus/$t" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	# The last status line: "#N DONE cov: C ft: F corp: K/..."
	last=$(grep -E '^#[0-9]+[[:space:]].*cov: ' "$log" | tail -n 1)
	cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$last")
	ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$last")
	corp=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$last")
	result=ok
	crash=
	if ((rc != 0)); then
		# The newest input kept: the one this run failed on.
		crash=$(find "$out/crashes/$t" -type f -printf '%T@ %p\n' 2>/dev/null |
			sort -n | tail -n 1 | cut -d' ' -f2-)
		result="FAILED (exit $rc)"
		failed=1
	fi
	printf '%-16s %10s %7s %6s %6s %7s  %s\n' "$t" "${execs:--}" \
		"${rate:--}" "${cov:--}" "${ft:--}" "${corp:--}" "$result"
	if ((rc != 0)); then
		# Once more on the input that failed, with the target's own
		# messages (stderr) this time, and the input itself.
		if [[ -n $crash ]]; then
			echo "  input ($crash):"
			od -A d -c "$crash" | head -n 6 | sed 's/^/    /'
			"$out/$t" -close_fd_mask=1 "$crash" 2>&1 |
				grep -vE '^(INFO|MS:|base unit|NOTE|      Combine|artifact_prefix|Running|Executed)' |
				grep -vE '^ +#[0-9]+ .*(BuildId|/nptl/|raise\.c|abort\.c)' |
				sed '/^$/d' | head -n 20 | sed 's/^/  /'
		else
			tail -n 20 "$log" | sed 's/^/  /'
		fi
	fi
done
exit "$failed"
