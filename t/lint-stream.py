#!/usr/bin/env python3
"""lint-stream.py - check that a file is a well-formed verdict stream.

    python3 t/lint-stream.py [-m maxline] [file]

Checks what xd-stream(5) promises a reader: every line ends in LF;
'#' lines are left alone; other lines hold no NUL and no raw CR, field
1 (the locator) is not empty, every other field is name=value with a
name of [A-Za-z0-9_.-]+ and a value in UTF-8, and '%' only starts
%25 %09 %0A %0D (the locator, a path, may be any bytes).  With
-m, no line is longer than maxline bytes (the next tool's bound).
Prints each problem as file:line: what, and exits 1 if there was one.
"""
import re
import sys

NAME = re.compile(rb"[A-Za-z0-9_.-]+=")
BADPCT = re.compile(rb"%(?!25|09|0[AaDd])")


def problems(data, maxline):
    if data and not data.endswith(b"\n"):
        yield 0, "no newline at the end"
    for n, line in enumerate(data.split(b"\n")[:-1] if data else [], 1):
        if maxline and len(line) > maxline:
            yield n, "line of %d bytes, over %d" % (len(line), maxline)
        if line.startswith(b"#"):
            continue
        if b"\0" in line:
            yield n, "NUL byte"
        if b"\r" in line:
            yield n, "raw CR"
        fields = line.split(b"\t")
        if fields[0] == b"":
            yield n, "empty locator"
        for i, f in enumerate(fields):
            if BADPCT.search(f):
                yield n, "bad escape in field %d" % (i + 1)
            if i > 0 and not NAME.match(f):
                yield n, "field %d is not name=value: %r" % (i + 1, f[:40])
            try:
                if i > 0:
                    f.decode("utf-8")
            except UnicodeDecodeError:
                yield n, "field %d is not UTF-8: %r" % (i + 1, f[:40])


def main():
    args = sys.argv[1:]
    maxline = 0
    if args[:1] == ["-m"]:
        maxline = int(args[1])
        args = args[2:]
    name = args[0] if args else "-"
    if name == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(name, "rb") as fp:
            data = fp.read()
    bad = 0
    for n, what in problems(data, maxline):
        print("%s:%d: %s" % (name, n, what), file=sys.stderr)
        bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
