#!/usr/bin/env bats
# SPDX-License-Identifier: 0BSD
# The Makefile's promises: a build with no side effects that needs no
# Debian tool, one message when libsctp is missing, the namespaced install
# and an uninstall that takes it all back, clean and distclean, warnings
# that survive a CFLAGS override, rebuilds when the compiler changes. Run
# on this machine (no SCTP needed), in a scratch copy so the tree under
# test is not touched.

bats_require_minimum_version 1.5.0

load ../test_helper

setup() {
	SRC=$BATS_TEST_TMPDIR/src
	mkdir -p "$SRC"
	# The sources only (what git tracks, plus work not yet committed).
	(cd "$TOP" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$SRC")
	# What `make` builds: PROGS and TEST_PROGS, the way make expands them.
	PROGS=$(make_var PROGS)
	CHECK_PROGS=$(make_var CHECK_PROGS)
}

# make_var NAME: the value of the Makefile's variable NAME.
make_var() {
	make -s -C "$SRC" --no-print-directory --eval "print-var: ; @echo \$($1)" print-var
}

# files DIR: every file under DIR, one a line, sorted, relative to DIR.
files() {
	(cd "$1" && find . -type f -o -type l | sed 's|^\./||' | LC_ALL=C sort)
}

# no_debian_tools DIR: DIR holds a symlink to every command in PATH
# except dpkg, dpkg-query, apt-get, apt and apt-cache (and the names
# given after DIR): a PATH of just DIR is a system without them.
no_debian_tools() {
	local dir=$1 d f name
	shift
	mkdir -p "$dir"
	for d in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
		for f in "$d"/*; do
			name=${f##*/}
			case " dpkg dpkg-query apt-get apt apt-cache $* " in
			*" $name "*) continue ;;
			esac
			[[ -x $f && ! -e $dir/$name ]] && ln -s "$f" "$dir/$name"
		done
	done
	return 0
}

@test "make builds every program with zero warnings, never calling dpkg or apt, and installs nothing" {
	# Each Debian tool, shadowed by a script that records the call and
	# fails: the build must need none of them, and call none.
	local shadow=$BATS_TEST_TMPDIR/shadow calls=$BATS_TEST_TMPDIR/calls t p
	mkdir -p "$shadow"
	for t in dpkg dpkg-query apt-get apt apt-cache; do
		printf '#!/bin/sh\necho "%s $*" >>%q\nexit 1\n' "$t" "$calls" >"$shadow/$t"
		chmod +x "$shadow/$t"
	done
	PATH=$shadow:$PATH run make -C "$SRC" WERROR=1
	assert_success
	refute_output --partial warning:
	refute_output --partial deps.sh
	[[ ! -e $calls ]] || fail "called: $(cat "$calls")"
	for p in $PROGS $(make_var TEST_PROGS); do
		[[ -x $SRC/$p ]] || fail "$p was not built"
	done
}

@test "make check and make demo ask tests/deps.sh for the build's packages before they build" {
	run make -n -C "$SRC" --no-print-directory check
	assert_success
	assert_line --index 0 "tests/deps.sh build"
	assert_line --partial "tests/run"
	run make -n -C "$SRC" --no-print-directory demo
	assert_success
	assert_line --index 0 "tests/deps.sh build"
	assert_line tests/demo
}

@test "without libsctp, make stops before any program with one message saying what to install" {
	# pkg-config knows nothing, and the library does not link.
	run make -C "$SRC" PKG_CONFIG=false LDLIBS=-lsctp-not-here
	assert_failure
	assert_output --partial "libsctp is missing (<netinet/sctp.h> and -lsctp). Install it:
  Debian, Ubuntu:  sudo apt-get install libsctp-dev
  Fedora, RHEL:    sudo dnf install lksctp-tools-devel
  Arch:            sudo pacman -S lksctp-tools
  Alpine:          sudo apk add lksctp-tools-dev"
	refute_output --partial "-o check/sctpcheck"
	[[ ! -e $SRC/check/sctpcheck ]]
	# Without pkg-config's word, the test compile finds the real one.
	run make -s -C "$SRC" PKG_CONFIG=false check/sctpcheck
	assert_success
	[[ -x $SRC/check/sctpcheck ]]
}

