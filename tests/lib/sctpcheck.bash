# SPDX-License-Identifier: 0BSD
# Helpers for the sctpcheck tests (tests/sctpcheck.bats in the VM,
# tests/nosctp/sctpcheck.bats on a host without SCTP).

# assert_json EXPR VALUE [EXPR VALUE ...]: $output (sctpcheck -j) is one
# JSON object that python3's json module parses, as d, and each python
# EXPR of d prints as VALUE. One python3 for them all: under emulation
# every process start counts.
assert_json() {
	local exprs=() want=() got
	while (($# >= 2)); do
		exprs+=("$1")
		want+=("$2")
		shift 2
	done
	got=$(python3 -c 'import json, sys
d = json.loads(sys.argv[1])
for e in sys.argv[2:]:
    print(eval(e))' "$output" "${exprs[@]}") ||
		fail "sctpcheck -j printed no JSON object python3 parses: $output"
	assert_equal "$got" "$(printf '%s\n' "${want[@]}")"
}

# nobody_copies TOP: NOBODY_BIN, a directory everyone may enter, holding
# copies of TOP's sctpcheck and seccomp-deny for the tests that run them
# as user nobody: a checkout may sit where nobody cannot go (a 0700 home,
# /root, a mktemp -d directory). For setup_file; nobody_cleanup undoes it.
nobody_copies() {
	NOBODY_BIN=$(mktemp -d /tmp/sctpcheck-nobody.XXXXXX)
	chmod 755 "$NOBODY_BIN"
	cp "$1/check/sctpcheck" "$1/tests/seccomp-deny" "$NOBODY_BIN/"
	export NOBODY_BIN
}

nobody_cleanup() {
	rm -rf "$NOBODY_BIN"
}

# as_nobody CMD ARGS...: CMD as user and group nobody, no other groups.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}
