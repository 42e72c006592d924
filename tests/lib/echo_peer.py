#!/usr/bin/env python3
# SPDX-License-Identifier: 0BSD
"""echo_peer.py MODE ...: an independent SCTP peer for tests/echo*.bats.

Written against Python's own socket module (IPPROTO_SCTP, raw SCTP_SNDINFO
and SCTP_RCVINFO control messages), not the project's C code, so that the
echo programs are checked against a second implementation. Modes:

  client   send messages (each on its stream), check every echo: same
           bytes, same stream, in order, and nothing else afterwards
  server   a one-to-one echo server that keeps streams and boundaries
  hold     connect, print "connected PORT", wait for the end and say how
           it ended ("eof" or "reset")
  partial  connect, queue one large message, abort after --wait seconds
  hog      send and never read until the server has taken nothing for
           --wait seconds; print how much went out
  oversize send one message larger than the server's send buffer
  swarm    N concurrent associations, C pipelined messages each

Every mode prints what happened on stdout and exits 0 when it went as the
mode expects, 1 otherwise.
"""
import argparse
import os
import select
import signal
import socket
import struct
import sys
import time

# Values from <linux/sctp.h>; Python's socket module does not name them.
SCTP_RECVRCVINFO = 32  # socket option
SCTP_SNDINFO = 2  # cmsg type: struct sctp_sndinfo
SCTP_RCVINFO = 3  # cmsg type: struct sctp_rcvinfo
SNDINFO = struct.Struct("=HHIIi")  # sid, flags, ppid, context, assoc_id
RCVINFO = struct.Struct("=HHH2xIIIIi")  # sid, ssn, flags, ppid, tsn, ...
MSG_NOTIFICATION = 0x8000
SO_SNDBUFFORCE = 32  # root only: a send buffer above net.core.wmem_max


def sctp_socket(addr, port, seqpacket=False):
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    kind = socket.SOCK_SEQPACKET if seqpacket else socket.SOCK_STREAM
    s = socket.socket(family, kind, socket.IPPROTO_SCTP)
    s.setsockopt(socket.IPPROTO_SCTP, SCTP_RECVRCVINFO, 1)
    return s, (addr, port)


def send(s, data, stream=0, to=None):
    cmsg = [(socket.IPPROTO_SCTP, SCTP_SNDINFO, SNDINFO.pack(stream, 0, 0, 0, 0))]
    if to is None:
        return s.sendmsg([data], cmsg)
    return s.sendmsg([data], cmsg, 0, to)


def recv_message(s, limit=1 << 21):
    """One whole message or notification: (data, stream, flags)."""
    parts, stream = [], None
    while True:
        data, anc, flags, _ = s.recvmsg(limit, socket.CMSG_SPACE(RCVINFO.size))
        if not data and not flags:
            return None, None, 0
        for level, kind, value in anc:
            if level == socket.IPPROTO_SCTP and kind == SCTP_RCVINFO:
                stream = RCVINFO.unpack(value[: RCVINFO.size])[0]
        parts.append(data)
        if flags & socket.MSG_EOR:
            return b"".join(parts), stream, flags


def mode_client(a):
    s, peer = sctp_socket(a.addr, a.port, a.seqpacket)
    if not a.seqpacket:
        s.connect(peer)
    streams = a.stream or [0]
    sent = [(m.encode(), streams[i % len(streams)]) for i, m in enumerate(a.message)]
    for data, stream in sent:
        send(s, data, stream, peer if a.seqpacket else None)
    ok = True
    for data, stream in sent:
        echo, sid, flags = recv_message(s)
        while echo is not None and flags & MSG_NOTIFICATION:
            echo, sid, flags = recv_message(s)  # we subscribed to none
        if echo is None:
            print("eof before every echo came back")
            return 1
        print("echo stream %s %s" % (sid, echo.decode(errors="replace")))
        ok &= echo == data and sid == stream
    # Anything more (a notification echoed as data, say) is a failure.
    r, _, _ = select.select([s], [], [], a.linger)
    if r:
        extra, sid, flags = recv_message(s)
        if extra:
            print("unexpected message %r on stream %s" % (extra, sid))
            ok = False
    print("ok" if ok else "mismatch")
    return 0 if ok else 1


