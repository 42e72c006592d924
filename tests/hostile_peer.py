#!/usr/bin/env python3
# SPDX-License-Identifier: 0BSD
"""hostile_peer.py - misbehaving SCTP peers for tests/hostile.bats.

Each CASE runs against one server and prints "case NAME ok ..." or
"case NAME FAIL why"; after every case but the last a fresh client must
be served correctly ("fresh ok after NAME"). Exit status 0 when every
line was ok.

    hostile_peer.py --kind echo --port 40000 vanish zero stream-above
    hostile_peer.py --kind echo_many --port 40000 --pid 123 cycles=1000
    hostile_peer.py --serve FIFO     (commands from a FIFO, see serve())

Two kinds of peer:
  - kernel sockets (socket.IPPROTO_SCTP), for what a real peer can do:
    go away, flood, never read, send more than the server can hold;
  - a raw-socket peer that writes SCTP packets itself (INIT, COOKIE-ECHO,
    DATA, ABORT, CRC32c included), for what the kernel API forbids: a
    DATA chunk without user data, DATA on a stream the server never
    granted, half a message and then nothing, a peer that vanishes
    without SHUTDOWN or ABORT. While it runs, an nftables rule drops the
    ABORTs this machine's own SCTP stack would send for those packets
    (to it they belong to no association).

Kinds (what a fresh client checks):
  echo, echo_many, multihome  the message comes back, on its stream
  daytime                     two lines, on streams 0 and 1, then EOF
  events                      the server prints a DATA line for it
  assoc                       assoc_server prints a line for it (ESTABLISHED),
                              reads it to end of file, and its late answer
                              is refused; nothing comes back
  receiver                    one-shot: no fresh client (it has exited)
"""

import errno
import os
import select
import socket
import struct
import sys
import time

# No re, subprocess, argparse or random: under emulation their imports
# alone take seconds, and the battery starts this script a dozen times.

SOL_SCTP = socket.IPPROTO_SCTP
SCTP_INITMSG = 2
SCTP_STATUS = 14
SCTP_RECVRCVINFO = 32
SCTP_SNDINFO = 2  # cmsg types (linux/sctp.h)
SCTP_RCVINFO = 3
MSG_NOTIFICATION = 0x8000
SO_SNDBUFFORCE = 32  # socket(7); root may exceed net.core.wmem_max

# Chunk types (RFC 9260 3.2) and error causes (3.3.10).
DATA, INIT, INIT_ACK, SACK, HEARTBEAT, HEARTBEAT_ACK, ABORT = range(7)
ERROR, COOKIE_ECHO, COOKIE_ACK = 9, 10, 11
CAUSE_INVALID_STREAM, CAUSE_NO_USER_DATA = 1, 9
PARAM_STATE_COOKIE = 7

# Seconds a fresh client, or a server's answer, may take under emulation.
TIMEOUT = 20
# Streams every kernel-socket peer asks for and accepts.
STREAMS = 10
# The cycles' client ports (20000 + this modulo 10000), below the
# kernel's ephemeral range: see case_cycles.
cycle_port = 0

failures = 0


def say(line):
    print(line, flush=True)


def ok(name, detail=""):
    say(f"case {name} ok {detail}".rstrip())


def fail(name, why):
    global failures
    failures += 1
    say(f"case {name} FAIL {why}")


# --- kernel-socket peers --------------------------------------------------

def rand32():
    return struct.unpack("=I", os.urandom(4))[0] or 1


def sctp_socket(ostreams=STREAMS, rcvbuf=None, sndbuf=None,
                kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind, socket.IPPROTO_SCTP)
    s.setsockopt(SOL_SCTP, SCTP_INITMSG,
                 struct.pack("=HHHH", ostreams, STREAMS, 0, 0))
    s.setsockopt(SOL_SCTP, SCTP_RECVRCVINFO, 1)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    if sndbuf:
        s.setsockopt(socket.SOL_SOCKET, SO_SNDBUFFORCE, sndbuf)
    return s


def connect(args, **kw):
    s = sctp_socket(**kw)
    s.settimeout(TIMEOUT)
    s.connect((args.addr, args.port))
    return s


def send(s, data, sid=0):
    info = struct.pack("=HHIIi", sid, 0, 0, 0, 0)
    return s.sendmsg([data], [(SOL_SCTP, SCTP_SNDINFO, info)])


