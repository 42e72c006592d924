#!/usr/bin/env bash
# SPDX-License-Identifier: 0BSD
# usrsctp.sh: the suite's programs against a second SCTP implementation.
# usrsctp is SCTP in a user-space library (FreeBSD's stack, the one inside
# browsers' WebRTC data channels); it has no IP protocol 132 of its own,
# only SCTP over UDP (RFC 6951). Debian's libusrsctp-examples installs its
# sample programs in /usr/lib/usrsctp. Linux's SCTP speaks UDP too, once a
# network namespace says which UDP ports:
#
#     net.sctp.udp_port  = 9899   Linux listens for SCTP on UDP 9899
#     net.sctp.encap_port = 9900  and sends it to UDP 9900,
#
# where usrsctp's programs listen on 9900 and send to 9899. The script
# makes a namespace with those settings and runs, on its loopback:
#   1. usrsctp's echo_server (SCTP port 7) against our echo_client;
#   2. our echo_server, then echo_server_many, against usrsctp's client.
#
# Needs root (a network namespace, sysctls), a kernel with SCTP and the
# libusrsctp-examples package.
#   udp/usrsctp.sh               both directions
#   udp/usrsctp.sh -w x.pcap     keep the loopback capture
set -euo pipefail

prog=usrsctp.sh
here=$(cd "$(dirname "$0")/.." && pwd)
usr=/usr/lib/usrsctp
# usrsctp's programs take the UDP ports on their command line.
LINUX_UDP=9899 USRSCTP_UDP=9900
# usrsctp's echo_server listens on SCTP port 7 (the echo service).
USR_ECHO_PORT=7
pcap=

usage() {
	cat <<EOF
usage: $prog [-w FILE] [-h]
  -w FILE  save the loopback capture to FILE
  -h       this help (also --help)
EOF
}
[[ ${1:-} == --help ]] && { usage; exit 0; }
while getopts ':w:h' opt; do
	case $opt in
	w) pcap=$OPTARG ;;
	h) usage; exit 0 ;;
	:) echo "$prog: -$OPTARG needs a value" >&2; usage >&2; exit 2 ;;
	*) echo "$prog: unknown option -$OPTARG" >&2; usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
(($# == 0)) || { echo "$prog: unexpected argument '$1'" >&2; usage >&2; exit 2; }
((EUID == 0)) || { echo "$prog: needs root (a network namespace)" >&2; exit 1; }
[[ -x $usr/echo_server && -x $usr/client ]] || {
	echo "$prog: $usr has no usrsctp programs: apt-get install libusrsctp-examples" >&2
	exit 1
}

ns=sctp-usrsctp-$$
pids=()
cleanup() {
	((${#pids[@]})) && kill "${pids[@]}" 2>/dev/null && wait "${pids[@]}" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	return 0
}
trap cleanup EXIT
in_ns() { ip netns exec "$ns" "$@"; }

ip netns add "$ns"
ip -n "$ns" link set lo up
in_ns sysctl -qw net.sctp.udp_port=$LINUX_UDP net.sctp.encap_port=$USRSCTP_UDP
if [[ -n $pcap ]]; then
	# dumpcap says "Capturing on" once it does: only then go on.
	mkdir -p "$(dirname "$pcap")"
	ip netns exec "$ns" dumpcap -i lo -f "udp port $LINUX_UDP" -w "$pcap" 2>"$pcap.log" &
	pids+=($!)
	for _ in $(seq 600); do grep -q '^Capturing on' "$pcap.log" && break; sleep 0.1; done
	rm -f "$pcap.log"
fi

echo "net.sctp.udp_port=$LINUX_UDP net.sctp.encap_port=$USRSCTP_UDP"
echo "1. usrsctp's echo_server (port $USR_ECHO_PORT) <- our echo_client"
ip netns exec "$ns" "$usr/echo_server" $USRSCTP_UDP $LINUX_UDP >/dev/null 2>&1 &
usr_pid=$!
pids+=("$usr_pid")
ok=0
# usrsctp's server is ready when its UDP socket is: try for a few seconds.
for _ in $(seq 20); do
	if out=$(timeout 10 ip netns exec "$ns" "$here/echo/echo_client" -a 127.0.0.1 \
		-p $USR_ECHO_PORT -m "hello, usrsctp" 2>&1); then
		ok=1
		break
	fi
	sleep 0.5
done
echo "  $out"
fail=$((1 - ok))
# Each usrsctp program binds UDP $USRSCTP_UDP itself: one at a time.
kill "$usr_pid"
wait "$usr_pid" 2>/dev/null || true

# usrsctp's client sends each line of its input, prints what comes back
# and shuts down at the end of its input (the sleep lets the echo come).
for server in echo_server echo_server_many; do
	echo "2. our $server <- usrsctp's client"
	coproc SERVER { exec ip netns exec "$ns" "$here/echo/$server" -p 0 2>&1; }
	pids+=("${SERVER_PID:?}")
	read -r line <&"${SERVER[0]}"
	port=${line##* }
	# Of what it prints: the association's changes and the echo. It
	# prints an event in pieces, from more than one thread, so the
	# pieces of one event can land inside another's line: the state
	# names are taken from anywhere in a line.
	out=$({ echo "hello from usrsctp"; sleep 1; } |
		timeout 20 ip netns exec "$ns" stdbuf -oL "$usr/client" 127.0.0.1 "$port" 0 \
			$USRSCTP_UDP $LINUX_UDP 2>&1 |
		grep -oE 'SCTP_(COMM_UP|COMM_LOST|RESTART|SHUTDOWN_COMP|CANT_STR_ASSOC)|^hello from usrsctp$') || true
	echo "  ${out//$'\n'/$'\n'  }"
	[[ $out == *$'\n'"hello from usrsctp"$'\n'* ]] || fail=1
	kill "$SERVER_PID"
	wait "$SERVER_PID" 2>/dev/null || true
done
exit $fail
