#!/usr/bin/env python3
# SPDX-License-Identifier: 0BSD
"""seeds.py - write the seed corpus of every fuzz target (fuzz/corpus/).

The seeds are checked in; run this again only to change them. Each seed
is a small, well-formed example of what its target parses (a
notification, a message header, a number, an address array), plus a few
known edge cases: the fuzzer mutates from there.

    fuzz/seeds.py            rewrite fuzz/corpus/*/
"""
import os
import shutil
import socket
import struct

TOP = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(TOP, "corpus")

# Linux notification types (linux/sctp.h): SCTP_SN_TYPE_BASE + n.
BASE = 1 << 15
(ASSOC_CHANGE, PEER_ADDR_CHANGE, SEND_FAILED, REMOTE_ERROR, SHUTDOWN_EVENT,
 PARTIAL_DELIVERY, ADAPTATION, AUTHENTICATION, SENDER_DRY, STREAM_RESET,
 ASSOC_RESET, STREAM_CHANGE, SEND_FAILED_EVENT) = range(BASE + 1, BASE + 14)
COMM_UP, COMM_LOST, RESTART, SHUTDOWN_COMP, CANT_STR_ASSOC = range(5)
ADDR_AVAILABLE, ADDR_UNREACHABLE = 0, 1

def note(ntype, body, flags=0, length=None):
    """A notification: sn_type, sn_flags, sn_length (host order), body."""
    total = 8 + len(body)
    return struct.pack("=HHI", ntype, flags,
                       total if length is None else length) + body


def cause(code, info=b""):
    """An error cause as an ABORT carries it (network order, padded)."""
    c = struct.pack("!HH", code, 4 + len(info)) + info
    return c + b"\0" * (-len(c) % 4)


def sockaddr_in(addr, port):
    return struct.pack("=H", socket.AF_INET) + struct.pack(
        "!H", port) + socket.inet_pton(socket.AF_INET, addr) + b"\0" * 8


def sockaddr_in6(addr, port):
    return struct.pack("=H", socket.AF_INET6) + struct.pack(
        "!HI", port, 0) + socket.inet_pton(socket.AF_INET6, addr) + \
        struct.pack("=I", 0)


def assoc_change(state, error=0, out=10, inb=10, assoc=1, info=b""):
    return note(ASSOC_CHANGE,
                struct.pack("=HHHHi", state, error, out, inb, assoc) + info)


def notifications():
    storage = lambda sa: sa + b"\0" * (128 - len(sa))
    ev = {
        "comm_up": assoc_change(COMM_UP),
        "comm_lost_abort": assoc_change(
            COMM_LOST, socket.htons(12), 0, 0, 3,
            cause(12, b"bye now") + cause(13, b"x")),
        "cant_str_assoc": assoc_change(CANT_STR_ASSOC, 0, 0, 0, 0,
                                       cause(1, b"\0\x07\0\0")),
        "restart_info": assoc_change(RESTART, 0, 10, 10, 2, b"\x01\x02\x03"),
        "shutdown_comp": assoc_change(SHUTDOWN_COMP),
        "paddr_v4": note(PEER_ADDR_CHANGE, storage(
            sockaddr_in("127.0.0.2", 3016)) + struct.pack(
                "=iii", ADDR_UNREACHABLE, 0, 1)),
        "paddr_v6": note(PEER_ADDR_CHANGE, storage(
            sockaddr_in6("fe80::1", 3016)) + struct.pack(
                "=iii", ADDR_AVAILABLE, 0, 1)),
        "remote_error": note(REMOTE_ERROR, struct.pack(
            "=HHi", socket.htons(1), 0, 1) + b"\0\x09\0\0"),
        "send_failed": note(SEND_FAILED, struct.pack(
            "=I", 0) + struct.pack("=HHHxxIIIIIi", 1, 0, 3,
                                   socket.htonl(7), 0, 0, 42, 0, 1) +
            struct.pack("=i", 1) + b"hello"),
        "send_failed_event": note(SEND_FAILED_EVENT, struct.pack(
            "=I", 0) + struct.pack("=HHIIi", 2, 0, 0, 0, 1) +
            struct.pack("=i", 1) + b"lost data"),
        "shutdown": note(SHUTDOWN_EVENT, struct.pack("=i", 1)),
        "adaptation": note(ADAPTATION, struct.pack("=Ii", 0x01020304, 1)),
        "partial_delivery": note(PARTIAL_DELIVERY,
                                 struct.pack("=IiII", 0, 1, 2, 3)),
        "authentication": note(AUTHENTICATION,
                               struct.pack("=HHIi", 1, 0, 1, 1)),
        "sender_dry": note(SENDER_DRY, struct.pack("=i", 1)),
        "stream_reset": note(STREAM_RESET, struct.pack("=i", 1) +
                             struct.pack("=3H", 0, 1, 7)),
        "stream_reset_many": note(STREAM_RESET, struct.pack("=i", 1) +
                                  struct.pack("=20H", *range(20))),
        "assoc_reset": note(ASSOC_RESET, struct.pack("=iII", 1, 100, 200)),
        "stream_change": note(STREAM_CHANGE, struct.pack("=iHH", 1, 12, 10)),
        "unknown_type": note(0x7fff, b"\0" * 8),
        "length_lies": assoc_change(COMM_UP)[:8].replace(
            struct.pack("=I", 20), struct.pack("=I", 4000)),
        "cut_short": assoc_change(COMM_UP)[:13],
        "causes_overrun": assoc_change(COMM_LOST, 0, 0, 0, 1,
                                       struct.pack("!HH", 12, 200) + b"ab"),
    }
    return ev


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def decode_seeds():
    for name, n in notifications().items():
        write("decode", name, b"\xff" + n)
    write("decode", "small_out", b"\x05" + notifications()["comm_lost_abort"])


