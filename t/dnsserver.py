#!/usr/bin/env python3
"""A small DNS server for the tests: hostile answers, delays, a query log.

Listens on 127.0.0.1, UDP and TCP, on the port given.  What it answers
depends on the zone a name is under (all under .test); see BEHAVIOURS.
Every query is logged as "name TYPE udp|tcp" to --log, so tests can count
what reached the server.  --delay MS holds every answer back that long,
without holding back other queries (the benchmark's slow list).
--no-tcp leaves TCP unserved: connections to the port are refused.
A second UDP socket on 127.0.0.1 and one on 127.0.0.2, the same port,
send the answers that come from the wrong place (loopback only; where
127.0.0.2 cannot be bound the log says "no 127.0.0.2").

Start it with t/dns.bash (dnsserver_start), which records its PID.
"""
import argparse
import asyncio
import socket
import struct
import sys

from dnslib import AAAA, CNAME, DNSRecord, QTYPE, RCODE, RR, SOA, TXT, A

BEHAVIOURS = """
silent      never answers
servfail    SERVFAIL
refused     REFUSED
short       the first 5 bytes of an answer
zero        an empty UDP datagram, then nothing
wrongid     a listed answer with the wrong ID, then nothing
wrongq      a listed answer to another question, then nothing
wrongidok   127.0.0.66 with the wrong ID, then 127.0.0.2 with the right one
otherport   127.0.0.66 from another port of 127.0.0.1, then nothing
otheraddr   127.0.0.66 from 127.0.0.2, the same port, then nothing
spoofok     127.0.0.66 from another port and from 127.0.0.2, then 127.0.0.2
            from the right socket 50 ms later
twice       two answers to one query: 127.0.0.2, then 127.0.0.66
extra       127.0.0.2, TXT "extra" and AAAA ::2 for the name, among records
            for other names, classes and sections (127.0.0.66 ...)
noedns      FORMERR to a query with EDNS (an OPT record), 127.0.0.2 without
formerr     FORMERR
foreign     an answer whose record is for another name
tc          UDP: truncated, empty; TCP: 127.0.0.2
tcbad       UDP: truncated, empty; TCP: a cut-off answer
tcstall     UDP: truncated, empty; TCP: the length prefix, then nothing
tctrickle   UDP: truncated, empty; TCP: 127.0.0.2 a byte every 100 ms
tclong      UDP: truncated, empty; TCP: a length prefix 100 bytes longer
            than the answer that follows, then close
tcreset     UDP: truncated, empty; TCP: the connection reset (RST)
cname       NAME CNAME NAME.target.cname.test, which is 127.0.0.2
cnameloop   NAME CNAME a.cnameloop.test CNAME NAME
cnamelong   a chain of 12 CNAMEs, then 127.0.0.2
many        3000 A records (over TCP)
bigtxt      a 10,200-byte TXT record and "v=spf1 -all"
ptrloop     PTR whose name is a compression pointer to itself
badrdlen    an A record 5 bytes long
ttl0        127.0.0.2 with TTL 0
ttl1        127.0.0.2 with TTL 1
nx          NXDOMAIN with an SOA (TTL 300, minimum 60)
nxnosoa     NXDOMAIN without an SOA
late        127.0.0.2 after --late ms
jitter      127.0.0.2 after (first label % 7) * 40 ms: answers out of order
listed      A 127.0.0.2 for names whose first label is even, NXDOMAIN else;
            PTR host-N.listed.test; TXT "listed"
spf         TXT "v=spf1 a -all" and A 192.0.2.1 for every name (xd-spf's
            benchmark: two lookups a message, each delayed)
"""

LOG = None
ARGS = None
SPOOF = {}      # "port", "addr": the sockets of answers from the wrong place
TCP_TRICKS = ("tcstall", "tctrickle", "tclong", "tcreset")


def log(qname, qtype, proto):
    if LOG is not None:
        LOG.write("%s %s %s\n" % (qname, qtype, proto))
        LOG.flush()


def zone_of(qname):
    labels = qname.rstrip(".").lower().split(".")
    if len(labels) >= 2 and labels[-1] == "test":
        return labels[-2]
    return ""


def soa(zone):
    return RR(zone + ".test.", QTYPE.SOA, ttl=300,
              rdata=SOA("ns.test.", "hostmaster.test.", (1, 3600, 600, 86400, 60)))


