#!/usr/bin/env bats
# What the READMEs say about the sources, checked against the sources
# (no SCTP needed). The READMEs' commands and outputs are checked on a
# real kernel by tests/readme.bats.

load ../test_helper

# guide_functions README: for each "## Reading `FILE`" section of README,
# lines "FILE NAME", one per function the section's table names in its
# first column.
guide_functions() {
	awk '
		/^## / {
			file = ""
			if (match($0, /^## Reading `[^`]+`$/))
				file = substr($0, 13, length($0) - 13)
			next
		}
		file != "" && /^\| `/ {
			split($0, cell, "|")
			rest = cell[2]
			while (match(rest, /`[a-z_]+\(\)`/)) {
				print file, substr(rest, RSTART + 1, RLENGTH - 4)
				rest = substr(rest, RSTART + RLENGTH)
			}
		}' "$1"
}

@test "every function a README's reading guide names is defined in the file it reads" {
	local readme file name n=0 missing=()
	for readme in "$TOP"/*/README.md; do
		while read -r file name; do
			n=$((n + 1))
			grep -q "^$name(" "$(dirname "$readme")/$file" ||
				missing+=("${readme#"$TOP"/}: $name() is not defined in $file")
		done < <(guide_functions "$readme")
	done
	printf '%s\n' "${missing[@]}"
	((${#missing[@]} == 0))
	# The guides left were found, with their tables (multihome's is
	# gone: its programs read on their own; events' has 12 functions).
	echo "$n functions named"
	((n >= 10))
}