def sender_message(flow, flows, flow_seq, seq, count, length=24):
    h = struct.pack("!HHIIIQ", flow, flows, flow_seq, seq, count, 0)
    return h + b"\0" * (length - len(h))


def receiver_seeds():
    # One message as stream_receiver hands it to flow_get().
    seeds = {
        "first": sender_message(0, 4, 0, 0, 400),
        "last": sender_message(3, 4, 99, 399, 400, 64),
        "claim": sender_message(0, 0xFFFF, 0, 0, 1000000),
        "short": b"tiny",
        "flow_too_big": sender_message(4, 4, 0, 0, 400),
        "seq_too_big": sender_message(0, 1, 0, 2, 2),
        "zero_count": sender_message(0, 1, 0, 0, 0),
    }
    for name, data in seeds.items():
        write("stream_receiver", name, data)


def number_seeds():
    # 16 bytes of bounds (min, max: host-order unsigned long), then text.
    bounds = {
        "port": (0, 65535),
        "streams": (1, 65535),
        "any": (0, 2**64 - 1),
        "seconds": (1, 2**31 - 1),
    }
    texts = {
        "zero": "0", "max_port": "65535", "over_port": "65536",
        "minus": "-1", "plus": "+1", "suffix": "12x", "empty": "",
        "ulong_max": "18446744073709551615",
        "ulong_over": "18446744073709551616", "leading_zeros": "007",
        "hex": "0x10",
        # Leading white space: strtoul() skips it, and with it a sign;
        # " -18446744073709551615" wraps around to 1.
        "space": " 80", "space_minus": " -18446744073709551615",
    }
    for bname, (lo, hi) in bounds.items():
        for tname, text in texts.items():
            if bname != "port" and tname not in ("zero", "ulong_max",
                                                 "minus", "space"):
                continue
            write("number", f"{bname}_{tname}",
                  struct.pack("=QQ", lo, hi) + text.encode())


def addr_seeds():
    # The packed array itself (multihome/addrs.h walks it).
    v4 = sockaddr_in("127.0.0.1", 3016)
    v6 = sockaddr_in6("2001:db8::1", 3016)
    mapped = sockaddr_in6("::ffff:10.0.0.1", 80)
    seeds = {
        "v4": v4,
        "v6": v6,
        "mixed": v4 + v6 + sockaddr_in("10.1.2.3", 1) + mapped,
        "unknown_family": v4 + struct.pack("=H", 1) + b"\0" * 14 + v4,
        "half_entry": v4 + v6[:20],
        "odd_tail": v6 + b"\x0a",
    }
    for name, data in seeds.items():
        write("addr", name, data)


def main():
    for t in ("decode", "stream_receiver", "number", "addr"):
        shutil.rmtree(os.path.join(CORPUS, t), ignore_errors=True)
    decode_seeds()
    receiver_seeds()
    number_seeds()
    addr_seeds()


if __name__ == "__main__":
    main()
