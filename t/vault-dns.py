#!/usr/bin/env python3
"""Serve one DNS answer packet of the regression vault, for t/vault.bats.

    vault-dns.py CASE INFO

CASE is a whole answer packet, as fuzz/dns.c reads it.  Its question is
written to INFO as "PORT TYPE NAME" (TYPE a number; nothing is written
when the question cannot be read), then every query to 127.0.0.1:PORT,
UDP or TCP, gets the packet back with the query's ID: c-ares drops it
unless the query asked that question, so a resolver sees exactly what
the harness saw.  A packet over 512 bytes goes over UDP truncated (TC
set, no records), as a server would send it, and whole over TCP.  The
server stops by itself after 60 s or 1000 queries.
"""
import os
import select
import socket
import sys
import time


def name_at(pkt, off):
    """The name at off, following compression pointers; (labels, end)."""
    labels, end, hops = [], None, 0
    while True:
        if off >= len(pkt) or hops > 64:
            return None, None
        n = pkt[off]
        if n & 0xC0 == 0xC0:
            if off + 1 >= len(pkt):
                return None, None
            if end is None:
                end = off + 2
            off = ((n & 0x3F) << 8) | pkt[off + 1]
            hops += 1
            continue
        if n & 0xC0:
            return None, None
        if n == 0:
            return labels, (end if end is not None else off + 1)
        labels.append(pkt[off + 1:off + 1 + n])
        off += 1 + n


def question(pkt):
    if len(pkt) < 12:
        return None
    labels, end = name_at(pkt, 12)
    if labels is None or end + 4 > len(pkt):
        return None
    qtype = (pkt[end] << 8) | pkt[end + 1]
    try:
        name = ".".join(label.decode("ascii") for label in labels)
    except UnicodeDecodeError:
        return None
    if any(c < " " or c > "~" for c in name):
        return None     # no line of INFO; xd asks no such name anyway
    return qtype, name or ".", end


def truncated(pkt, end):
    """The header and question of pkt, TC set and no records."""
    return (pkt[:2] + bytes([pkt[2] | 0x02, pkt[3]]) + pkt[4:6] +
            b"\0" * 6 + pkt[12:end + 4])


def serve_tcp(conn, pkt):
    conn.settimeout(5)
    try:
        head = conn.recv(2)
        if len(head) == 2:
            n = (head[0] << 8) | head[1]
            data = b""
            while len(data) < n:
                chunk = conn.recv(n - len(data))
                if not chunk:
                    break
                data += chunk
            if len(data) >= 2:
                reply = data[:2] + pkt[2:]
                conn.sendall(bytes([len(reply) >> 8, len(reply) & 0xFF]) +
                             reply)
    except OSError:
        pass
    conn.close()


def main():
    case, info = sys.argv[1], sys.argv[2]
    with open(case, "rb") as f:
        pkt = f.read()[:65535]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    for _ in range(100):
        udp.bind(("127.0.0.1", 0))
        try:
            tcp.bind(("127.0.0.1", udp.getsockname()[1]))
            break
        except OSError:
            udp.close()
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tcp.listen(8)
    q = question(pkt)
    with open(info + ".tmp", "w") as f:
        if q is not None:
            f.write("%d %d %s\n" % (udp.getsockname()[1], q[0], q[1]))
    os.rename(info + ".tmp", info)
    if q is None:
        return
    short = truncated(pkt, q[2]) if len(pkt) > 512 else pkt
    deadline = time.monotonic() + 60
    for _ in range(1000):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        ready, _, _ = select.select([udp, tcp], [], [], left)
        if udp in ready:
            data, addr = udp.recvfrom(65535)
            if len(data) >= 2 and len(pkt) >= 2:
                udp.sendto(data[:2] + short[2:], addr)
        if tcp in ready:
            conn, _ = tcp.accept()
            serve_tcp(conn, pkt)


if __name__ == "__main__":
    main()
