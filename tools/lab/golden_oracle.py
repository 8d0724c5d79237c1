#!/usr/bin/env python3
"""golden_oracle.py — an independent oracle for netflow's flow records.

Reads a capture with tshark (Wireshark's own dissectors, no code shared with
netflow) and prints one CSV row per bidirectional flow, following the
definitions in /work/shared/spec/FEATURES.md ("the contract"):

  * key: VLAN ID (outer, 0 if none), IP version, the two addresses, the two
    L4 ports (0/0 for everything but TCP/UDP, for later fragments and for a
    truncated L4 header), IP protocol;
  * src = sender of the first packet, except a TCP first packet with SYN and
    ACK set: then src = its receiver; IN = src->dst, OUT = dst->src;
  * packet length = IPv4 total length, or IPv6 payload length + 40;
  * time in microseconds, clamped so it never goes back (a packet earlier
    than the latest time seen takes the latest time seen);
  * flow expiry (idle 30 s, active 120 s, TCP end: RST or FIN from each side,
    then 1 s grace; a SYN without ACK on an ended flow starts a new flow);
    flows expiring at the same time are written in first-seen order, all
    others at the end of the file in first-seen order.  Because these golden
    captures are short, an idle/active timeout expiry is treated as an error
    (exit 3) unless --allow-timeouts is given;
  * DNS (UDP/TCP port 53) and FTP (TCP port 21) fields from the first
    --app-packets payload packets of the flow (both directions).

Per-packet fields come from tshark with TCP desegmentation and IP
defragmentation off, so every field describes exactly one packet.

Usage:
  golden_oracle.py CAPTURE [--filter-mode ip|default] [--columns brief|full]
                           [--order export|first-seen]
                           [--allow-timeouts] [--idle-timeout S]
                           [--active-timeout S] [--app-packets N]

--filter-mode ip (default): every IPv4 and IPv6 packet forms flows; compare
  with `netflow -f CAPTURE --filter "ip or ip6" ...`.
--filter-mode default: only IPv4 TCP/UDP/ICMP (netflow's default filter).
--columns brief (default): the column list in tests/golden/README.md;
  full: every v3 column but L7_PROTO, in netflow's order.
--order export (default): rows in the contract's export order (a TCP flow
  that ended and saw no packet for > 1 s is written when the next packet of
  the capture arrives, before flows still open); first-seen: sorted by the
  time each flow was first seen.
"""

import argparse
import csv
import math
import subprocess
import sys
from collections import OrderedDict

# ---------------------------------------------------------------- tshark

TSHARK_FIELDS = [
    "frame.number",
    "frame.time_epoch",
    "frame.protocols",
    "vlan.id",
        "ip.src",
    "ip.dst",
    "ip.len",
    "ip.hdr_len",
    "ip.ttl",
    "ip.proto",
    "ip.frag_offset",
    "ipv6.src",
    "ipv6.dst",
    "ipv6.plen",
    "ipv6.hlim",
    "ipv6.nxt",
    "ipv6.fraghdr.offset",
    "tcp.srcport",
    "tcp.dstport",
    "tcp.flags",
    "tcp.seq_raw",
    "tcp.len",
    "tcp.window_size_value",
    "tcp.payload",
    "udp.srcport",
    "udp.dstport",
    "udp.length",
    "icmp.type",
    "icmp.code",
    "icmpv6.type",
    "icmpv6.code",
    "dns.id",
    "dns.flags.response",
    "dns.count.queries",
    "dns.qry.type",
    "dns.count.answers",
    "dns.resp.type",
    "dns.resp.ttl",
    "ftp.response.code",
]

TSHARK_PREFS = [
    "tcp.desegment_tcp_streams:FALSE",
    "dns.desegment_dns_messages:FALSE",
    "ip.defragment:FALSE",
    "ipv6.defragment:FALSE",
]

AGG = "|"  # separator between occurrences of one field


