#!/usr/bin/env bash
# SPDX-License-Identifier: 0BSD
# middlebox.sh: SCTP across a middlebox that passes only TCP, UDP and ICMP,
# first as itself (protocol 132: dropped), then encapsulated in UDP
# (RFC 6951: it gets through). The programs are the suite's echo server
# and client, unchanged: two sysctls move a whole network namespace onto
# UDP.
#
#     client                     middlebox                      server
#     c0 10.71.1.2/24 ---- m0 10.71.1.1   m1 10.71.2.1 ---- s0 10.71.2.2/24
#                          forwards TCP, UDP, ICMP; drops the rest;
#                          masquerades what leaves by m1 (a NAT)
#
# Three network namespaces stand for the three hosts; the script makes
# them and deletes them. With -s the middlebox lets SCTP through too:
# Linux's NAT then rewrites SCTP as well (nf_conntrack_proto_sctp), so
# plain SCTP works across it, and the conntrack entry shows it.
#
# Needs root (namespaces, nftables, sysctls) and a kernel with SCTP.
#   udp/middlebox.sh             plain SCTP fails, SCTP over UDP works
#   udp/middlebox.sh -s          the middlebox passes SCTP: both work
#   udp/middlebox.sh -w x.pcap   keep the middlebox's capture
set -euo pipefail

prog=middlebox.sh
here=$(cd "$(dirname "$0")/.." && pwd)
# RFC 6951's port for SCTP over UDP (IANA: sctp-tunneling, 9899).
UDP_PORT=9899
# The echo server's port, and what the client sends.
PORT=2013
MESSAGE="hello through the middlebox"
pass_sctp=0 pcap=

usage() {
	cat <<EOF
usage: $prog [-s] [-w FILE] [-h]
  -s       the middlebox forwards SCTP too (and NATs it)
  -w FILE  save the middlebox's capture (server side) to FILE
  -h       this help (also --help)
EOF
}
[[ ${1:-} == --help ]] && { usage; exit 0; }
while getopts ':sw:h' opt; do
	case $opt in
	s) pass_sctp=1 ;;
	w) pcap=$OPTARG ;;
	h) usage; exit 0 ;;
	:) echo "$prog: -$OPTARG needs a value" >&2; usage >&2; exit 2 ;;
	*) echo "$prog: unknown option -$OPTARG" >&2; usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