def recv_message(s):
    """One whole message: (bytes, stream). b'' at EOF."""
    parts, sid = [], None
    while True:
        data, anc, flags, _ = s.recvmsg(1 << 16, socket.CMSG_SPACE(32))
        if not data and not flags & MSG_NOTIFICATION:
            return b"", None
        if flags & MSG_NOTIFICATION:
            continue
        for level, ctype, cdata in anc:
            if level == SOL_SCTP and ctype == SCTP_RCVINFO:
                sid = struct.unpack_from("=H", cdata)[0]
        parts.append(data)
        if flags & socket.MSG_EOR:
            return b"".join(parts), sid


def abort(s):
    """close() with a zero linger time: ABORT, not SHUTDOWN."""
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def end_of(s, limit=TIMEOUT):
    """How the peer ended the association: 'shutdown' (EOF) or 'abort'."""
    s.settimeout(limit)
    try:
        while True:
            data, _, flags, _ = s.recvmsg(1 << 16)
            if not data and not flags & MSG_NOTIFICATION:
                return "shutdown"
    except (ConnectionResetError, BrokenPipeError):
        return "abort"
    except socket.timeout:
        return "still up"


# --- a fresh client, per kind of server -------------------------------------

fresh_count = 0


def fresh(args):
    """Is the server still serving? Returns None, or why not."""
    global fresh_count
    fresh_count += 1
    text = f"fresh client {fresh_count} ".encode()
    try:
        if args.kind in ("echo", "echo_many", "multihome"):
            s = connect(args)
            sid = fresh_count % STREAMS
            send(s, text, sid)
            data, got_sid = recv_message(s)
            s.close()
            if data != text or got_sid != sid:
                return f"echo {data!r} on stream {got_sid}, sent {text!r} on {sid}"
        elif args.kind == "daytime":
            s = connect(args)
            got = [recv_message(s) for _ in range(2)]
            eof = recv_message(s)[0]
            s.close()
            sids = sorted(sid for _, sid in got)
            if sids != [0, 1] or eof != b"" or not all(
                    is_daytime(d) for d, _ in got):
                return f"daytime answer {got!r}, then {eof!r}"
        elif args.kind == "events":
            # A length no other message has, to find its line.
            text = text.ljust(1000 + fresh_count, b".")
            s = connect(args)
            send(s, text, 1)
            want = (" DATA assoc=", " stream=1 ", f" bytes={len(text)} eor")
            deadline = time.monotonic() + TIMEOUT
            while not count_lines(args, want):
                if time.monotonic() > deadline:
                    s.close()
                    return f"no line with {want} in {args.server_out}"
                time.sleep(0.05)
            s.close()
        elif args.kind == "assoc":
            return fresh_assoc(args, text.ljust(1000 + fresh_count, b"."))
        else:
            return None
    except OSError as e:
        return f"{type(e).__name__}: {e}"
    return None


def fresh_assoc(args, text):
    """assoc_server serves one association at a time: wait for its line
    for ours (by our port) before sending, so that it reads while the
    association lives. Then TEXT (a length no other has, to find its
    line) and shutdown(SHUT_WR): it reads end of file, and the late
    answer it tries is refused (an SCTP association has no half-close)."""
    s = connect(args)
    accepted = (" association with ", f" port {s.getsockname()[1]}: ESTABLISHED")
    if not wait_lines(args, accepted, 0, 1):
        s.close()
        return f"no line with {accepted} in {args.server_out}"
    send(s, text, 0)
    s.shutdown(socket.SHUT_WR)
    # Once the association is gone the socket never becomes readable
    # (assoc/README.md) and a non-blocking recv() says EAGAIN: ask
    # SCTP_STATUS whether it is gone (before a recv(), which then reads
    # whatever came before the end).
    s.setblocking(False)
    deadline, late = time.monotonic() + TIMEOUT, None
    while late is None:
        gone = assoc_gone(s)
        try:
            late = s.recv(1 << 16)
        except OSError as e:
            if e.errno not in (errno.EAGAIN, errno.ENOTCONN):
                late = e
            elif gone:
                late = b""
            elif time.monotonic() > deadline:
                late = "the association never ended"
            else:
                time.sleep(0.05)
    s.close()
    if late:
        return f"after our shutdown: {late!r}"
    eof = f" end of file after {len(text)} bytes: "
    deadline = time.monotonic() + TIMEOUT
    while True:
        with open(args.server_out, errors="replace") as f:
            lines = f.read().splitlines()
        at = [i for i, line in enumerate(lines) if eof in line]
        if at and at[0] + 1 < len(lines):
            break
        if time.monotonic() > deadline:
            return f"no line with {eof!r} and one after it in {args.server_out}"
        time.sleep(0.05)
    if not lines[at[0] + 1].endswith(" send after end of file: Broken pipe"):
        return f"after {eof!r}: {lines[at[0] + 1]!r}"
    return None


