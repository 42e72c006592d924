#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# sctpcheck(1): check/sctpcheck.1, written in man(7) roff (its own source).
# It renders without a warning, and it documents every option sctpcheck -h
# lists and every diagnosis id the program can print. Runs on this machine:
# no SCTP needed.

bats_require_minimum_version 1.5.0

load ../test_helper

setup() {
	PAGE=$TOP/check/sctpcheck.1
}

@test "sctpcheck(1) renders without warnings, through groff and through man" {
	run --separate-stderr groff -man -Tutf8 -ww -z "$PAGE"
	assert_success
	assert_equal "$stderr" ""
	run --separate-stderr env MANWIDTH=80 man --warnings -l "$PAGE"
	assert_success
	assert_equal "$stderr" ""
	assert_line --index 0 --regexp '^SCTPCHECK\(1\) +User Commands +SCTPCHECK\(1\)$'
	assert_line "SYNOPSIS"
	assert_line "EXIT STATUS"
}

@test "sctpcheck(1) has an entry for every option sctpcheck -h lists, and its synopsis" {
	local page options opt
	run "$TOP/check/sctpcheck" -h
	assert_success
	# The option lines of the usage: "  -R ROOT     read ...".
	options=$(sed -n 's/^  \(-[a-zA-Z]\).*/\1/p' <<<"$output")
	[[ $(wc -w <<<"$options") -ge 5 ]] || fail "too few options in sctpcheck -h: $output"
	page=$(MANWIDTH=200 man -l "$PAGE" 2>/dev/null)
	for opt in $options --help --version; do
		# An entry: the option starts an indented line, alone or after
		# another name for it ("-h, --help").
		grep -Eq "^ +(-[a-z], )?$opt( |,|$)" <<<"$page" || fail "sctpcheck(1) has no entry for $opt"
	done
	# The synopsis is the usage's first line, after "usage: ".
	run "$TOP/check/sctpcheck" -h
	grep -Fq "${lines[0]#usage: }" <<<"$page" || fail "sctpcheck(1)'s synopsis is not '${lines[0]#usage: }'"
}

@test "sctpcheck(1) names every diagnosis id, JSON member and exit status the program has" {
	local page ids id
	page=$(MANWIDTH=200 man -l "$PAGE" 2>/dev/null)
	# The ids, from the table in check/diagnose.c: [CASE] = { "id", ...
	ids=$(sed -n 's/^\t\[[A-Z_]*\] = { "\([a-z_]*\)".*/\1/p' "$TOP/check/diagnose.c")
	[[ $(wc -w <<<"$ids") -ge 8 ]] || fail "too few diagnosis ids found in check/diagnose.c: $ids"
	for id in $ids supported diagnosis kernel socket_error blacklist loopback tunables \
		address ok skipped port streams_in streams_out bytes stream failed_call error; do
		grep -Eq "^ +$id( |$)|[ (]$id[,) ]" <<<"$page" || fail "sctpcheck(1) does not name '$id'"
	done
	for id in 0 1 2; do
		grep -Eq "^ +$id +[A-Z]" <<<"$(sed -n '/^EXIT STATUS/,/^[A-Z]/p' <<<"$page")" ||
			fail "sctpcheck(1) has no exit status $id"
	done
}
