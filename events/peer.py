#!/usr/bin/env python3
# SPDX-License-Identifier: 0BSD
"""peer.py - the scripted peer for the sctp_events scenarios a second
sctp_events cannot play.

  peer.py no-auth HOST PORT
      Connect with AUTH turned off on this socket (SCTP_AUTH_SUPPORTED 0),
      wait a moment, close. A peer that has AUTH on gets an
      AUTHENTICATION_EVENT with indication NO_AUTH.

  peer.py unknown-chunk HOST PORT
      Connect, then make this machine's own kernel answer with an ERROR
      chunk: a raw socket hands our end of the association a chunk of a
      type nobody knows (0x7f: its top bits say "skip it and report it",
      RFC 9260 3.2). Our kernel reports it to the peer in an ERROR chunk
      with the cause Unrecognized Chunk Type, and the peer sees a
      REMOTE_ERROR. Linux never sends an ERROR chunk on an established
      association through the socket API, so something has to misbehave;
      here it is only the one injected chunk. Needs root (raw socket).

The socket option numbers are those of linux/sctp.h; Python's socket
module has IPPROTO_SCTP but not the SCTP option names.
"""
import socket
import struct
import sys
import time

SCTP_AUTH_SUPPORTED = 129  # linux/sctp.h
UNKNOWN_CHUNK = 0x7F       # unassigned; top bits 01: skip and report
CHUNK_INIT = 1
HOLD_SECONDS = 1.0         # how long the association stays up
WAIT_INIT_SECONDS = 5.0    # how long to watch for our own INIT


def crc32c(data):
    """CRC32c (Castagnoli), the SCTP checksum (RFC 9260 appendix A)."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def sctp_packet(sport, dport, vtag, chunks):
    """Common header + chunks, with the checksum filled in."""
    hdr = struct.pack("!HHII", sport, dport, vtag, 0)
    crc = crc32c(hdr + chunks)
    # The checksum goes on the wire least significant byte first.
    return struct.pack("!HHI", sport, dport, vtag) + struct.pack("<I", crc) + chunks


def our_init_tag(raw, sport, dport):
    """Read packets until our own INIT passes: its Initiate Tag is the
    verification tag every packet to us must carry."""
    deadline = time.monotonic() + WAIT_INIT_SECONDS
    while time.monotonic() < deadline:
        raw.settimeout(deadline - time.monotonic())
        pkt = raw.recv(65535)
        ihl = (pkt[0] & 0x0F) * 4
        sctp = pkt[ihl:]
        if len(sctp) < 20:
            continue
        src, dst = struct.unpack("!HH", sctp[:4])
        if (src, dst) == (sport, dport) and sctp[12] == CHUNK_INIT:
            return struct.unpack("!I", sctp[16:20])[0]
    sys.exit("peer.py: did not see our INIT")


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("no-auth", "unknown-chunk"):
        sys.exit("usage: peer.py no-auth|unknown-chunk HOST PORT")
    what, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])

    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
    s.bind((host, 0))
    sport = s.getsockname()[1]
    if what == "no-auth":
        # struct sctp_assoc_value: assoc_id 0 (future), value 0 (off)
        s.setsockopt(socket.IPPROTO_SCTP, SCTP_AUTH_SUPPORTED,
                     struct.pack("=iI", 0, 0))
        s.connect((host, port))
    else:
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_SCTP)
        s.connect((host, port))
        tag = our_init_tag(raw, sport, port)
        chunk = struct.pack("!BBH", UNKNOWN_CHUNK, 0, 4)
        # From the peer's port to ours, as if the peer had sent it.
        raw.sendto(sctp_packet(port, sport, tag, chunk), (host, 0))
    time.sleep(HOLD_SECONDS)
    s.close()


if __name__ == "__main__":
    main()
