# SPDX-License-Identifier: 0BSD
# tests/lib/wait.bash - waiting without processes, for the test scripts.
#
# Under software emulation (tests/vm.sh) starting a process costs tens of
# milliseconds of CPU. A loop of `grep; sleep 0.05` therefore keeps an
# emulated CPU busy just by waiting, and slows down the very thing it
# waits for. These helpers use bash builtins only.
#
#   nap SECONDS          sleep, without a process
#   has_line FILE REGEX  true when a line of FILE matches REGEX (an
#                        extended regular expression, as grep -E takes)
#   wait_gone PID [SECONDS]
#                        wait until PID has exited (default 10 s);
#                        false if it is still there

# A pipe that nobody writes to: read -t on it is a sleep. Opened once
# (the one process substitution), read by every nap.
exec {NAP_FD}<> <(:)

nap() {
	read -rt "$1" -u "$NAP_FD" _ || :
}

has_line() {
	local line lines
	[[ -r $1 ]] || return 1
	mapfile -t lines <"$1"
	for line in "${lines[@]}"; do
		[[ $line =~ $2 ]] && return 0
	done
	return 1
}

wait_gone() {
	local end=$((SECONDS + ${2:-10}))
	while kill -0 "$1" 2>/dev/null; do
		((SECONDS < end)) || return 1
		nap 0.05
	done
}
