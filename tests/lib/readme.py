#!/usr/bin/env python3
# SPDX-License-Identifier: 0BSD
"""readme.py - the READMEs' transcripts, for tests/readme.bats.

    readme.py parse DIR README...
        Read the fenced code blocks of each README and write to DIR:
          index       one line per command shown, tab-separated:
                      ID FILE LINE BLOCK TERMINAL PROMPT FIRST-LINE
                      (TERMINAL: N, or - when the README names none)
          ID.cmd      the command, as shown (continuation lines included)
          ID.out      the output shown under it
          blocks      one line per block that shows no command, tab-
                      separated: ID FILE LINE PROSE (the last line of
                      text before the block)
          ID.txt      that block's text
    readme.py check PLAN
        Make the comparisons PLAN lists, one a line, tab-separated:
        EXPECTED ACTUAL WHERE [OPTION]...: the lines of the file ACTUAL
        against the README's lines in the file EXPECTED, in order, numbers
        left out (see normalise); a README line "..." stands for any lines.
        Options: set (the order varies: compare as a set), keep=RE (what
        matches RE, in a line with blanks folded, is compared as it is,
        numbers included), only=RE
        (compare only the lines matching RE, and "..."), optional=RE (leave out the
        lines matching RE on both sides: they come or not, by timing),
        fields=N (compare only the first N fields of each line: the shape
        of an excerpt). Exit 1, with every difference shown, if any differ.

What counts as a command: in a fenced block, a line "$ CMD" or "# CMD"
(root), or "terminal N$ CMD" / "terminal N# CMD"; in a ```sh block, every
line. A command whose line ends with a backslash goes on over the next
line. The lines under a command, up to the next command or a blank line,
are its output. A "$ CMD  # terminal N" comment names the terminal too.
Blocks without such lines (C code, diagrams, rule sets, usage synopses,
output shown on its own) are kept in "blocks" for the tests that want one.
"""

import difflib
import os
import re
import sys

FENCE = re.compile(r"^(\s*)(```+)\s*([\w+-]*)\s*$")
PROMPT = re.compile(r"^(?:terminal (\d+))?([$#]) (.*)$")
TERMINAL_COMMENT = re.compile(r"\s#\s*terminal (\d+)\s*$")