def assoc_gone(s):
    """Has the association of one-to-one socket S ended? It then has
    none: SCTP_STATUS fails with EINVAL."""
    try:
        s.getsockopt(SOL_SCTP, SCTP_STATUS, 256)
    except OSError as e:
        if e.errno != errno.EINVAL:
            raise
        return True
    return False


def is_daytime(line):
    """'Mon Jan  2 15:04:05 2006\n', as ctime(3) writes it."""
    f = line.decode(errors="replace").split()
    return (line.endswith(b"\n") and len(f) == 5 and len(f[0]) == 3 and
            len(f[1]) == 3 and f[2].isdigit() and len(f[3]) == 8 and
            f[3][2] == f[3][5] == ":" and f[4].isdigit())


def count_lines(args, words):
    """Lines of the server's output that hold every one of WORDS (a
    tuple; an inner tuple means any one of those)."""
    def has(line, w):
        return any(x in line for x in w) if isinstance(w, tuple) else w in line
    with open(args.server_out, errors="replace") as f:
        return sum(1 for line in f if all(has(line, w) for w in words))


# --- the raw-socket peer ------------------------------------------------------

def crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


CRC_TABLE = crc32c_table()


def crc32c_python(data):
    c = 0xFFFFFFFF
    for b in data:
        c = CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def crc32c_kernel():
    """The kernel's crc32c through AF_ALG: a byte loop in Python is slow
    under emulation. Its digest is the CRC, little endian, as SCTP
    wants it on the wire. None when the kernel lacks it."""
    try:
        alg = socket.socket(socket.AF_ALG, socket.SOCK_SEQPACKET)
        alg.bind(("hash", "crc32c"))
    except OSError:
        return None

    def crc(data):
        op, _ = alg.accept()
        with op:
            op.sendall(data)
            return struct.unpack("<I", op.recv(4))[0]
    return crc


crc32c = crc32c_kernel() or crc32c_python


def chunk(ctype, flags, body):
    c = struct.pack("!BBH", ctype, flags, 4 + len(body)) + body
    return c + b"\0" * (-len(c) % 4)


class Firewall:
    """Drop the ABORTs this host's SCTP stack sends from the raw peer's
    ports (their T bit is set: they answer packets of no association)."""

    def __init__(self, ports, tmp, table=None):
        self.table = table or f"hostile_{os.getpid()}"
        self.script = os.path.join(tmp, f"{self.table}.nft")
        lo, hi = ports
        self.nft(f"""
            add table inet {self.table}
            add chain inet {self.table} out {{ type filter hook output priority 0; }}
            add rule inet {self.table} out sctp sport {lo}-{hi} sctp chunk abort flags & 0x01 == 0x01 drop
        """)

    def nft(self, script):
        with open(self.script, "w") as f:
            f.write(script)
        pid = os.posix_spawnp("nft", ["nft", "-f", self.script], os.environ)
        if os.waitpid(pid, 0)[1] != 0:
            raise RuntimeError(f"nft -f {self.script} failed")

    def close(self):
        self.nft(f"delete table inet {self.table}")