def tshark_rows(path):
    cmd = ["tshark", "-n", "-r", path]
    for p in TSHARK_PREFS:
        cmd += ["-o", p]
    cmd += ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
            "-E", "aggregator=" + AGG, "-E", "quote=n", "-E", "header=n"]
    for f in TSHARK_FIELDS:
        cmd += ["-e", f]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         check=False)
    if res.returncode != 0:
        sys.exit("tshark failed: " + res.stderr.decode(errors="replace"))
    for line in res.stdout.decode("utf-8", errors="replace").splitlines():
        vals = line.split("\t")
        vals += [""] * (len(TSHARK_FIELDS) - len(vals))
        yield {f: (v.split(AGG) if v != "" else []) for f, v in zip(TSHARK_FIELDS, vals)}


def first(rec, field, conv=str, default=None):
    v = rec.get(field) or []
    if not v:
        return default
    return conv(v[0])


def allint(rec, field):
    return [int(x, 0) for x in rec.get(field) or []]


def epoch_us(text):
    """'1700000000.123456000' -> integer microseconds, no float rounding."""
    sec, _, frac = text.partition(".")
    frac = (frac + "000000")[:6]
    return int(sec) * 1_000_000 + int(frac)


# ---------------------------------------------------------------- packets

IPV6_EXT = {"ipv6.hopopts", "ipv6.routing", "ipv6.fraghdr", "ipv6.dstopts"}
L4_NUMBERS = {"tcp": 6, "udp": 17, "icmp": 1, "icmpv6": 58, "sctp": 132,
              "igmp": 2, "gre": 47, "esp": 50, "ah": 51}


class Pkt:
    __slots__ = ("num", "t", "vlan", "ipver", "src", "dst", "length", "ttl",
                 "proto", "sport", "dport", "l4", "tcp_flags", "seq",
                 "tcp_len", "win", "payload", "udp_payload", "icmp_type",
                 "icmp_code", "dns", "ftp_code")