(($# == 0)) || { echo "$prog: unexpected argument '$1'" >&2; usage >&2; exit 2; }
((EUID == 0)) || { echo "$prog: needs root (network namespaces)" >&2; exit 1; }

ns=sctp-udp-$$
cli=$ns-client mid=$ns-middlebox srv=$ns-server
dumpcap_pid='' server_pid=''
cleanup() {
	# The kernel hands captured packets to dumpcap in batches, a while
	# after they pass: stopped at once, dumpcap had written none of the
	# association's packets in 3 runs of 12. A second, then the stop
	# Ctrl-C gives.
	[[ -n $dumpcap_pid ]] && sleep 1
	[[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null
	[[ -n $dumpcap_pid ]] && kill -INT "$dumpcap_pid" 2>/dev/null && wait "$dumpcap_pid"
	for n in "$cli" "$mid" "$srv"; do ip netns del "$n" 2>/dev/null; done
	return 0
}
trap cleanup EXIT

for n in "$cli" "$mid" "$srv"; do
	ip netns add "$n"
	ip -n "$n" link set lo up
done
ip link add c0 netns "$cli" type veth peer name m0 netns "$mid"
ip link add s0 netns "$srv" type veth peer name m1 netns "$mid"
ip -n "$cli" addr add 10.71.1.2/24 dev c0
ip -n "$mid" addr add 10.71.1.1/24 dev m0
ip -n "$mid" addr add 10.71.2.1/24 dev m1
ip -n "$srv" addr add 10.71.2.2/24 dev s0
ip -n "$cli" link set c0 up
ip -n "$mid" link set m0 up
ip -n "$mid" link set m1 up
ip -n "$srv" link set s0 up
ip -n "$cli" route add default via 10.71.1.1
ip -n "$srv" route add default via 10.71.2.1
ip netns exec "$mid" sysctl -qw net.ipv4.ip_forward=1
allowed="tcp, udp, icmp"
((pass_sctp)) && allowed+=", sctp"
ip netns exec "$mid" nft -f - <<EOF
table inet middlebox {
	chain filt {
		type filter hook forward priority filter; policy drop;
		meta l4proto { $allowed } counter accept
		counter comment "dropped"
	}
	chain masq {
		type nat hook postrouting priority srcnat;
		oifname "m1" masquerade
	}
}
EOF
# A lost INIT is retried for minutes with Linux's defaults; two tries,
# half a second apart, show the same failure in a few seconds.
ip netns exec "$cli" sysctl -qw net.sctp.max_init_retransmits=2 \
	net.sctp.rto_initial=500 net.sctp.rto_max=1000

if [[ -n $pcap ]]; then
	# dumpcap says "Capturing on" once it does: only then go on.
	mkdir -p "$(dirname "$pcap")"
	ip netns exec "$mid" dumpcap -i m1 -f "udp or sctp" -w "$pcap" 2>"$pcap.log" &
	dumpcap_pid=$!
	for _ in $(seq 600); do grep -q '^Capturing on' "$pcap.log" && break; sleep 0.1; done
	rm -f "$pcap.log"
fi

# start_server: the echo server, in the server namespace, once it listens.
# A socket takes the namespace's UDP settings when it is made, so the
# server starts after every sysctl it needs.
start_server() {
	[[ -n $server_pid ]] && kill "$server_pid" && wait "$server_pid" 2>/dev/null
	coproc SERVER { exec ip netns exec "$srv" "$here/echo/echo_server" \
		-a 10.71.2.2 -p "$PORT" 2>&1; }
	server_pid=${SERVER_PID:?}
	read -r line <&"${SERVER[0]}"
	[[ $line == listening* ]] || { echo "$prog: server: $line" >&2; exit 1; }
}

# try: one echo from the client, and what the middlebox did with it.
try() {
	local before after rc=0
	before=$(dropped)
	timeout 20 ip netns exec "$cli" "$here/echo/echo_client" \
		-a 10.71.2.2 -p "$PORT" -m "$MESSAGE" 2>&1 | sed 's/^/  /' || rc=1
	after=$(dropped)
	echo "  middlebox: $((after - before)) packet(s) dropped"
	return $rc
}
dropped() {
	ip netns exec "$mid" nft list chain inet middlebox filt |
		sed -n 's/.*counter packets \([0-9]*\) .*comment "dropped".*/\1/p'
}

echo "middlebox forwards { $allowed }, drops the rest, masquerades"
echo "1. plain SCTP (IP protocol 132) from 10.71.1.2 to 10.71.2.2 port $PORT"
start_server
plain=0
try || plain=1
if ((pass_sctp)); then
	# The NAT's entry: the client's address going out, the middlebox's
	# (10.71.2.1) in the reply direction.
	# shellcheck disable=SC2016 # awk's fields
	echo "  conntrack: $(ip netns exec "$mid" awk '$3 == "sctp" {
		print $3, $7, $8, $11, $12; exit }' /proc/net/nf_conntrack)"
fi

echo "2. SCTP over UDP (RFC 6951): net.sctp.udp_port=$UDP_PORT on both hosts,"
echo "   net.sctp.encap_port=$UDP_PORT on the client"
for n in "$cli" "$srv"; do
	ip netns exec "$n" sysctl -qw net.sctp.udp_port=$UDP_PORT
done
ip netns exec "$cli" sysctl -qw net.sctp.encap_port=$UDP_PORT
start_server
udp=0
try || udp=1

echo "plain SCTP: $( ((plain)) && echo failed || echo works)," \
	"SCTP over UDP: $( ((udp)) && echo failed || echo works)"
# Exit 0 when what happened is what this middlebox must do.
((udp == 0 && plain == (pass_sctp ? 0 : 1)))