class Raw:
    """One association, packet by packet, from a raw socket."""

    def __init__(self, args, sport, dport=None):
        self.addr = args.addr
        self.sport = sport
        self.dport = dport or args.port
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                                  socket.IPPROTO_SCTP)
        self.peer_tag = 0
        self.tsn = rand32() >> 1
        self.ssn = {}

    def send(self, *chunks, vtag=None):
        hdr = struct.pack("!HHII", self.sport, self.dport,
                          self.peer_tag if vtag is None else vtag, 0)
        pkt = hdr + b"".join(chunks)
        pkt = pkt[:8] + struct.pack("<I", crc32c(pkt)) + pkt[12:]
        self.sock.sendto(pkt, (self.addr, 0))

    def receive(self, want, limit=TIMEOUT):
        """Chunks from the server until one of type WANT comes (returned
        as (type, flags, body)), or None after LIMIT seconds."""
        deadline = time.monotonic() + limit
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                return None
            pkt = self.sock.recv(1 << 16)
            pkt = pkt[(pkt[0] & 0x0F) * 4:]  # the IPv4 header
            sport, dport = struct.unpack_from("!HH", pkt)
            if (sport, dport) != (self.dport, self.sport):
                continue
            off = 12
            while off + 4 <= len(pkt):
                ctype, flags, length = struct.unpack_from("!BBH", pkt, off)
                if length < 4:
                    break
                body = pkt[off + 4:off + length]
                if ctype == want:
                    return ctype, flags, body
                off += (length + 3) & ~3

    def handshake(self, ostreams=STREAMS * 2):
        """INIT, INIT-ACK, COOKIE-ECHO, COOKIE-ACK. Returns the number of
        streams the server granted us (its inbound limit), or raises."""
        self.tag = rand32()
        self.send(chunk(INIT, 0, struct.pack("!IIHHI", self.tag, 1 << 20,
                                             ostreams, STREAMS, self.tsn)),
                  vtag=0)
        got = self.receive(INIT_ACK)
        if not got:
            raise RuntimeError("no INIT-ACK")
        body = got[2]
        self.peer_tag, _, _, mis, _ = struct.unpack_from("!IIHHI", body)
        cookie, off = None, 16
        while off + 4 <= len(body):
            ptype, plen = struct.unpack_from("!HH", body, off)
            if ptype == PARAM_STATE_COOKIE:
                cookie = body[off + 4:off + plen]
            off += (plen + 3) & ~3
        if cookie is None:
            raise RuntimeError("INIT-ACK without a cookie")
        self.send(chunk(COOKIE_ECHO, 0, cookie))
        if not self.receive(COOKIE_ACK):
            raise RuntimeError("no COOKIE-ACK")
        return min(ostreams, mis)

    def data(self, sid, payload, first=True, last=True):
        """One DATA chunk; a message's fragments share its SSN."""
        ssn = self.ssn.get(sid, 0)
        flags = (2 if first else 0) | (1 if last else 0)
        c = chunk(DATA, flags, struct.pack("!IHHI", self.tsn, sid, ssn, 0) +
                  payload)
        self.tsn = (self.tsn + 1) & 0xFFFFFFFF
        if last:
            self.ssn[sid] = (ssn + 1) & 0xFFFF
        return c

    def abort(self):
        self.send(chunk(ABORT, 0, b""))

    def close(self):
        self.sock.close()


def raw_ports():
    """A block of source ports for this process's raw peers, below the
    ephemeral range (32768 and up) so no kernel socket holds them."""
    base = 20000 + (os.getpid() % 600) * 20
    return base, base + 19


class RawCases:
    def __init__(self, args):
        self.args = args
        self.ports = raw_ports()
        self.next = self.ports[0]
        self.fw = Firewall(self.ports, args.tmp, args.table)

    def peer(self, dport=None):
        p = Raw(self.args, self.next, dport)
        self.next += 1
        return p

    def close(self):
        self.fw.close()


def cause_codes(body):
    codes, off = [], 0
    while off + 4 <= len(body):
        code, length = struct.unpack_from("!HH", body, off)
        codes.append((code, body[off + 4:off + length]))
        off += (max(length, 4) + 3) & ~3
    return codes


def case_zero(args, raw):
    """A DATA chunk with no user data: RFC 9260 6.2 says ABORT."""
    p = raw.peer()
    try:
        p.handshake()
        p.send(p.data(0, b""))
        got = p.receive(ABORT)
        codes = [c for c, _ in cause_codes(got[2])] if got else None
        if codes and CAUSE_NO_USER_DATA in codes:
            ok("zero", "server ABORTed with No User Data")
        else:
            fail("zero", f"no ABORT with No User Data (got {got!r})")
    finally:
        p.close()


def case_stream_above(args, raw):
    """DATA on the first stream the server did not grant, and on 65535:
    an ERROR (Invalid Stream Identifier) each; the association lives."""
    p = raw.peer()
    try:
        granted = p.handshake()
        bad = []
        for sid in (granted, 0xFFFF):
            p.send(p.data(sid, b"not granted"))
            got = p.receive(ERROR)
            causes = cause_codes(got[2]) if got else []
            if not any(c == CAUSE_INVALID_STREAM and
                       struct.unpack_from("!H", info)[0] == sid
                       for c, info in causes):
                bad.append(f"stream {sid}: {got!r}")
        # Still usable: a message on stream 0 is taken (SACKed).
        p.send(p.data(0, b"granted"))
        alive = p.receive(SACK) is not None
        p.abort()
        if bad or not alive:
            fail("stream-above", "; ".join(bad) or "no SACK after")
        else:
            ok("stream-above", f"{granted} granted, ERROR for {granted} and 65535")
    finally:
        p.close()


def case_abort_mid(args, raw):
    """The first fragments of a message bigger than the server's receive
    window (so partial delivery hands them to the program), then ABORT."""
    p = raw.peer()
    try:
        p.handshake()
        frag = bytes(range(256)) * 64  # 16 KiB: lo carries 64 KiB packets
        p.send(p.data(1, frag, first=True, last=False))
        for _ in range(args.mid_fragments):
            p.send(p.data(1, frag, first=False, last=False))
        time.sleep(0.5)  # let the server read what it can
        p.abort()
        ok("abort-mid", f"{(args.mid_fragments + 1) * len(frag)} bytes of a message, then ABORT")
    finally:
        p.close()