def parse_packet(rec, filter_mode):
    """Turns one tshark record into a Pkt, or None when it forms no flow."""
    protos = (first(rec, "frame.protocols") or "").split(":")
    p = Pkt()
    p.num = first(rec, "frame.number", int)
    p.t = epoch_us(first(rec, "frame.time_epoch"))
    p.vlan = first(rec, "vlan.id", int, 0)
    # The outermost IP header decides; inner headers (ICMP errors, tunnels)
    # are later occurrences of the same fields.
    ip_idx = next((i for i, x in enumerate(protos) if x in ("ip", "ipv6")), None)
    if ip_idx is None:
        return None
    if protos[ip_idx] == "ip":
        if not rec["ip.len"] or not rec["ip.src"]:
            return None  # IP header not captured in full
        p.ipver = 4
        p.src, p.dst = rec["ip.src"][0], rec["ip.dst"][0]
        p.length = int(rec["ip.len"][0])
        p.ttl = int(rec["ip.ttl"][0])
        p.proto = int(rec["ip.proto"][0])
        later_fragment = first(rec, "ip.frag_offset", int, 0) != 0
        has_ext = False
        l4_name = protos[ip_idx + 1] if ip_idx + 1 < len(protos) else ""
    else:
        if not rec["ipv6.plen"] or not rec["ipv6.src"]:
            return None
        p.ipver = 6
        p.src, p.dst = rec["ipv6.src"][0], rec["ipv6.dst"][0]
        p.length = int(rec["ipv6.plen"][0]) + 40
        p.ttl = int(rec["ipv6.hlim"][0])
        # L4 protocol: the first protocol after the IPv6 extension headers.
        j = ip_idx + 1
        while j < len(protos) and protos[j] in IPV6_EXT:
            j += 1
        has_ext = j > ip_idx + 1
        l4_name = protos[j] if j < len(protos) else ""
        p.proto = L4_NUMBERS.get(l4_name, first(rec, "ipv6.nxt", int, 0))
        later_fragment = first(rec, "ipv6.fraghdr.offset", int, 0) != 0

    if filter_mode == "default" and (p.ipver != 4 or p.proto not in (1, 6, 17)):
        return None

    p.sport = p.dport = 0
    p.l4 = None
    p.tcp_flags = 0
    p.seq = p.tcp_len = p.win = None
    p.payload = b""
    p.udp_payload = 0
    p.icmp_type = p.icmp_code = None
    p.dns = None
    p.ftp_code = None
    if later_fragment:
        return p
    # Only when the dissector found the L4 header right after the outer IP
    # header does it count as that packet's L4 header (its first occurrence).
    if p.proto == 6 and l4_name == "tcp" and rec["tcp.srcport"]:
        p.l4 = "tcp"
        p.sport, p.dport = int(rec["tcp.srcport"][0]), int(rec["tcp.dstport"][0])
        p.tcp_flags = int(rec["tcp.flags"][0], 16) & 0xFF
        p.seq = int(rec["tcp.seq_raw"][0])
        p.tcp_len = int(rec["tcp.len"][0])
        p.win = int(rec["tcp.window_size_value"][0])
        if rec["tcp.payload"]:
            p.payload = bytes.fromhex(rec["tcp.payload"][0].replace(":", ""))
    elif p.proto == 17 and l4_name == "udp" and rec["udp.srcport"]:
        p.l4 = "udp"
        p.sport, p.dport = int(rec["udp.srcport"][0]), int(rec["udp.dstport"][0])
        # Payload length from the IP length (docs/spec/FEATURES.md), not udp.length.
        if p.ipver == 4:
            p.udp_payload = max(0, p.length - int(rec["ip.hdr_len"][0]) - 8)
        elif not has_ext:
            p.udp_payload = max(0, p.length - 40 - 8)
        else:  # extension header lengths are not among the fields
            p.udp_payload = max(0, first(rec, "udp.length", int, 8) - 8)
    elif p.proto == 1 and l4_name == "icmp" and rec["icmp.type"]:
        p.l4 = "icmp"
        p.icmp_type, p.icmp_code = int(rec["icmp.type"][0]), int(rec["icmp.code"][0])
    elif p.proto == 58 and l4_name == "icmpv6" and rec["icmpv6.type"]:
        p.l4 = "icmp"
        p.icmp_type, p.icmp_code = int(rec["icmpv6.type"][0]), int(rec["icmpv6.code"][0])
    if rec["dns.id"] and p.l4 in ("tcp", "udp"):
        p.dns = {
            "id": int(rec["dns.id"][0], 0),
            "response": first(rec, "dns.flags.response", lambda x: x in ("1", "True")),
            "qdcount": first(rec, "dns.count.queries", int, 0),
            "qtype": first(rec, "dns.qry.type", int),
            "ancount": first(rec, "dns.count.answers", int, 0),
            "rtypes": allint(rec, "dns.resp.type"),
            "rttls": allint(rec, "dns.resp.ttl"),
        }
    p.ftp_code = rec["ftp.response.code"]
    return p


def payload_len(p):
    if p.l4 == "tcp":
        return p.tcp_len
    if p.l4 == "udp":
        return p.udp_payload
    return 0


# ---------------------------------------------------------------- flows