def raw_answer(req, rr):
    """A reply by hand: header, the question as asked, one crafted record."""
    q = req.pack()
    i = 12
    while q[i] != 0:
        i += q[i] + 1
    hdr = struct.pack("!HHHHHH", req.header.id, 0x8180, 1, 1, 0, 0)
    return hdr + q[12:i + 5] + rr


def a_reply(req, addr, rid=None):
    """An answer of one A record, addr, for the name asked."""
    r = req.reply()
    r.header.ra = 0
    if rid is not None:
        r.header.id = rid
    r.add_answer(RR(req.q.qname, QTYPE.A, ttl=60, rdata=A(addr)))
    return r.pack()


def extra_reply(req, r):
    """The right records for the name among others no one asked for."""
    name = req.q.qname
    r.add_answer(RR("evil.example.", QTYPE.A, ttl=60, rdata=A("127.0.0.66")))
    r.add_answer(RR(name, QTYPE.A, ttl=60, rdata=A("127.0.0.2")))
    r.add_answer(RR(name, QTYPE.A, rclass=3, ttl=60, rdata=A("127.0.0.67")))
    r.add_answer(RR(name, QTYPE.TXT, ttl=60, rdata=TXT("extra")))
    r.add_answer(RR(name, QTYPE.AAAA, ttl=60, rdata=AAAA("::2")))
    r.add_answer(RR("evil.example.", QTYPE.TXT, ttl=60, rdata=TXT("evil")))
    r.add_auth(RR(name, QTYPE.A, ttl=60, rdata=A("127.0.0.68")))
    r.add_ar(RR(name, QTYPE.A, ttl=60, rdata=A("127.0.0.69")))
    r.add_ar(RR("evil.example.", QTYPE.A, ttl=60, rdata=A("127.0.0.70")))


def sends_for(req, zone):
    """Answers from more than one place or more than one answer: a list of
    (socket, ms, bytes), socket "main", "port" or "addr"; None otherwise."""
    bad = req.header.id ^ 0x5555
    if zone == "wrongidok":
        return [("main", 0, a_reply(req, "127.0.0.66", bad)),
                ("main", 0, a_reply(req, "127.0.0.2"))]
    if zone == "otherport":
        return [("port", 0, a_reply(req, "127.0.0.66"))]
    if zone == "otheraddr":
        return [("addr", 0, a_reply(req, "127.0.0.66"))]
    if zone == "spoofok":
        return [("port", 0, a_reply(req, "127.0.0.66")),
                ("addr", 0, a_reply(req, "127.0.0.66")),
                ("main", 50, a_reply(req, "127.0.0.2"))]
    if zone == "twice":
        return [("main", 0, a_reply(req, "127.0.0.2")),
                ("main", 0, a_reply(req, "127.0.0.66"))]
    return None


