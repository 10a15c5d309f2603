#!/usr/bin/env python3
# gen-zip.py - write a message carrying hostile zip attachments, for
# t/gen-hostile.sh.  The zips are written by hand so that one deflated
# run of zeros is reused for every entry: a bomb of gigabytes is made
# in a fraction of a second.
#
#   gen-zip.py entries N [NAME]     one zip of N empty entries, then NAME
#   gen-zip.py nested N MIB [NAME]  one zip of N entries NNNN.zip of MIB MiB
#                                   of zeros each, then NAME
#   gen-zip.py multi K N MIB        K such zips, each of N entries
#   gen-zip.py chain DEPTH          a zip in a zip ... DEPTH deep
import base64
import struct
import sys
import zlib


def deflate_zeros(size):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = bytes(1 << 20)
    out = []
    left = size
    while left > 0:
        n = min(left, len(block))
        out.append(c.compress(block[:n]))
        left -= n
    out.append(c.flush())
    crc = 0
    left = size
    while left > 0:
        n = min(left, len(block))
        crc = zlib.crc32(block[:n], crc)
        left -= n
    return b"".join(out), crc


def zipfile(entries):
    """entries: (name, method, crc, usize, data) tuples."""
    body, central = [], []
    off = 0
    for name, method, crc, usize, data in entries:
        n = name.encode()
        local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0,
                            0x21, crc, len(data), usize, len(n), 0) + n
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20,
                                   20, 0, method, 0, 0x21, crc, len(data),
                                   usize, len(n), 0, 0, 0, 0, 0, off) + n)
        body.append(local)
        body.append(data)
        off += len(local) + len(data)
    cd = b"".join(central)
    eocd = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries),
                       len(entries), len(cd), off, 0)
    return b"".join(body) + cd + eocd


def last(argv, i):
    """A last, empty entry named on the command line, if any."""
    return [(argv[i], 0, 0, 0, b"")] if len(argv) > i else []


def nested(count, mib, tail=()):
    data, crc = deflate_zeros(mib << 20)
    return zipfile([("%04d.zip" % i, 8, crc, mib << 20, data)
                    for i in range(count)] + list(tail))


def chain(depth):
    z = b"innermost\n"
    name = "note.txt"
    for i in range(depth):
        z = zipfile([(name, 0, zlib.crc32(z), len(z), z)])
        name = "level%d.zip" % i
    return z


def message(zips):
    w = sys.stdout.buffer.write
    w(b"From: Archive Bomb <bomb@example.net>\nTo: bob@example.org\n"
      b"Subject: the invoice you asked for\n"
      b"Date: Mon, 20 Nov 2023 10:00:00 +0000\n"
      b"Message-ID: <zip@hostile.example.net>\nMIME-Version: 1.0\n"
      b"Content-Type: multipart/mixed; boundary=\"zz\"\n\n"
      b"--zz\nContent-Type: text/plain\n\nPlease see the attachment.\n")
    for i, z in enumerate(zips):
        w(b"--zz\nContent-Type: application/zip; name=\"invoice%d.zip\"\n"
          b"Content-Disposition: attachment; filename=\"invoice%d.zip\"\n"
          b"Content-Transfer-Encoding: base64\n\n" % (i, i))
        w(base64.encodebytes(z))
    w(b"--zz--\n")


def main(argv):
    kind = argv[1]
    if kind == "entries":
        n = int(argv[2])
        message([zipfile([("f%06d.txt" % i, 0, 0, 0, b"")
                          for i in range(n)] + last(argv, 3))])
    elif kind == "nested":
        message([nested(int(argv[2]), int(argv[3]), last(argv, 4))])
    elif kind == "multi":
        z = nested(int(argv[3]), int(argv[4]))
        message([z] * int(argv[2]))
    elif kind == "chain":
        message([chain(int(argv[2]))])
    else:
        sys.exit("gen-zip.py: unknown kind " + kind)


main(sys.argv)