class Flow:
    def __init__(self, order, key, src, sport, dst, dport, proto, ipver):
        self.order = order
        self.key = key
        self.src, self.sport, self.dst, self.dport = src, sport, dst, dport
        self.proto, self.ipver = proto, ipver
        self.times = {"in": [], "out": []}
        self.bytes = {"in": 0, "out": 0}
        self.flags = {"in": 0, "out": 0}
        self.win = {"in": 0, "out": 0}
        self.retx_pkts = {"in": 0, "out": 0}
        self.retx_bytes = {"in": 0, "out": 0}
        self.high_end = {"in": None, "out": None}
        self.first = self.last = None
        self.lengths = []
        self.ttls = []
        self.fin = {"in": False, "out": False}
        self.rst = False
        self.icmp = None            # (type, code) of the first ICMP packet
        self.app_pkts = 0           # payload packets seen (budget)
        self.dns_qid = None
        self.dns_qtype = None
        self.dns_ttl = None         # decided by the first response with answers
        self.ftp_bytes = bytearray()
        self.ftp_tshark_codes = []  # tshark's own ftp.response.code, for a cross-check

    def ended(self):
        return self.rst or (self.fin["in"] and self.fin["out"])

    def direction(self, p):
        if (p.src, p.sport, p.dst, p.dport) == (self.src, self.sport, self.dst, self.dport):
            return "in"
        return "out"

    def add(self, p, t, app_budget):
        d = self.direction(p)
        if self.first is None:
            self.first = t
        self.last = t
        self.times[d].append(t)
        self.bytes[d] += p.length
        self.lengths.append(p.length)
        self.ttls.append(p.ttl)
        if p.l4 == "tcp":
            self.flags[d] |= p.tcp_flags
            self.win[d] = max(self.win[d], p.win)
            if p.tcp_flags & 0x01:
                self.fin[d] = True
            if p.tcp_flags & 0x04:
                self.rst = True
            if p.tcp_len > 0:
                end = (p.seq + p.tcp_len) % (1 << 32)
                hi = self.high_end[d]
                if hi is None:
                    self.high_end[d] = end
                else:
                    diff = (end - hi) % (1 << 32)
                    if diff >= 1 << 31:
                        diff -= 1 << 32
                    if diff <= 0:
                        self.retx_pkts[d] += 1
                        self.retx_bytes[d] += p.length
                    else:
                        self.high_end[d] = end
        if p.l4 == "icmp" and self.icmp is None:
            # "the first ICMP/ICMPv6 packet of the flow"
            self.icmp = (p.icmp_type, p.icmp_code)

        # Application parsers: only flows on port 53 (DNS) / TCP 21 (FTP),
        # only the first app_budget payload packets of the flow.
        if payload_len(p) > 0 and p.l4 in ("tcp", "udp"):
            is_dns = 53 in (self.sport, self.dport)
            is_ftp = p.l4 == "tcp" and 21 in (self.sport, self.dport)
            if (is_dns or is_ftp) and self.app_pkts < app_budget:
                self.app_pkts += 1
                if is_dns and p.dns is not None:
                    self.dns_packet(p.dns)
                if is_ftp and p.sport == 21:
                    self.ftp_bytes += p.payload
                    self.ftp_tshark_codes += [int(c) for c in p.ftp_code]

    def dns_packet(self, m):
        if self.dns_qid is None and m["qdcount"] > 0 and m["qtype"] is not None:
            self.dns_qid = m["id"]
            self.dns_qtype = m["qtype"]
        if self.dns_ttl is None and m["response"] and m["ancount"] > 0:
            ttl = 0
            answers = list(zip(m["rtypes"], m["rttls"]))[: m["ancount"]]
            for rtype, rttl in answers:
                if rtype == 1:
                    ttl = rttl
                    break
            self.dns_ttl = ttl

    def ftp_code(self):
        lines = bytes(self.ftp_bytes).split(b"\n")[:-1]  # complete lines only
        code = 0
        for ln in lines:
            if len(ln) >= 4 and ln[:3].isdigit() and ln[3:4] == b" ":
                code = int(ln[:3])
        return code


