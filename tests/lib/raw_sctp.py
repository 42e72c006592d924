#!/usr/bin/env python3
# SPDX-License-Identifier: 0BSD
"""raw_sctp.py - raw SCTP packets against a live server, for
tests/assoc.bats: the claims the READMEs make about verification tags
and state cookies. Packets are built with tests/hostile_peer.py's helpers
(chunk(), crc32c, Firewall).

    raw_sctp.py init-flood PORT COUNT TMPDIR
        COUNT INITs to 127.0.0.1 PORT, each from a source port and with
        an Initiate Tag of its own, and never a COOKIE-ECHO. Prints
        "init-acks N": the INIT-ACKs that came back, one per source port.
    raw_sctp.py wrong-tag PORT
        An association with the echo server on 127.0.0.1 PORT (kernel
        sockets); then, with its addresses and ports but a wrong
        verification tag, an ABORT (T bit clear) and a DATA chunk each
        way; then an echo again. Prints what it injected and what the
        association did.
"""

import os
import select
import socket
import struct
import sys
import time
from types import SimpleNamespace

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from hostile_peer import (ABORT, DATA, INIT, INIT_ACK, TIMEOUT, Firewall,  # noqa: E402
                          chunk, connect, crc32c, rand32, recv_message, send)

ADDR = "127.0.0.1"
SO_RCVBUFFORCE = 33  # socket(7)


def packet(sport, dport, vtag, *chunks):
    """An SCTP packet: common header, CHUNKS, the CRC32c in place."""
    pkt = struct.pack("!HHII", sport, dport, vtag, 0) + b"".join(chunks)
    return pkt[:8] + struct.pack("<I", crc32c(pkt)) + pkt[12:]


def init_flood(port, count, tmp):
    # Source ports of our own, below the ephemeral range: no kernel
    # socket holds them, so this host's stack answers each INIT-ACK with
    # an ABORT (T bit set), which the firewall drops: the flood says
    # nothing after its INIT.
    first = 10000 + (os.getpid() % 20) * 1000
    fw = Firewall((first, first + count - 1), tmp, f"flood_{os.getpid()}")
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_SCTP)
    # Room for every answer (and for our own INITs, which loop back to
    # it too); root may go past net.core.rmem_max.
    raw.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 1 << 22)
    answered = set()

    def collect(limit):
        deadline = time.monotonic() + limit
        while len(answered) < count:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([raw], [], [], left)[0]:
                return
            pkt = raw.recv(1 << 16)
            pkt = pkt[(pkt[0] & 0x0F) * 4:]  # the IPv4 header
            sport, dport = struct.unpack_from("!HH", pkt)
            if sport == port and pkt[12] == INIT_ACK:
                answered.add(dport)

    try:
        for i in range(count):
            init = struct.pack("!IIHHI", rand32(), 1 << 16, 10, 10, rand32())
            raw.sendto(packet(first + i, port, 0, chunk(INIT, 0, init)),
                       (ADDR, 0))
            collect(0)
        collect(TIMEOUT)
    finally:
        fw.close()
    print(f"init-acks {len(answered)}")


def wrong_tag(port):
    s = connect(SimpleNamespace(addr=ADDR, port=port))
    cport = s.getsockname()[1]
    send(s, b"before")
    print("echo before:", recv_message(s)[0].decode())
    # Any tag but the two the association uses: they are random, so a
    # random one is wrong but for a chance in 2^32.
    tag = rand32()
    print(f"injected tag 0x{tag:08x}")
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_SCTP)
    data = chunk(DATA, 3, struct.pack("!IHHI", rand32(), 0, 0, 0) + b"forged")
    for sport, dport in ((cport, port), (port, cport)):
        raw.sendto(packet(sport, dport, tag, chunk(ABORT, 0, b"")), (ADDR, 0))
        raw.sendto(packet(sport, dport, tag, data), (ADDR, 0))
    time.sleep(1)  # time enough for an answer, if there were one
    send(s, b"after")
    print("echo after:", recv_message(s)[0].decode())
    s.close()


def main():
    if sys.argv[1:2] == ["init-flood"] and len(sys.argv) == 5:
        init_flood(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1:2] == ["wrong-tag"] and len(sys.argv) == 3:
        wrong_tag(int(sys.argv[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