@test "tests/deps.sh without dpkg and apt-get names the commands that are missing" {
	local bin=$BATS_TEST_TMPDIR/bin
	no_debian_tools "$bin" shellcheck
	PATH=$bin run --separate-stderr "$TOP/tests/deps.sh" build lint
	assert_equal "$status" 1
	assert_equal "$stderr" "deps.sh: not found: shellcheck
This is not a Debian system (no dpkg-query or apt-get): install them
with its package manager (Debian's packages: make gcc libc6-dev libsctp-dev shellcheck)."
	# Everything the build needs is here: nothing to say.
	PATH=$bin run --separate-stderr "$TOP/tests/deps.sh" build
	assert_success
	assert_equal "$stderr" ""
}

@test "make install: sctpcheck in bin, the samples in libexec/sctp-samples, READMEs and sources in share/doc; uninstall takes it all back" {
	local stage=$BATS_TEST_TMPDIR/stage p d f expected manpages
	run make -s -C "$SRC" install PREFIX=/opt/sctp DESTDIR="$stage"
	assert_success
	manpages=$(make_var MANPAGES)
	expected=$(
		for p in $CHECK_PROGS; do echo "bin/${p##*/}"; done
		for p in $PROGS; do
			[[ " $CHECK_PROGS " == *" $p "* ]] || echo "libexec/sctp-samples/${p##*/}"
		done
		for p in $manpages; do echo "share/man/man1/${p##*/}"; done
		cd "$SRC"
		for f in README.md LICENSE; do echo "share/doc/sctp-samples/$f"; done
		for d in common $(for p in $PROGS; do echo "${p%/*}"; done | sort -u); do
			for f in "$d"/README.md "$d"/*.c "$d"/*.h "$d"/*.sh; do
				[[ -e $f ]] && echo "share/doc/sctp-samples/$f"
			done
		done
	)
	run files "$stage/opt/sctp"
	assert_output "$(LC_ALL=C sort <<<"$expected")"
	# The programs are executable, the rest is not.
	expected=$(for p in $PROGS; do
		[[ " $CHECK_PROGS " == *" $p "* ]] && echo "bin/${p##*/}" ||
			echo "libexec/sctp-samples/${p##*/}"
	done | LC_ALL=C sort)
	run bash -c 'cd "$1" && find . -type f -perm -u+x | sed "s|^\./||" | LC_ALL=C sort' - "$stage/opt/sctp"
	assert_output "$expected"
	"$stage/opt/sctp/bin/sctpcheck" -h >/dev/null
	run make -s -C "$SRC" uninstall PREFIX=/opt/sctp DESTDIR="$stage"
	assert_success
	run files "$stage"
	assert_output ""
}

@test "make clean removes what make and make bench build; distclean the VM cache and outputs too" {
	local before
	before=$(files "$SRC")
	run make -s -C "$SRC" all $(make_var BENCH_DRIVERS)
	assert_success
	mkdir -p "$SRC/.cache/vm" "$SRC/tour-out" "$SRC/fuzz/out" "$SRC/bench/out"
	touch "$SRC/.cache/vm/kernel" "$SRC/tour-out/1-check.pcap" \
		"$SRC/fuzz/out/seed" "$SRC/bench/out/table.md"
	run make -s -C "$SRC" clean
	assert_success
	run files "$SRC"
	assert_output "$(printf '%s\n' "$before" .cache/vm/kernel bench/out/table.md fuzz/out/seed tour-out/1-check.pcap | LC_ALL=C sort)"
	run make -s -C "$SRC" distclean
	assert_success
	run files "$SRC"
	assert_output "$before"
	[[ ! -e $SRC/.cache && ! -e $SRC/tour-out ]]
}

@test "make shellcheck covers every shell script in the tree" {
	local listed f
	listed=" $(cd "$SRC" && eval echo "$(make_var SHELL_SCRIPTS) $(make_var SHELL_LIBS)") "
	while read -r f; do
		[[ $listed == *" $f "* ]] || fail "$f is not in SHELL_SCRIPTS or SHELL_LIBS"
	done < <(cd "$SRC" && { ls ./*/*.bash ./*/*/*.bash 2>/dev/null; grep -rlE '^#!(/usr/bin/env |/bin/)(ba)?sh\b' --exclude=*.bats --exclude-dir=.git .; } |
		sed 's|^\./||' | grep -v '^tests/demo$' | sort -u)
}

@test "make CFLAGS=-O0 keeps the warnings, and a new compiler rebuilds everything" {
	run make -C "$SRC" CFLAGS=-O0 check/sctpcheck
	assert_success
	assert_output --partial "-Wall -Wextra"
	assert_output --partial "-O0"
	run make -C "$SRC" CC=clang check/sctpcheck
	assert_success
	assert_output --partial "clang -Icommon"
	run make -C "$SRC" CC=clang check/sctpcheck
	assert_success
	refute_output --partial "-o check/sctpcheck"
}

@test "make format-check accepts the tree and rejects a misformatted file" {
	run make -s -C "$SRC" format-check
	assert_success
	printf 'int  main( void ){return 0;}\n' >"$SRC/check/bad.c"
	run make -s -C "$SRC" format-check
	assert_failure
	assert_output --partial "check/bad.c"
}