def iat(times):
    """(min, max, avg, stddev) in ms rounded down, from µs gaps; exact."""
    if len(times) < 2:
        return (0, 0, 0, 0)
    gaps = [b - a for a, b in zip(times, times[1:])]
    n = len(gaps)
    s = sum(gaps)
    sq = sum(g * g for g in gaps)
    var_n2 = n * sq - s * s            # n^2 * population variance, exact
    std_ms = math.isqrt(var_n2) // (n * 1000)
    return (min(gaps) // 1000, max(gaps) // 1000, s // (n * 1000), std_ms)


def fmt_float(x):
    s = "%.3f" % x
    s = s.rstrip("0")
    if s.endswith("."):
        s += "0"
    return s


def features(f):
    dur_us = f.last - f.first
    dur_ms = dur_us // 1000

    def dmin(d):
        tt = f.times[d]
        return (tt[-1] - tt[0]) // 1000 if len(tt) >= 2 else 0

    lengths = f.lengths
    ib, ob = f.bytes["in"], f.bytes["out"]
    in_iat, out_iat = iat(f.times["in"]), iat(f.times["out"])
    icmp_type = f.icmp[0] * 256 + f.icmp[1] if f.icmp else 0
    icmp_v4type = f.icmp[0] if f.icmp else 0
    return OrderedDict([
        ("IPV4_SRC_ADDR", f.src),
        ("L4_SRC_PORT", f.sport),
        ("IPV4_DST_ADDR", f.dst),
        ("L4_DST_PORT", f.dport),
        ("PROTOCOL", f.proto),
        ("IN_BYTES", ib),
        ("IN_PKTS", len(f.times["in"])),
        ("OUT_BYTES", ob),
        ("OUT_PKTS", len(f.times["out"])),
        ("TCP_FLAGS", f.flags["in"] | f.flags["out"]),
        ("CLIENT_TCP_FLAGS", f.flags["in"]),
        ("SERVER_TCP_FLAGS", f.flags["out"]),
        ("FLOW_DURATION_MILLISECONDS", dur_ms),
        ("DURATION_IN", dmin("in")),
        ("DURATION_OUT", dmin("out")),
        ("MIN_TTL", min(f.ttls)),
        ("MAX_TTL", max(f.ttls)),
        ("LONGEST_FLOW_PKT", max(lengths)),
        ("SHORTEST_FLOW_PKT", min(lengths)),
        ("MIN_IP_PKT_LEN", min(lengths)),
        ("MAX_IP_PKT_LEN", max(lengths)),
        ("SRC_TO_DST_SECOND_BYTES", fmt_float(ib / max(1.0, dur_ms / 1000.0))),
        ("DST_TO_SRC_SECOND_BYTES", fmt_float(ob / max(1.0, dur_ms / 1000.0))),
        ("RETRANSMITTED_IN_BYTES", f.retx_bytes["in"]),
        ("RETRANSMITTED_IN_PKTS", f.retx_pkts["in"]),
        ("RETRANSMITTED_OUT_BYTES", f.retx_bytes["out"]),
        ("RETRANSMITTED_OUT_PKTS", f.retx_pkts["out"]),
        ("SRC_TO_DST_AVG_THROUGHPUT", ib * 8000 // max(1, dur_ms)),
        ("DST_TO_SRC_AVG_THROUGHPUT", ob * 8000 // max(1, dur_ms)),
        ("NUM_PKTS_UP_TO_128_BYTES", sum(1 for x in lengths if x <= 128)),
        ("NUM_PKTS_128_TO_256_BYTES", sum(1 for x in lengths if 128 < x <= 256)),
        ("NUM_PKTS_256_TO_512_BYTES", sum(1 for x in lengths if 256 < x <= 512)),
        ("NUM_PKTS_512_TO_1024_BYTES", sum(1 for x in lengths if 512 < x <= 1024)),
        ("NUM_PKTS_1024_TO_1514_BYTES", sum(1 for x in lengths if 1024 < x <= 1514)),
        ("TCP_WIN_MAX_IN", f.win["in"]),
        ("TCP_WIN_MAX_OUT", f.win["out"]),
        ("ICMP_TYPE", icmp_type),
        ("ICMP_IPV4_TYPE", icmp_v4type),
        ("DNS_QUERY_ID", f.dns_qid or 0),
        ("DNS_QUERY_TYPE", f.dns_qtype or 0),
        ("DNS_TTL_ANSWER", f.dns_ttl or 0),
        ("FTP_COMMAND_RET_CODE", f.ftp_code()),
        ("FLOW_START_MILLISECONDS", f.first // 1000),
        ("FLOW_END_MILLISECONDS", f.last // 1000),
        ("SRC_TO_DST_IAT_MIN", in_iat[0]),
        ("SRC_TO_DST_IAT_MAX", in_iat[1]),
        ("SRC_TO_DST_IAT_AVG", in_iat[2]),
        ("SRC_TO_DST_IAT_STDDEV", in_iat[3]),
        ("DST_TO_SRC_IAT_MIN", out_iat[0]),
        ("DST_TO_SRC_IAT_MAX", out_iat[1]),
        ("DST_TO_SRC_IAT_AVG", out_iat[2]),
        ("DST_TO_SRC_IAT_STDDEV", out_iat[3]),
    ])


BRIEF_COLUMNS = (
    "IPV4_SRC_ADDR,L4_SRC_PORT,IPV4_DST_ADDR,L4_DST_PORT,PROTOCOL,IN_BYTES,"
    "IN_PKTS,OUT_BYTES,OUT_PKTS,TCP_FLAGS,CLIENT_TCP_FLAGS,SERVER_TCP_FLAGS,"
    "FLOW_DURATION_MILLISECONDS,DURATION_IN,DURATION_OUT,MIN_TTL,MAX_TTL,"
    "LONGEST_FLOW_PKT,SHORTEST_FLOW_PKT,RETRANSMITTED_IN_PKTS,"
    "RETRANSMITTED_OUT_PKTS,NUM_PKTS_UP_TO_128_BYTES,NUM_PKTS_128_TO_256_BYTES,"
    "NUM_PKTS_256_TO_512_BYTES,NUM_PKTS_512_TO_1024_BYTES,"
    "NUM_PKTS_1024_TO_1514_BYTES,TCP_WIN_MAX_IN,TCP_WIN_MAX_OUT,ICMP_TYPE,"
    "ICMP_IPV4_TYPE,DNS_QUERY_ID,DNS_QUERY_TYPE,DNS_TTL_ANSWER,"
    "FTP_COMMAND_RET_CODE,FLOW_START_MILLISECONDS,FLOW_END_MILLISECONDS,"
    "SRC_TO_DST_IAT_MIN,SRC_TO_DST_IAT_MAX,SRC_TO_DST_IAT_AVG,"
    "SRC_TO_DST_IAT_STDDEV,DST_TO_SRC_IAT_MIN,DST_TO_SRC_IAT_MAX,"
    "DST_TO_SRC_IAT_AVG,DST_TO_SRC_IAT_STDDEV"
).split(",")

# docs/spec/FEATURES.md v3 order without L7_PROTO (tshark has no nDPI).
FULL_COLUMNS = (
    "IPV4_SRC_ADDR,L4_SRC_PORT,IPV4_DST_ADDR,L4_DST_PORT,PROTOCOL,IN_BYTES,"
    "IN_PKTS,OUT_BYTES,OUT_PKTS,TCP_FLAGS,CLIENT_TCP_FLAGS,SERVER_TCP_FLAGS,"
    "FLOW_DURATION_MILLISECONDS,DURATION_IN,DURATION_OUT,MIN_TTL,MAX_TTL,"
    "LONGEST_FLOW_PKT,SHORTEST_FLOW_PKT,MIN_IP_PKT_LEN,MAX_IP_PKT_LEN,"
    "SRC_TO_DST_SECOND_BYTES,DST_TO_SRC_SECOND_BYTES,RETRANSMITTED_IN_BYTES,"
    "RETRANSMITTED_IN_PKTS,RETRANSMITTED_OUT_BYTES,RETRANSMITTED_OUT_PKTS,"
    "SRC_TO_DST_AVG_THROUGHPUT,DST_TO_SRC_AVG_THROUGHPUT,"
    "NUM_PKTS_UP_TO_128_BYTES,NUM_PKTS_128_TO_256_BYTES,"
    "NUM_PKTS_256_TO_512_BYTES,NUM_PKTS_512_TO_1024_BYTES,"
    "NUM_PKTS_1024_TO_1514_BYTES,TCP_WIN_MAX_IN,TCP_WIN_MAX_OUT,ICMP_TYPE,"
    "ICMP_IPV4_TYPE,DNS_QUERY_ID,DNS_QUERY_TYPE,DNS_TTL_ANSWER,"
    "FTP_COMMAND_RET_CODE,FLOW_START_MILLISECONDS,FLOW_END_MILLISECONDS,"
    "SRC_TO_DST_IAT_MIN,SRC_TO_DST_IAT_MAX,SRC_TO_DST_IAT_AVG,"
    "SRC_TO_DST_IAT_STDDEV,DST_TO_SRC_IAT_MIN,DST_TO_SRC_IAT_MAX,"
    "DST_TO_SRC_IAT_AVG,DST_TO_SRC_IAT_STDDEV"
).split(",")


def canonical_key(p):
    a, b = (p.src, p.sport), (p.dst, p.dport)
    lo, hi = (a, b) if a <= b else (b, a)
    return (p.vlan, p.ipver, lo, hi, p.proto)


def run(args):
    idle = int(round(args.idle_timeout * 1_000_000))
    active = int(round(args.active_timeout * 1_000_000))
    grace = 1_000_000
    open_flows = OrderedDict()  # key -> Flow, in first-seen order
    exported = []
    order = 0
    latest = None
    problems = []

    def export(flows, reason, t):
        for f in sorted(flows, key=lambda x: x.order):
            del open_flows[f.key]
            exported.append(f)
            if reason == "timeout":
                problems.append(
                    "flow %s:%s-%s:%s/%d expired by idle/active timeout at t=%d us"
                    % (f.src, f.sport, f.dst, f.dport, f.proto, t))

    for rec in tshark_rows(args.capture):
        p = parse_packet(rec, args.filter_mode)
        if p is None:
            continue
        t = p.t if latest is None or p.t >= latest else latest
        latest = t
        # 1. every flow that has expired by t is exported first.
        expired_to, expired_end = [], []
        for f in open_flows.values():
            if t - f.last > idle or t - f.first > active:
                expired_to.append(f)
            elif f.ended() and t - f.last > grace:
                expired_end.append(f)
        if expired_to or expired_end:
            together = expired_to + expired_end
            # one export batch, first-seen order; note timeouts separately
            for f in sorted(together, key=lambda x: x.order):
                export([f], "timeout" if f in expired_to else "end", t)
        # 2. the packet's flow.
        key = canonical_key(p)
        f = open_flows.get(key)
        if f is not None and f.proto == 6 and p.l4 == "tcp" and f.ended() \
                and (p.tcp_flags & 0x12) == 0x02:
            export([f], "syn-after-end", t)
            f = None
        if f is None:
            if p.l4 == "tcp" and (p.tcp_flags & 0x12) == 0x12:
                f = Flow(order, key, p.dst, p.dport, p.src, p.sport, p.proto, p.ipver)
            else:
                f = Flow(order, key, p.src, p.sport, p.dst, p.dport, p.proto, p.ipver)
            order += 1
            open_flows[key] = f
        f.add(p, t, args.app_packets)
    export(list(open_flows.values()), "end-of-input", latest)

    if problems and not args.allow_timeouts:
        for msg in problems:
            print("golden_oracle: " + msg, file=sys.stderr)
        print("golden_oracle: a golden capture must not hit idle/active "
              "timeouts (use --allow-timeouts to accept)", file=sys.stderr)
        return 3

    cols = BRIEF_COLUMNS if args.columns == "brief" else FULL_COLUMNS
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(cols)
    if args.order == "first-seen":
        exported.sort(key=lambda x: x.order)
    for f in exported:
        feat = features(f)
        w.writerow([feat[c] for c in cols])
        if args.verbose and f.ftp_tshark_codes:
            print("golden_oracle: tshark ftp.response.code sequence for %s:%s: %s"
                  % (f.src, f.sport, f.ftp_tshark_codes), file=sys.stderr)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("capture")
    ap.add_argument("--filter-mode", choices=("ip", "default"), default="ip")
    ap.add_argument("--columns", choices=("brief", "full"), default="brief")
    ap.add_argument("--order", choices=("export", "first-seen"), default="export",
                    help="row order: the contract's export order (default) or "
                         "strict first-seen order")
    ap.add_argument("--allow-timeouts", action="store_true")
    ap.add_argument("--idle-timeout", type=float, default=30.0)
    ap.add_argument("--active-timeout", type=float, default=120.0)
    ap.add_argument("--app-packets", type=int, default=256)
    ap.add_argument("-v", "--verbose", action="store_true")
    sys.exit(run(ap.parse_args()))


if __name__ == "__main__":
    main()