def mode_server(a):
    family = socket.AF_INET6 if ":" in a.addr else socket.AF_INET
    ls = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
    ls.setsockopt(socket.IPPROTO_SCTP, SCTP_RECVRCVINFO, 1)
    ls.bind((a.addr, a.port))
    ls.listen(16)
    print("listening on %s port %d" % (a.addr, ls.getsockname()[1]), flush=True)
    clients = []
    while True:
        r, _, _ = select.select([ls] + clients, [], [])
        for s in r:
            if s is ls:
                c, _ = ls.accept()
                c.setsockopt(socket.IPPROTO_SCTP, SCTP_RECVRCVINFO, 1)
                clients.append(c)
                continue
            try:
                data, stream, flags = recv_message(s)
            except OSError:
                data = None
            if data is None:
                clients.remove(s)
                s.close()
            elif not flags & MSG_NOTIFICATION:
                send(s, data, stream or 0)


def mode_hold(a):
    s, peer = sctp_socket(a.addr, a.port)
    s.connect(peer)
    print("connected %d" % s.getsockname()[1], flush=True)
    try:
        while True:
            data, _, flags = recv_message(s)
            if data is None:
                print("eof", flush=True)
                return 0
    except ConnectionResetError:
        print("reset", flush=True)
        return 1


def abort(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def mode_partial(a):
    s, peer = sctp_socket(a.addr, a.port)
    s.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 4 * a.length)
    s.connect(peer)
    send(s, b"p" * a.length)
    print("queued %d bytes" % a.length, flush=True)
    time.sleep(a.wait)
    abort(s)
    print("aborted")
    return 0


def mode_hog(a):
    s, peer = sctp_socket(a.addr, a.port)
    s.connect(peer)
    s.setblocking(False)
    sent, chunk = 0, b"h" * 1000
    last = time.monotonic()  # the last time the server took something
    while sent < a.length and time.monotonic() - last < a.wait:
        try:
            send(s, chunk)
            sent += len(chunk)
            last = time.monotonic()
        except BlockingIOError:
            select.select([], [s], [], 0.2)
        except OSError as e:
            print("sendmsg: %s after %d bytes" % (e.strerror, sent), flush=True)
            break
    print("sent %d bytes without reading" % sent, flush=True)
    signal.pause()  # keep the association, never read


def mode_oversize(a):
    s, peer = sctp_socket(a.addr, a.port)
    s.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, 4 * a.length)
    s.connect(peer)
    send(s, b"o" * a.length)
    print("sent %d bytes" % a.length, flush=True)
    try:
        data, _, _ = recv_message(s)
        print("eof" if data is None else "echo of %d bytes" % len(data))
    except ConnectionResetError:
        print("reset")
    return 0


def mode_swarm(a):
    socks, want, got = [], {}, {}
    for i in range(a.count):
        s, peer = sctp_socket(a.addr, a.port)
        s.connect(peer)
        socks.append(s)
    start = time.monotonic()
    for i, s in enumerate(socks):
        # a.messages pipelined messages each, all different
        want[s] = [b"client %d message %d" % (i, k) for k in range(a.messages)]
        got[s] = []
        for m in want[s]:
            send(s, m)
    live = set(socks)
    while live:
        r, _, _ = select.select(list(live), [], [], 60)
        if not r:
            break
        for s in r:
            data, _, flags = recv_message(s)
            if data is None:
                live.discard(s)
            elif not flags & MSG_NOTIFICATION:
                got[s].append(data)
                if len(got[s]) == len(want[s]):
                    live.discard(s)
    took = time.monotonic() - start
    good = sum(got[s] == want[s] for s in socks)
    total = sum(len(got[s]) for s in socks)
    print("%d of %d clients got all their echoes" % (good, a.count))
    print("%d echoes in %.3f s: %.0f per second" % (total, took, total / took))
    for s in socks:
        s.close()
    return 0 if good == a.count else 1


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mode")
    p.add_argument("-a", "--addr", default="127.0.0.1")
    p.add_argument("-p", "--port", type=int, default=2013)
    p.add_argument("-m", "--message", action="append", default=[])
    p.add_argument("-s", "--stream", type=int, action="append", default=[])
    p.add_argument("-c", "--count", type=int, default=100)
    p.add_argument("-n", "--messages", type=int, default=10)
    p.add_argument("-l", "--length", type=int, default=400000)
    p.add_argument("-w", "--wait", type=float, default=1.0)
    p.add_argument("--linger", type=float, default=0.5)
    p.add_argument("--seqpacket", action="store_true")
    a = p.parse_args()
    fn = globals().get("mode_" + a.mode)
    if fn is None:
        p.error("unknown mode %s" % a.mode)
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    signal.alarm(300)  # a peer left behind gives up on its own
    sys.exit(fn(a))


if __name__ == "__main__":
    main()