def reply_for(req, proto):
    """The bytes to send for req, a list of sends_for(), or None to stay
    silent."""
    qname = str(req.q.qname).rstrip(".").lower()
    qtype = QTYPE[req.q.qtype]
    zone = zone_of(qname)
    r = req.reply()
    r.header.ra = 0
    name = qname + "."
    if zone == "zero":
        return b"" if proto == "udp" else None
    if zone == "silent":
        return None
    sends = sends_for(req, zone)
    if sends is not None:
        return sends
    if zone == "servfail":
        r.header.rcode = RCODE.SERVFAIL
    elif zone == "refused":
        r.header.rcode = RCODE.REFUSED
    elif zone == "short":
        r.add_answer(RR(name, QTYPE.A, ttl=60, rdata=A("127.0.0.2")))
        return r.pack()[:5]
    elif zone == "wrongid":
        r.add_answer(RR(name, QTYPE.A, ttl=60, rdata=A("127.0.0.2")))
        r.header.id ^= 0x5555
    elif zone == "wrongq":
        other = DNSRecord.question("other.example", qtype)
        other.header.id = req.header.id
        r = other.reply()
        r.add_answer(RR("other.example.", QTYPE.A, ttl=60, rdata=A("127.0.0.2")))
    elif zone == "extra":
        extra_reply(req, r)
    elif zone == "noedns":
        if any(rr.rtype == QTYPE.OPT for rr in req.ar):
            r.header.rcode = RCODE.FORMERR
        else:
            r.add_answer(RR(name, QTYPE.A, ttl=60, rdata=A("127.0.0.2")))
    elif zone == "formerr":
        r.header.rcode = RCODE.FORMERR
    elif zone == "foreign":
        r.add_answer(RR("evil.example.", req.q.qtype, ttl=60, rdata=A("127.0.0.2")))
    elif zone in ("tc", "tcbad") + TCP_TRICKS:
        if proto == "udp":
            r.header.tc = 1
            return r.pack()
        r.add_answer(RR(name, QTYPE.A, ttl=60, rdata=A("127.0.0.2")))
        if zone == "tcbad":
            return r.pack()[:-3]
    elif zone == "cname":
        if ".target." in name:
            r.add_answer(RR(name, QTYPE.A, ttl=60, rdata=A("127.0.0.2")))
        else:
            t = qname + ".target.cname.test."
            r.add_answer(RR(name, QTYPE.CNAME, ttl=60, rdata=CNAME(t)))
            r.add_answer(RR(t, QTYPE.A, ttl=60, rdata=A("127.0.0.2")))
    elif zone == "cnameloop":
        r.add_answer(RR(name, QTYPE.CNAME, ttl=60, rdata=CNAME("a.cnameloop.test.")))
        r.add_answer(RR("a.cnameloop.test.", QTYPE.CNAME, ttl=60, rdata=CNAME(name)))
    elif zone == "cnamelong":
        prev = name
        for i in range(12):
            t = "c%d.cnamelong.test." % i
            r.add_answer(RR(prev, QTYPE.CNAME, ttl=60, rdata=CNAME(t)))
            prev = t
        r.add_answer(RR(prev, QTYPE.A, ttl=60, rdata=A("127.0.0.2")))
    elif zone == "many":
        for i in range(3000):
            r.add_answer(RR(name, QTYPE.A, ttl=60,
                            rdata=A("127.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255))))
    elif zone == "bigtxt":
        r.add_answer(RR(name, QTYPE.TXT, ttl=60, rdata=TXT(["x" * 255] * 40)))
        r.add_answer(RR(name, QTYPE.TXT, ttl=60, rdata=TXT("v=spf1 -all")))
    elif zone == "ptrloop":
        # owner: pointer to the question name (offset 12); rdata: a
        # pointer to itself
        off = 12
        i = 12
        pk = req.pack()
        while pk[i] != 0:
            i += pk[i] + 1
        rr_start = i + 5
        rdata_off = rr_start + 2 + 10
        rr = struct.pack("!HHHIH", 0xC000 | off, 12, 1, 60, 2) + \
            struct.pack("!H", 0xC000 | rdata_off)
        return raw_answer(req, rr)
    elif zone == "badrdlen":
        rr = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 5) + b"\x7f\x00\x00\x02\x00"
        return raw_answer(req, rr)
    elif zone in ("ttl0", "ttl1"):
        r.add_answer(RR(name, QTYPE.A, ttl=0 if zone == "ttl0" else 1,
                        rdata=A("127.0.0.2")))
    elif zone == "nx":
        r.header.rcode = RCODE.NXDOMAIN
        r.add_auth(soa("nx"))
    elif zone == "nxnosoa":
        r.header.rcode = RCODE.NXDOMAIN
    elif zone in ("late", "jitter"):
        r.add_answer(RR(name, QTYPE.A, ttl=60, rdata=A("127.0.0.2")))
    elif zone == "spf":
        if qtype == "TXT":
            r.add_answer(RR(name, QTYPE.TXT, ttl=300, rdata=TXT("v=spf1 a -all")))
        elif qtype == "A":
            r.add_answer(RR(name, QTYPE.A, ttl=300, rdata=A("192.0.2.1")))
        else:
            r.add_auth(soa(zone))
    elif zone == "listed" or zone.startswith("delay"):
        first = qname.split(".")[0]
        if qtype == "A" and first.isdigit() and int(first) % 2 == 0:
            r.add_answer(RR(name, QTYPE.A, ttl=300, rdata=A("127.0.0.2")))
        elif qtype == "TXT" and first.isdigit() and int(first) % 2 == 0:
            r.add_answer(RR(name, QTYPE.TXT, ttl=300, rdata=TXT("listed")))
        else:
            r.header.rcode = RCODE.NXDOMAIN
            r.add_auth(soa(zone))
    else:
        r.header.rcode = RCODE.REFUSED
    pkt = r.pack()
    if proto == "udp" and len(pkt) > 1232:
        r = req.reply()
        r.header.tc = 1
        pkt = r.pack()
    return pkt


def answer(data, proto, send):
    try:
        req = DNSRecord.parse(data)
        qname = str(req.q.qname).rstrip(".").lower()
        qtype = QTYPE[req.q.qtype]
    except Exception:
        return
    log(qname, qtype, proto)
    pkt = reply_for(req, proto)
    if pkt is None:
        return
    if isinstance(pkt, list):
        for via, ms, p in pkt:
            asyncio.get_running_loop().call_later(ms / 1000.0, send, p, via)
        return
    delay = ARGS.delay / 1000.0
    if zone_of(qname) == "late":
        delay = ARGS.late / 1000.0
    elif zone_of(qname) == "jitter":
        first = qname.split(".")[0]
        delay += (int(first) % 7 if first.isdigit() else 0) * 0.04
    if delay > 0:
        asyncio.get_running_loop().call_later(delay, send, pkt)
    else:
        send(pkt)


class Udp(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport

    def datagram_received(self, data, addr):
        def send(pkt, via="main"):
            sock = self.transport if via == "main" else SPOOF.get(via)
            if sock is not None:
                sock.sendto(pkt, addr)
        answer(data, "udp", send)


async def tcp_trick(data, writer):
    """The TCP behaviours of TCP_TRICKS: False if data is not for one,
    True to read the next query, None to drop the connection."""
    try:
        req = DNSRecord.parse(data)
        qname = str(req.q.qname).rstrip(".").lower()
    except Exception:
        return False
    zone = zone_of(qname)
    if zone not in TCP_TRICKS:
        return False
    log(qname, QTYPE[req.q.qtype], "tcp")
    pkt = a_reply(req, "127.0.0.2")
    if zone == "tcstall":
        writer.write(struct.pack("!H", len(pkt)))
        return True
    if zone == "tctrickle":
        for b in struct.pack("!H", len(pkt)) + pkt:
            if writer.is_closing():
                return None
            writer.write(bytes([b]))
            await writer.drain()
            await asyncio.sleep(0.1)
        return True
    if zone == "tclong":
        writer.write(struct.pack("!H", len(pkt) + 100) + pkt)
        await writer.drain()
        return None
    # tcreset: linger 0, so that close sends a reset
    writer.get_extra_info("socket").setsockopt(
        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()
    return None


async def tcp_client(reader, writer):
    def send(pkt, via="main"):
        if not writer.is_closing():
            writer.write(struct.pack("!H", len(pkt)) + pkt)
    try:
        while True:
            n = struct.unpack("!H", await reader.readexactly(2))[0]
            data = await reader.readexactly(n)
            trick = await tcp_trick(data, writer)
            if trick is None:
                break
            if not trick:
                answer(data, "tcp", send)
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    writer.close()


async def main():
    loop = asyncio.get_running_loop()
    await loop.create_datagram_endpoint(Udp, local_addr=("127.0.0.1", ARGS.port))
    for via, addr in (("port", ("127.0.0.1", 0)), ("addr", ("127.0.0.2", ARGS.port))):
        try:
            SPOOF[via], _ = await loop.create_datagram_endpoint(
                asyncio.DatagramProtocol, local_addr=addr)
        except OSError as e:
            # not every system routes all of 127/8 to lo
            print("dnsserver: no %s:%d: %s" % (addr[0], addr[1], e),
                  file=sys.stderr, flush=True)
    print("dnsserver: listening on 127.0.0.1:%d%s" %
          (ARGS.port, ", UDP only" if ARGS.no_tcp else ""),
          file=sys.stderr, flush=True)
    if ARGS.no_tcp:
        await asyncio.Event().wait()
    server = await asyncio.start_server(tcp_client, "127.0.0.1", ARGS.port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="zones:" + BEHAVIOURS)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--delay", type=int, default=0, help="ms before every answer")
    p.add_argument("--late", type=int, default=5000, help="ms before late.test answers")
    p.add_argument("--log", help="append every query here")
    p.add_argument("--no-tcp", action="store_true",
                   help="no TCP listener: connections are refused")
    ARGS = p.parse_args()
    if ARGS.log:
        LOG = open(ARGS.log, "a")
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