def blocks_of(path):
    """Yield (line number of the fence, language, lines, prose before)."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    prose = ""
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            if lines[i].strip():
                prose = lines[i].strip()
            i += 1
            continue
        indent, fence, lang = m.group(1), m.group(2), m.group(3)
        start = i + 1
        body = []
        i += 1
        while i < len(lines):
            if lines[i].strip() == fence and len(lines[i]) - len(
                lines[i].lstrip()
            ) <= len(indent):
                break
            line = lines[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        yield start, lang, body, prose
        prose = ""
        i += 1


def entries_of(path, start, lang, body):
    """The commands of one block: dicts with line, term, prompt, cmd, out."""
    out = []
    cur = None
    closed = True
    j = 0
    while j < len(body):
        line = body[j]
        n = start + 1 + j
        m = PROMPT.match(line) if lang != "sh" else None
        if lang == "sh" and line.strip():
            m = re.match(r"^()()(.*)$", line)
        if m:
            cmd = m.group(3)
            while cmd.endswith("\\") and j + 1 < len(body):
                j += 1
                cmd += "\n" + body[j]
            term = m.group(1) or "-"
            t = TERMINAL_COMMENT.search(cmd)
            if t and term == "-":
                term = t.group(1)
            cur = {"line": n, "term": term, "prompt": m.group(2) or "sh",
                   "cmd": cmd, "out": []}
            out.append(cur)
            closed = False
        elif not line.strip():
            closed = True
        elif cur is None or closed:
            sys.exit(f"readme.py: {path}:{n}: output with no command above it: {line}")
        else:
            cur["out"].append(line)
        j += 1
    return out


def is_transcript(lang, body):
    if lang == "sh":
        return True
    if lang:
        return False
    return any(PROMPT.match(line) for line in body)


def ident(path, line):
    return re.sub(r"[^A-Za-z0-9]", "_", path) + "_" + str(line)


def parse(outdir, paths):
    os.makedirs(outdir, exist_ok=True)
    index, others = [], []
    for path in paths:
        for start, lang, body, prose in blocks_of(path):
            if not is_transcript(lang, body):
                bid = ident(path, start)
                others.append(f"{bid}\t{path}\t{start}\t{prose}")
                with open(os.path.join(outdir, bid + ".txt"), "w") as f:
                    f.write("".join(l + "\n" for l in body))
                continue
            for e in entries_of(path, start, lang, body):
                eid = ident(path, e["line"])
                first = e["cmd"].split("\n")[0]
                index.append("\t".join([eid, path, str(e["line"]), str(start),
                                        e["term"], e["prompt"], first]))
                with open(os.path.join(outdir, eid + ".cmd"), "w") as f:
                    f.write(e["cmd"] + "\n")
                with open(os.path.join(outdir, eid + ".out"), "w") as f:
                    f.write("".join(l + "\n" for l in e["out"]))
    with open(os.path.join(outdir, "index"), "w") as f:
        f.write("".join(l + "\n" for l in index))
    with open(os.path.join(outdir, "blocks"), "w") as f:
        f.write("".join(l + "\n" for l in others))


# What legitimately varies from run to run, replaced by "#": dates (day
# and month names), IPv6 addresses (and so times, HH:MM:SS), hexadecimal
# values (0x..., or words of hex digits with a digit in them, or of six
# or more), and then every digit run (ports, times, PIDs, tags, byte
# counts, IPv4 addresses). Runs of blanks are
# one space (columns move with the numbers), and a terminal's "^C" echo
# is no output.
DATE = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun|Jan|Feb|Mar|Apr|May|Jun|"
                  r"Jul|Aug|Sep|Oct|Nov|Dec)\b")
IPV6 = re.compile(r"(?<![\w:.])(?:[0-9a-fA-F]{0,4}:){2,7}[0-9a-fA-F]{0,4}(?![\w:])")
HEX = re.compile(r"\b(0x[0-9a-fA-F]+|[0-9a-f]*[0-9][0-9a-f]*|[0-9a-f]{6,})\b")
DIGITS = re.compile(r"[0-9]+")


def blanks(line):
    if line.startswith("^C"):
        line = line[2:]
    return " ".join(line.split())


def normalise(line):
    """The line, blanks folded first (see blanks), varying parts out."""
    return numbers(blanks(line))


def numbers(line):
    line = DATE.sub("#", line)
    line = IPV6.sub("#", line)
    line = HEX.sub("#", line)
    return DIGITS.sub("#", line)


def match(exp, act, same):
    """Whether the lines act match exp, where a line "..." of exp stands
    for any lines (none included)."""
    memo = {}

    def at(i, j):
        if (i, j) in memo:
            return memo[(i, j)]
        if i == len(exp):
            r = j == len(act)
        elif exp[i].strip() == "...":
            r = at(i + 1, j) or (j < len(act) and at(i, j + 1))
        else:
            r = j < len(act) and same(exp[i], act[j]) and at(i + 1, j + 1)
        memo[(i, j)] = r
        return r

    sys.setrecursionlimit(100000)
    return at(0, 0)


# tshark's warning to root, on stderr: a user at a "$" prompt does not get it.
ROOT_WARNING = 'Running as user "root" and group "root". This could be dangerous.'


def keyed(line, keep, fields):
    """The line as compared: blanks folded, then normalised except in the
    parts matching a keep pattern (compared as they are); with fields,
    only its first fields."""
    line = blanks(line)
    spans = sorted((m.start(), m.end()) for k in keep for m in k.finditer(line)
                   if m.end() > m.start())
    out, at = "", 0
    for a, b in spans:
        if a < at:
            continue
        out += numbers(line[at:a]) + line[a:b]
        at = b
    out += numbers(line[at:])
    if fields:
        out = " ".join(out.split(" ")[:fields])
    return out


def check_one(exp, act, where, opts):
    """Compare the lines act with the README's lines exp; True when they
    match, else print why and return False (options: see check)."""
    keep = [re.compile(o[5:]) for o in opts if o.startswith("keep=")]
    only = [re.compile(o[5:]) for o in opts if o.startswith("only=")]
    optional = [re.compile(o[9:]) for o in opts if o.startswith("optional=")]
    fields = ([int(o[7:]) for o in opts if o.startswith("fields=")] or [0])[0]
    as_set = "set" in opts
    act = [l for l in act if l != ROOT_WARNING]
    if only:
        exp = [l for l in exp if l.strip() == "..." or any(x.search(l) for x in only)]
        act = [l for l in act if any(x.search(l) for x in only)]
    if optional:
        exp = [l for l in exp if not any(x.search(l) for x in optional)]
        act = [l for l in act if not any(x.search(l) for x in optional)]
    if as_set:
        exp = [l for l in exp if l.strip() != "..."]
    e = [keyed(l, keep, fields) if l.strip() != "..." else "..." for l in exp]
    a = [keyed(l, keep, fields) for l in act]
    if as_set:
        e.sort()
        a.sort()
        ok = e == a
    else:
        ok = match(e, a, lambda x, y: x == y)
    if ok:
        return True
    how = ["numbers, hex values and dates not compared"]
    if keep:
        how.append("except in what matches " + " or ".join(x.pattern for x in keep))
    if as_set:
        how.append("compared as a set (the order varies)")
    if only:
        how.append("only the lines matching " + " or ".join(x.pattern for x in only))
    if optional:
        how.append("lines matching " + " or ".join(x.pattern for x in optional) + " left out")
    if fields:
        how.append(f"only the first {fields} fields of each line")
    print(f"{where}: the output differs from the README's ({'; '.join(how)}; "
          "a line '...' stands for any lines)")
    print("  --- README / +++ actual (as compared)")
    for d in difflib.unified_diff(e, a, lineterm="", n=2):
        if not d.startswith(("---", "+++")):
            print("  " + d)
    print("  the actual output:")
    for l in act:
        print("  | " + l)
    return False


def read_lines(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read().splitlines()


def check(plan):
    """Each line of the file plan: EXPECTED ACTUAL WHERE [OPTION]...,
    tab-separated; every comparison is made, every difference shown."""
    ok = True
    for rec in read_lines(plan):
        exp, act, where, *opts = rec.split("\t")
        ok = check_one(read_lines(exp), read_lines(act), where, opts) and ok
    return 0 if ok else 1


def main(argv):
    if len(argv) >= 3 and argv[1] == "parse":
        parse(argv[2], argv[3:])
        return 0
    if len(argv) == 3 and argv[1] == "check":
        return check(argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