def case_vanish(args, raw):
    """Connect, send a message, then nothing: no SACK, no SHUTDOWN, no
    ABORT. The server keeps the association until its timers give up."""
    p = raw.peer()
    try:
        p.handshake()
        p.send(p.data(0, b"and now I vanish"))
        p.receive(SACK, limit=2)
        ok("vanish", "one message, then silence")
    finally:
        p.close()  # the nftables rule keeps this host quiet too


def case_init_nolistener(args, raw):
    """INIT to a port nobody listens on: an ABORT (T bit set) at once."""
    p = raw.peer(dport=args.closed_port)
    try:
        p.peer_tag = 0
        start = time.monotonic()
        p.tag = rand32()
        p.send(chunk(INIT, 0, struct.pack("!IIHHI", p.tag, 1 << 20, 10, 10,
                                          p.tsn)), vtag=0)
        got = p.receive(ABORT, limit=5)
        took = time.monotonic() - start
        if got:
            ok("init-nolistener", f"ABORT after {took:.2f} s")
        else:
            fail("init-nolistener", f"no ABORT within 5 s ({got!r})")
    finally:
        p.close()


# --- cases with kernel sockets ---------------------------------------------

def case_big(args, size, name):
    """One message of SIZE bytes: more than the server's receive buffer,
    so it arrives in parts. Echo servers must send it back whole."""
    s = connect(args, sndbuf=4 * size)
    payload = os.urandom(256) * (size // 256)
    sid = 0 if args.kind == "daytime" else 2  # daytime grants one
    try:
        try:
            send(s, payload, sid)
        except (BrokenPipeError, ConnectionResetError):
            # daytime_server answers and shuts down at once: on a busy
            # machine its SHUTDOWN can come before this send.
            if args.kind != "daytime":
                raise
            ok(name, f"{size} bytes refused: the server had already shut down")
            return
        if args.kind in ("echo", "echo_many") and size <= args.echo_max:
            data, got = recv_message(s)
            if data == payload and got == sid:
                ok(name, f"{size} bytes echoed whole on stream {sid}")
            else:
                fail(name, f"echo of {len(data)} bytes on stream {got}")
        else:
            # Over the server's limit: it refuses the message (ABORT) or
            # drops it; either way nothing half-echoed comes back.
            how = end_of(s, limit=2)
            ok(name, f"{size} bytes sent; the association: {how}")
    finally:
        s.close()


def case_noread(args):
    """A client that sends and never reads, until its sends block: the
    server's echoes fill its send buffer (one-to-many: the one buffer all
    associations share). A fresh client must be served meanwhile."""
    s = connect(args, rcvbuf=4096)
    s.setblocking(False)
    msg = b"n" * 32768
    sent, stalled_since = 0, None
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            send(s, msg, 0)
            sent += 1
            stalled_since = None
        except BlockingIOError:
            stalled_since = stalled_since or time.monotonic()
            if time.monotonic() - stalled_since > 1:
                break
            time.sleep(0.05)
        except (ConnectionResetError, BrokenPipeError):
            break
    why = fresh(args)
    state = end_of(s, limit=0.1) if args.kind == "echo_many" else "-"
    abort(s)
    if why:
        fail("noread", f"{sent} messages sent before blocking; fresh client: {why}")
    else:
        ok("noread", f"{sent} x 32 KiB sent, never read; a fresh client was served")
    return True  # fresh already checked


def proc_fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def fd_names(pid):
    """What PID's descriptors are, for a report that counts one too many."""
    names = []
    for fd in sorted(os.listdir(f"/proc/{pid}/fd"), key=int):
        try:
            names.append(f"{fd}:{os.readlink(f'/proc/{pid}/fd/{fd}')}")
        except OSError:
            pass  # closed while we looked
    return " ".join(names)


def proc_rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def case_cycles(args, n):
    """N associations set up and aborted, one after the other; every
    other one sends a message first (its echo meets a dead peer: EPIPE,
    never a SIGPIPE). File descriptors and RSS must stay flat."""
    def cycle(i):
        global cycle_port
        s = sctp_socket()
        s.settimeout(TIMEOUT)
        # A port of its own for every cycle: an aborted association
        # stays in the server's kernel, with its ports, until the
        # server closes its socket, and a new one from the same port
        # meanwhile hangs (its COOKIE_ECHO goes unanswered). A fast
        # server closes at once; under valgrind a child takes seconds,
        # and the kernel's random ports repeat within a few hundred.
        s.bind(("", 20000 + cycle_port % 10000))
        cycle_port += 1
        try:
            s.connect((args.addr, args.port))
        except ConnectionRefusedError:
            s.close()
            return False
        if i % 2:
            try:
                send(s, b"x" * 100, 0)
            except (BrokenPipeError, ConnectionResetError):
                pass  # daytime_server answers and closes at once
        abort(s)
        return True

    warmup = 20
    for i in range(warmup):
        cycle(i)
    fds0 = settle(args, limit=6 * TIMEOUT)
    rss0 = proc_rss(args.pid)
    start = time.monotonic()
    refused = sum(1 for i in range(n) if not cycle(i))
    took = time.monotonic() - start
    # The count settle() saw steady. A slow server (ASan or valgrind on
    # a loaded machine) may still be taking aborted associations from
    # its backlog: a count taken after settle() can catch it between an
    # accept() and its close(). A leak keeps the count up: settle()
    # times out and returns it.
    fds1 = settle(args, fds0, limit=6 * TIMEOUT)
    rss1 = proc_rss(args.pid)
    say(f"cycles={n} refused={refused} seconds={took:.1f}")
    say(f"fds before={fds0} after={fds1}")
    say(f"rss_kb before={rss0} after={rss1}")
    grew = rss1 - rss0
    if fds1 > fds0:
        fail("cycles", f"{fds1 - fds0} file descriptors more after {n} cycles; "
             f"now {fd_names(args.pid)}")
    elif args.rss_margin >= 0 and grew > args.rss_margin:
        fail("cycles", f"RSS grew by {grew} kB (margin {args.rss_margin} kB)")
    elif refused > n // 10:
        fail("cycles", f"{refused} of {n} associations refused")
    else:
        ok("cycles", f"{n} in {took:.1f} s; fds {fds0} -> {fds1}; RSS {rss0} -> {rss1} kB")


def proc_children(pid):
    """How many processes PID has (a server's children per association)."""
    n = 0
    for d in os.listdir("/proc"):
        try:
            with open(f"/proc/{d}/stat") as f:
                n += f.read().rsplit(")", 1)[1].split()[1] == str(pid)
        except (OSError, IndexError):
            pass
    return n


def settle(args, fds=None, limit=TIMEOUT):
    """Wait until the server has closed what the aborts left behind: its
    descriptor count (at most FDS, when given) and its number of children
    unchanged for a while. A slow server (valgrind) still accepts aborted
    associations from its backlog after the count first drops, and then
    closes them; under valgrind a child takes about half a second to
    exit. (The children of earlier cases, a vanished peer's, a
    non-reader's, may stay.) Returns the descriptor count it saw last."""
    deadline = time.monotonic() + limit
    last, same_since = None, time.monotonic()
    while time.monotonic() < deadline:
        now = (proc_fds(args.pid), proc_children(args.pid))
        if now != last:
            last, same_since = now, time.monotonic()
        elif (fds is None or now[0] <= fds) and time.monotonic() - same_since > 1:
            break
        time.sleep(0.05)
    return last[0]


# How each one-to-many server reports an association's start and end
# (words its output lines hold, as count_lines() takes them).
UP_DOWN = {
    "echo_many": (("association ", " up: "), ("association ", " closed (")),
    "multihome": (("ASSOC_CHANGE COMM_UP",),
                  (("ASSOC_CHANGE COMM_LOST", "ASSOC_CHANGE SHUTDOWN_COMP"),)),
    "events": (("ASSOC_CHANGE ", "state=COMM_UP"),
               ("ASSOC_CHANGE ", ("state=COMM_LOST", "state=SHUTDOWN_COMP"))),
}


def case_flood(args, n):
    """N associations at once on the one-to-many socket, then all of
    them aborted at once: N COMM_UP, then N ends, each in a burst, and
    the server must print each one.

    An ABORT that arrives while the server is inside a system call on
    the socket waits in the socket's backlog, and the kernel drops it
    when that backlog and the unread notifications exceed the receive
    buffer (SctpInPktDiscards counts it). A slow server (valgrind) makes
    that likely. Such an association never ends on the server's side,
    so there is no event to print: the count of ends leaves out every
    association the server's kernel still holds."""
    up_re, down_re = UP_DOWN[args.kind]
    up0, down0 = count_lines(args, up_re), count_lines(args, down_re)
    socks = []
    for _ in range(n):
        s = sctp_socket()
        s.setblocking(False)
        try:
            s.connect((args.addr, args.port))
        except BlockingIOError:
            pass
        socks.append(s)
    pending, deadline, refused = list(socks), time.monotonic() + TIMEOUT, 0
    while pending and time.monotonic() < deadline:
        _, w, _ = select.select([], pending, [], 1)
        for s in w:
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                refused += 1
            pending.remove(s)
    want = n - refused - len(pending)
    up = wait_lines(args, up_re, up0, want)
    ports = set()
    for s in socks:
        if s not in pending:
            try:
                ports.add(s.getsockname()[1])
            except OSError:
                pass
    discards0 = sctp_snmp("SctpInPktDiscards")
    for s in socks:
        abort(s)
    down = wait_lines(args, down_re, down0, want)
    held = 0
    if down < want:
        held = server_assocs(args.port, ports)
    discards = sctp_snmp("SctpInPktDiscards") - discards0
    say(f"flood={n} refused={refused} unconnected={len(pending)} up={up} "
        f"down={down} held={held} discards={discards}")
    if up < want or down + held < want or refused or pending:
        fail("flood", f"server saw {up} up and {down} down of {want}"
             f" ({held} still held by its kernel)")
    else:
        ok("flood", f"{n} associations up and down; the server saw each"
           " one its kernel ended")


def wait_lines(args, words, before, want):
    """Wait until the server has printed WANT more lines that hold
    WORDS than BEFORE, or has printed none for TIMEOUT seconds (a slow
    server may take longer than that for all of them); the count."""
    deadline, seen = time.monotonic() + TIMEOUT, -1
    while True:
        got = count_lines(args, words) - before
        if got >= want or time.monotonic() > deadline:
            return got
        if got > seen:
            deadline, seen = time.monotonic() + TIMEOUT, got
        time.sleep(0.1)


def sctp_snmp(name):
    """One counter of /proc/net/sctp/snmp."""
    with open("/proc/net/sctp/snmp") as f:
        for line in f:
            key, value = line.split()
            if key == name:
                return int(value)
    return 0


def server_assocs(port, peer_ports):
    """Associations of local port PORT with a peer on one of PEER_PORTS
    that this network namespace's kernel still holds."""
    with open("/proc/net/sctp/assocs") as f:
        next(f)
        rows = [line.split() for line in f]
    return sum(1 for r in rows
               if int(r[11]) == port and int(r[12]) in peer_ports)


def case_claim(args, count, flows=0xFFFF):
    """One message whose header (stream_sender's layout) announces COUNT
    messages in FLOWS flows, then a graceful end: the receiver sizes its
    tables from it and reports. A legitimate sender could announce as
    much (stream_sender -o 65535 -c COUNT)."""
    s = connect(args)
    hdr = struct.pack("!HHIIIQ", 0, flows, 0, 0, count, time.monotonic_ns())
    send(s, hdr, 0)
    s.close()
    ok("claim", f"one message announcing {count} messages in {flows} flows")


def case_hold(args, n):
    """N associations set up at once and held --hold-seconds (3), then
    closed: a server short of descriptors (ulimit -n) must ride it out."""
    socks = []
    for _ in range(n):
        s = sctp_socket()
        s.setblocking(False)
        try:
            s.connect((args.addr, args.port))
        except BlockingIOError:
            pass
        socks.append(s)
    time.sleep(args.hold_seconds)
    up = sum(1 for s in socks
             if not s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
    for s in socks:
        s.close()
    ok("hold", f"{n} associations at once, held {args.hold_seconds} s, "
       f"{up} of them without an error")


def case_graceful(args, n):
    """N idle associations (nothing left unread on either side); prints
    'ready', then waits for the server to end them: SHUTDOWN or ABORT."""
    socks = []
    for i in range(n):
        s = connect(args)
        if args.kind in ("echo", "echo_many", "multihome"):
            send(s, b"hello", i % STREAMS)
            recv_message(s)
        elif args.kind == "events":
            send(s, b"hello", 0)
        elif args.kind == "receiver":
            pass
        socks.append(s)
    if args.kind == "events":
        time.sleep(0.5)  # its DATA line: read, nothing pending
    say("ready")
    ends = [end_of(s) for s in socks]
    for s in socks:
        s.close()
    say("ends " + " ".join(ends))
    if all(e == "shutdown" for e in ends):
        ok("graceful", f"{n} associations ended with SHUTDOWN")
    else:
        fail("graceful", "ends: " + " ".join(ends))


# --- main -----------------------------------------------------------------------

class Args:
    """--name value options, then the cases."""
    kind = None
    addr = "127.0.0.1"
    port = None
    pid = None           # the server, for /proc
    server_out = None    # the server's stdout file
    closed_port = 9      # a port nobody listens on
    echo_max = 400000    # largest message an echo server sends back
    mid_fragments = 20   # 16 KiB fragments of the message cut by ABORT
    hold_seconds = 3     # how long the hold case keeps its associations
    rss_margin = 1024    # kB RSS may grow over the cycles (-1: no check)
    no_fresh = False
    tmp = os.environ.get("BATS_TEST_TMPDIR", "/tmp")
    table = None         # nftables table for the raw peers' rule
    KINDS = ("echo", "echo_many", "multihome", "daytime", "events",
             "assoc", "receiver")

    def __init__(self, argv):
        self.cases = []
        it = iter(argv)
        for a in it:
            if a == "--no-fresh":
                self.no_fresh = True
            elif a.startswith("--"):
                name = a[2:].replace("-", "_")
                if not hasattr(self, name) or name in ("cases", "KINDS"):
                    usage(f"unknown option {a}")
                value = next(it, None)
                if value is None:
                    usage(f"{a} needs a value")
                setattr(self, name, value if name in (
                    "kind", "addr", "server_out", "tmp", "table") else int(value))
            else:
                self.cases.append(a)
        if self.kind not in self.KINDS or self.port is None or not self.cases:
            usage("--kind KIND and --port PORT and a CASE are needed")


class UsageError(Exception):
    pass


def usage(why):
    raise UsageError(f"hostile_peer.py: {why}\n"
                     "usage: hostile_peer.py --kind KIND --port PORT "
                     "[--OPTION VALUE]... CASE[=N]...\n"
                     "       hostile_peer.py --serve FIFO")


def run(argv):
    """One command line: its cases, in order. Returns the exit status."""
    global failures, fresh_count
    failures = fresh_count = 0
    try:
        args = Args(argv)
    except UsageError as e:
        sys.stderr.write(f"{e}\n")
        return 2
    raw = None
    try:
        for i, spec in enumerate(args.cases):
            name, _, n = spec.partition("=")
            n = int(n) if n else 0
            checked = False
            start = time.monotonic()
            try:
                if name in ("zero", "stream-above", "abort-mid", "vanish",
                            "init-nolistener"):
                    raw = raw or RawCases(args)
                    {"zero": case_zero, "stream-above": case_stream_above,
                     "abort-mid": case_abort_mid, "vanish": case_vanish,
                     "init-nolistener": case_init_nolistener}[name](args, raw)
                elif name == "big":
                    case_big(args, n or 300000, "big")
                elif name == "huge":
                    case_big(args, n or 600000, "huge")
                elif name == "noread":
                    checked = case_noread(args)
                elif name == "cycles":
                    case_cycles(args, n or 1000)
                elif name == "flood":
                    case_flood(args, n or 200)
                elif name == "claim":
                    case_claim(args, n or 1000000)
                elif name == "hold":
                    case_hold(args, n or 24)
                elif name == "graceful":
                    case_graceful(args, n or 3)
                    checked = True
                elif name == "fresh":
                    pass
                else:
                    usage(f"unknown case {name}")
            except (OSError, RuntimeError) as e:
                fail(name, f"{type(e).__name__}: {e}")
            if not checked and not args.no_fresh and args.kind != "receiver":
                why = fresh(args)
                if why:
                    fail(f"fresh-after-{name}", why)
                else:
                    say(f"fresh ok after {name}")
            say(f"# {name}: {time.monotonic() - start:.1f} s")
    finally:
        if raw:
            raw.close()
    return 1 if failures else 0


def serve(fifo):
    """Run command after command, each a line on FIFO: an output file,
    then the arguments, separated by tabs. The output ends with a line
    'done STATUS'. One process for a whole test file: python's start
    alone takes seconds under emulation."""
    stdout = sys.stdout
    # Read and write: the FIFO then never reports end of file, and a
    # writer never blocks nor loses a line while this process lives.
    with os.fdopen(os.open(fifo, os.O_RDWR), "r") as f:
        say(f"serving {fifo}")
        for line in f:
            out, *argv = line.rstrip("\n").split("\t")
            with open(out, "a", buffering=1) as sys.stdout:
                try:
                    rc = run(argv)
                except Exception as e:  # report it, serve the next
                    say(f"case internal FAIL {type(e).__name__}: {e}")
                    rc = 1
                say(f"done {rc}")
            sys.stdout = stdout


def main():
    if sys.argv[1:2] == ["--serve"] and len(sys.argv) == 3:
        serve(sys.argv[2])
    return run(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
