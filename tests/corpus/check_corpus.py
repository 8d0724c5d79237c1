#!/usr/bin/env python3
"""Converts every capture of the nDPI corpus and compares packet counts with
the reference ndpiReader output.

Usage: check_corpus.py NETFLOW [CORPUS] [--jobs N] [--timeout S] [-v]

CORPUS defaults to ../shared/pcaps/ndpi next to the repository; a missing
corpus is a failure, not a skip. Exit status 0 only when every file converts
(exit 0, or exit 1 with exactly one 'netflow: error:' line; no signal, no
sanitizer report, no timeout) and the per-direction packet counts agree for
at least 99% of the matched flows.

How flows are matched
---------------------
* netflow runs with `--filter ''` (an empty libpcap filter: every packet),
  not with the default filter. ndpiReader keeps IPv6, ICMPv6, IGMP, SCTP,
  ESP, ... flows; the default filter keeps only IPv4 TCP/UDP/ICMP, which
  leaves 4013 matched flows instead of 4371 (358 ndpiReader flows would be
  unmatched for no interesting reason), and the empty filter runs more of
  the decoder (IPv6 extension headers and fragments, other IP protocols)
  under the sanitizers. Per packet, the default filter only drops what the
  empty one keeps, so its counting is covered too.
* A flow line of a .out file (`\\t<n>\\t<PROTO> <a> <-> <b> [VLAN: v][proto:
  ...]...[X pkts/.. bytes <-> Y pkts/.. bytes]`, `->` when one-way; IPv6 as
  `[addr]:port`; other protocols than TCP/UDP by name (ICMP, ICMPV6, IGMP,
  SCTP, PIM, ESP, AH, ...) or number, with ports 0) and a CSV row are keyed
  by (IP protocol, unordered pair of (address, port) endpoints). Counts are
  put in the key's orientation (lower endpoint first), so a flow whose
  client/server roles the tools see differently still compares: ndpiReader's
  left side is the first packet's sender, netflow's src too except after a
  first SYN-ACK (docs/spec/FEATURES.md, "Direction"). The orientation is checked
  separately and printed. A flow from an endpoint to itself compares totals.
* Several rows with one key are summed, on each side, before comparing. The
  tools split a conversation differently: netflow by docs/spec/FEATURES.md's idle
  (30 s) and active (120 s) timeouts and by TCP end + new SYN; ndpiReader not
  at all in these captures (e.g. 3600 s long flows in dnscrypt-v1-and-
  resolver-pings.pcap); and the VLAN, in both tools' keys, is not in our CSV.
  Pairing rows in order would compare splitting rules, which belong to the
  unit and golden tests; summing compares the packets each tool counted per
  conversation and direction, which is what this test is about. 4102 of the
  4371 matched keys have exactly one row on each side.
* ndpiReader can print an IPv6 address with two '::' (2600:1901::7a0b:: for
  2600:1901:0:7a0b::); every reading of such a text is tried and the one
  netflow reports is taken.
* "agree": both directional sums are equal. Matched: keys on both sides.
  Keys on one side only are classified and printed, not scored.

Where netflow and ndpiReader differ, and why
--------------------------------------------
Every difference is classified by decoding the capture again here (a small
pcap/pcapng reader below) and modelling both tools: netflow as docs/spec/FEATURES.md
says, ndpiReader as nDPI's example/reader_util.c does (checked packet by
packet against the .out files). A class is given only when the models
reproduce both tools' counts for the key exactly; anything else is printed
as "unexplained". The netflow model agrees with netflow's per-key packet
counts on all 4550 keys of the corpus (`--cross-check`; the byte counts were
checked the same way once). Result on the 433 files:
4350 of 4371 matched keys agree (99.52%); the 21 others, and the 179 + 27
keys one side only has:

* truncated-ip: the IP length is larger than the bytes captured (snap
  length, or a cut or fuzzed frame). ndpiReader drops the packet (`ipsize <
  ntohs(iph->tot_len)`); docs/spec/FEATURES.md counts it with the header's length
  ("also when the capture holds fewer bytes"). 15 disagreements (telnet,
  rsh-syslog-false-positive, reasm_crash_anon, fuzz-2006-06-26 x11,
  fuzz-2006-09-29) and 98 keys only netflow has (badpackets.pcap: 93
  one-packet DNS replies cut at 59 bytes).
* later-fragment: IPv4 (or IPv6) fragments with a non-zero offset.
  ndpiReader drops them; docs/spec/FEATURES.md counts them on the flow with ports 0/0.
  4 disagreements (2 of them with l4-header-in-padding too); 55 keys only
  netflow has (the 0/0 flows of dnscrypt-v1-and-resolver-pings,
  dns_fragmented, fuzz-2006-06-26), and 2 more with truncated-ip too.
* l4-header-in-padding: the IP datagram is shorter than its IP header plus
  the fixed TCP/UDP header, but the Ethernet frame's padding makes the
  captured bytes long enough. Both tools key such a packet with ports 0/0
  (netflow bounds the L4 header by the IP length too); the class names where
  this happens (ip_fragmented_garbage, fuzz-2006-09-29).
* tunnel: the .out files were made with `ndpiReader -t`, which decapsulates
  GTP-U, CAPWAP data, VXLAN, TZSP, GRE, IPv6-in-IPv4 and IP-in-IP and counts
  the inner flow instead of the outer one; netflow keys the outer IP header
  (docs/spec/FEATURES.md has no tunnel decapsulation). 1 disagreement (capwap: the
  CAPWAP data flow, 16 of whose packets ndpiReader moved to inner flows),
  20 outer keys only netflow has (GTP, VXLAN, GRE, 6in4 in syslog) and 19
  inner keys only ndpiReader has.
* not-decoded-by-netflow-chdlc-in-ppp: ndpiReader strips Cisco HDLC
  framing in a file labelled DLT_PPP (BGP_Cisco_hdlc_slarp; tcpdump cannot
  decode that file either). 1 key only ndpiReader has. (PPPoE sessions and
  MPLS label stacks are decoded by both tools.)
* bad-ipv4-ihl: an IPv4 header length below 20 (fuzz-2006-06-26).
  ndpiReader still reads ports at IHL*4, inside the IP header; netflow
  rejects the header as malformed. 1 key only ndpiReader has.
* src orientation: 25 of the 4102 single-row keys have netflow's src on
  ndpiReader's right side; in all 25 the flow's first packet is a SYN-ACK,
  whose receiver docs/spec/FEATURES.md makes the src.
Anything the model does not reproduce is printed as "unexplained".
"""

import argparse
import collections
import concurrent.futures
import csv
import io
import ipaddress
import os
import re
import signal
import struct
import subprocess
import sys
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_CORPUS = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "pcaps", "ndpi"))
MIN_AGREEMENT = 99.0

FIELDS = ("PROTOCOL, IPV4_SRC_ADDR, L4_SRC_PORT, IPV4_DST_ADDR, L4_DST_PORT, "
          "IN_PKTS, OUT_PKTS, L7_PROTO_NAME")

SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "WARNING: AddressSanitizer",
    "SUMMARY: AddressSanitizer",
    "SUMMARY: UndefinedBehaviorSanitizer",
    "SUMMARY: LeakSanitizer",
    "runtime error:",
    "AddressSanitizer:DEADLYSIGNAL",
)

# ndpiReader's names for IP protocols; other protocols are printed as numbers.
PROTO_NAMES = {
    "TCP": 6, "UDP": 17, "ICMP": 1, "ICMPV6": 58, "IGMP": 2, "SCTP": 132,
    "PIM": 103, "ESP": 50, "AH": 51, "GRE": 47, "OSPF": 89, "VRRP": 112,
    "EGP": 8, "IPV6": 41, "IPIP": 4, "IP_IN_IP": 4,
}

FLOW_LINE = re.compile(
    r"^\t\d+\t(?P<proto>\S+) (?P<a>\S+) (?P<dir><->|->) (?P<b>\S+) "
    r"(?:\[VLAN: (?P<vlan>\d+)\])?\[proto: (?P<l7>[^\]]*)\]")
PKTS = re.compile(r"\[(\d+) pkts/\d+ bytes (?:<->|->) (\d+) pkts/\d+ bytes\]")
TUNNEL_TAG = re.compile(r"^([A-Za-z0-9_]+):\d")  # "[proto: GTP:30/DTLS]"
TUNNEL_PORTS = {2152, 4789, 5246, 5247, 37008}  # GTP-U, VXLAN, CAPWAP, TZSP
TUNNEL_PROTOS = {4, 41, 47}  # IPIP, 6in4, GRE


# ---------------------------------------------------------------- keys

def v6_candidates(text):
    """Every reading of an IPv6 text in which each '::' stands for one or
    more zero groups (ndpiReader can print two '::')."""
    parts = text.split("::")
    groups = [p.split(":") if p else [] for p in parts]
    holes = len(parts) - 1
    free = 8 - sum(len(g) for g in groups)
    out = []

    def fill(i, left, acc):
        if i == holes:
            if left == 0:
                try:
                    out.append(ipaddress.IPv6Address(":".join(acc + groups[holes])))
                except ValueError:
                    pass
            return
        for n in range(1, left - (holes - i - 1) + 1):
            fill(i + 1, left - n, acc + groups[i] + ["0"] * n)

    if holes and free >= holes:
        fill(0, free, [])
    return out


def endpoint(text):
    """'1.2.3.4:80' or '[v6]:80' -> (address, port); the address is a list
    of candidates when the text is ambiguous."""
    if text.startswith("["):
        addr, _, port = text[1:].partition("]:")
    else:
        addr, _, port = text.rpartition(":")
    try:
        return ipaddress.ip_address(addr), int(port)
    except ValueError:
        cands = v6_candidates(addr)
        if not cands:
            raise
        return cands, int(port)


def canonical(proto, a, b, n_ab, n_ba):
    """(key, [count lower->higher, count higher->lower]) for a flow from
    endpoint a to endpoint b; endpoints are (ipaddress, port)."""
    ka = (a[0].version, a[0].packed, a[1])
    kb = (b[0].version, b[0].packed, b[1])
    if ka == kb:
        return (proto, ka, kb), [n_ab + n_ba, 0]
    if ka < kb:
        return (proto, ka, kb), [n_ab, n_ba]
    return (proto, kb, ka), [n_ba, n_ab]


def key_text(key):
    proto, a, b = key

    def ep(e):
        addr = ipaddress.ip_address(e[1])
        return f"[{addr}]:{e[2]}" if addr.version == 6 else f"{addr}:{e[2]}"
    return f"proto {proto} {ep(a)} <-> {ep(b)}"


def group(flows):
    out = {}
    for fl in flows:
        key, n = canonical(fl["proto"], fl["a"], fl["b"], fl["n_ab"], fl["n_ba"])
        g = out.setdefault(key, {"n": [0, 0], "rows": [], "tunnel": False})
        g["n"][0] += n[0]
        g["n"][1] += n[1]
        g["rows"].append(fl)
        g["tunnel"] |= fl.get("tunnel", False)
    return out


def parse_reference(path):
    """The flow lines of a .out file, and those it could not read."""
    flows, unread = [], []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            m = FLOW_LINE.match(line)
            if not m:
                continue
            p = PKTS.search(line, m.end())
            tok = m.group("proto")
            try:
                proto = PROTO_NAMES.get(tok.upper())
                if proto is None:
                    proto = int(tok)
                a, b = endpoint(m.group("a")), endpoint(m.group("b"))
                if not p:
                    raise ValueError("no packet counts")
            except ValueError:
                unread.append(line.strip()[:200])
                continue
            flows.append({"proto": proto, "a": a, "b": b,
                          "n_ab": int(p.group(1)), "n_ba": int(p.group(2)),
                          "tunnel": bool(TUNNEL_TAG.match(m.group("l7"))),
                          "text": line.strip()[:200]})
    return flows, unread


def resolve_ambiguous(ref_flows, our_flows):
    addrs = {fl[s][0] for fl in our_flows for s in ("a", "b")}
    for fl in ref_flows:
        for s in ("a", "b"):
            if isinstance(fl[s][0], list):
                hit = [c for c in fl[s][0] if c in addrs] or fl[s][0]
                fl[s] = (hit[0], fl[s][1])


def parse_ours(text):
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:  # a runtime error before the output was opened
        return []
    if len(rows[0]) != 8:
        raise ValueError(f"unexpected header {rows[:1]}")
    flows = []
    for r in rows[1:]:
        proto, sip, sport, dip, dport, inp, outp, l7 = r
        flows.append({"proto": int(proto), "a": (ipaddress.ip_address(sip), int(sport)),
                      "b": (ipaddress.ip_address(dip), int(dport)),
                      "n_ab": int(inp), "n_ba": int(outp), "l7": l7,
                      "text": ",".join(r)})
    return flows


# ---------------------------------------------------------------- running

def run_one(binary, pcap, timeout):
    cmd = [binary, "-f", pcap, "-c", "-", "--filter", "", "--fields", FIELDS]
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"failure": f"timeout: no exit within {timeout:g} s", "secs": timeout}
    except OSError as e:
        return {"failure": f"cannot run {binary}: {e}", "secs": 0.0}
    res = {"failure": None, "secs": time.monotonic() - t0, "rc": p.returncode}
    err = p.stderr.decode("utf-8", "replace")
    errors = [l for l in err.splitlines() if l.startswith("netflow: error:")]
    san = [m for m in SANITIZER_MARKERS if m in err]
    if san:
        first = next(l for l in err.splitlines() if any(m in l for m in SANITIZER_MARKERS))
        res["failure"] = f"sanitizer report (exit {p.returncode}): {first.strip()}"
    elif p.returncode < 0:
        res["failure"] = f"killed by {signal.Signals(-p.returncode).name}"
    elif p.returncode == 0:
        if errors:
            res["failure"] = f"exit 0 but stderr says: {errors[0]}"
    elif p.returncode == 1:
        if len(errors) != 1:
            res["failure"] = f"exit 1 with {len(errors)} 'netflow: error:' lines on stderr"
        else:
            res["error"] = errors[0]
    else:
        res["failure"] = f"exit {p.returncode}: {err.strip()[-300:]}"
    if res["failure"] is None and p.returncode == 0 and not p.stdout.strip():
        res["failure"] = "exit 0 without any CSV output"
    if res["failure"] is None:
        try:
            res["flows"] = parse_ours(p.stdout.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            res["failure"] = f"unparsable CSV: {e}"
    return res


# ------------------------------------------------- an independent decoder

def iter_frames(path):
    """(link type, captured bytes) of every packet of a pcap/pcapng file."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    elif magic == b"\x0a\x0d\x0d\x0a":
        yield from iter_pcapng(data)
        return
    else:
        return
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        yield linktype, data[off + 16:off + 16 + caplen]
        off += 16 + caplen


def iter_pcapng(data):
    off, e, links = 0, "<", []
    while off + 12 <= len(data):
        btype = struct.unpack(e + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            e = "<" if data[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
            links = []
        blen = struct.unpack(e + "I", data[off + 4:off + 8])[0]
        if blen < 12:
            return
        body = data[off + 8:off + blen - 4]
        if btype == 1:  # interface description
            links.append((struct.unpack(e + "H", body[:2])[0],
                          struct.unpack(e + "I", body[4:8])[0]))
        elif btype == 6 and len(body) >= 20:  # enhanced packet
            iface, _, _, caplen, _ = struct.unpack(e + "IIIII", body[:20])
            if iface < len(links):
                yield links[iface][0], body[20:20 + caplen]
        elif btype == 3 and links:  # simple packet
            origlen = struct.unpack(e + "I", body[:4])[0]
            snap = links[0][1] or origlen
            yield links[0][0], body[4:4 + min(origlen, snap, len(body) - 4)]
        off += blen


VLAN_TYPES = (0x8100, 0x88A8, 0x9100)


def link_layer(dlt, p, depth=0):
    """Where IP starts, as netflow's LinkLayer.cpp finds it and as
    ndpiReader does: (ethertype, offset, nf_ok, extra) where nf_ok says
    whether netflow reaches this IP header and extra names what only
    ndpiReader strips. None when neither finds IP."""
    def ethertype_at(et, off, nf_depth_limit=3):
        n = 0
        while et in VLAN_TYPES and off + 4 <= len(p):
            et = struct.unpack(">H", p[off + 2:off + 4])[0]
            off += 4
            n += 1
        nf_ok = n <= nf_depth_limit
        if et in (0x0800, 0x86DD):
            return et, off, nf_ok, None
        if et == 0x8864 and off + 8 <= len(p):  # PPPoE session
            ppp = struct.unpack(">H", p[off + 6:off + 8])[0]
            inner = {0x0021: 0x0800, 0x0057: 0x86DD}.get(ppp)
            return (inner, off + 8, nf_ok, "pppoe") if inner else None
        if et in (0x8847, 0x8848):  # MPLS label stack
            while off + 4 <= len(p):
                bottom = p[off + 2] & 1
                off += 4
                if bottom:
                    break
            if off < len(p):
                v = p[off] >> 4
                return ({4: 0x0800, 6: 0x86DD}.get(v), off, nf_ok, "mpls") if v in (4, 6) else None
        return None

    if dlt == 1:  # Ethernet
        if len(p) < 14:
            return None
        return ethertype_at(struct.unpack(">H", p[12:14])[0], 14)
    if dlt in (101, 12, 14, 228, 229):  # raw IP
        if not p:
            return None
        return (0x86DD if p[0] >> 4 == 6 else 0x0800), 0, True, None
    if dlt == 113 and len(p) >= 16:  # Linux cooked v1
        return ethertype_at(struct.unpack(">H", p[14:16])[0], 16)
    if dlt == 276 and len(p) >= 20:  # Linux cooked v2
        return ethertype_at(struct.unpack(">H", p[0:2])[0], 20)
    if dlt in (0, 108) and len(p) >= 4:  # null / loopback
        fam = struct.unpack(">I" if dlt == 108 else "<I", p[:4])[0]
        if dlt == 0 and fam > 0xFFFF:
            fam = struct.unpack(">I", p[:4])[0]
        et = 0x0800 if fam == 2 else 0x86DD if fam in (24, 28, 30) else None
        return (et, 4, True, None) if et else None
    if dlt in (9, 50):  # PPP
        if len(p) >= 4 and p[0] in (0x0F, 0x8F):  # Cisco HDLC framing
            et = struct.unpack(">H", p[2:4])[0]
            r = ethertype_at(et, 4)
            return (r[0], r[1], False, "chdlc-in-ppp") if r else None
        off = 2 if p[:2] == b"\xff\x03" else 0
        if off >= len(p):
            return None
        if p[off] & 1:
            proto, off = p[off], off + 1
        elif off + 2 <= len(p):
            proto, off = struct.unpack(">H", p[off:off + 2])[0], off + 2
        else:
            return None
        et = {0x21: 0x0800, 0x57: 0x86DD}.get(proto)
        return (et, off, True, None) if et else None
    if dlt == 104 and len(p) >= 4:  # Cisco HDLC
        return ethertype_at(struct.unpack(">H", p[2:4])[0], 4)
    if dlt == 192 and len(p) >= 8 and depth == 0:  # PPI
        hlen, inner = struct.unpack("<HI", p[2:8])
        r = link_layer(inner, p[hlen:], 1)
        return (r[0], r[1] + hlen, r[2], r[3]) if r else None
    return None


L4_FIXED = {6: 20, 17: 8, 1: 4, 58: 4}
IPV6_EXT = (0, 43, 44, 60, 135)


def nf_model(ip, ethertype):
    """docs/spec/FEATURES.md as netflow's packet_parse.h implements it: (proto, src,
    sport, dst, dport, TCP flags or None), or None when not counted."""
    end = len(ip)
    if ethertype == 0x0800:
        if end < 20 or ip[0] >> 4 != 4:
            return None
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack(">H", ip[2:4])[0]
        if ihl < 20 or ihl > end or tot < ihl:
            return None
        ip_len = tot
        proto, src, dst = ip[9], ip[12:16], ip[16:20]
        if struct.unpack(">H", ip[6:8])[0] & 0x1FFF:
            return proto, src, 0, dst, 0, None
        l4 = ihl
    else:
        if end < 40 or ip[0] >> 4 != 6:
            return None
        ip_len = struct.unpack(">H", ip[4:6])[0] + 40
        src, dst, nxt, off = ip[8:24], ip[24:40], ip[6], 40
        for _ in range(6):
            if nxt not in IPV6_EXT:
                break
            if off + 8 > end or off + 8 > ip_len:
                return nxt, src, 0, dst, 0, None
            if nxt == 44:
                fo = struct.unpack(">H", ip[off + 2:off + 4])[0] >> 3
                nxt, off = ip[off], off + 8
                if fo:
                    return nxt, src, 0, dst, 0, None
            else:
                nxt, off = ip[off], off + (ip[off + 1] + 1) * 8
        proto, l4 = nxt, off
    # The fixed L4 header must lie within both the capture and the IP
    # length (Ethernet padding after a short datagram is not a header).
    if proto in (6, 17) and l4 + L4_FIXED[proto] <= min(end, ip_len):
        sport, dport = struct.unpack(">HH", ip[l4:l4 + 4])
        return proto, src, sport, dst, dport, (ip[l4 + 13] if proto == 6 else None)
    return proto, src, 0, dst, 0, None


def nd_model(ip, ethertype, depth=0):
    """What ndpiReader (reader_util.c) makes of the packet: (key fields,
    reasons) or (None, reasons) when it does not count it."""
    end = len(ip)
    reasons = set()
    if not ip or ip[0] >> 4 not in (4, 6):
        return None, {"bad-ip-version"}
    if ip[0] >> 4 != (4 if ethertype == 0x0800 else 6):
        reasons.add("bad-ip-version")  # ndpiReader goes by the version field
    if ip[0] >> 4 == 4:
        if end < 20:
            return None, {"truncated-ip"}
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack(">H", ip[2:4])[0]
        if ihl < 20:
            reasons.add("bad-ipv4-ihl")
        if ihl > end or end < tot:
            return None, reasons | {"truncated-ip"}
        if struct.unpack(">H", ip[6:8])[0] & 0x1FFF:
            return None, reasons | {"later-fragment"}
        proto, src, dst, l4, l4len = ip[9], ip[12:16], ip[16:20], ihl, tot - ihl
    else:
        if end < 40:
            return None, {"truncated-ip"}
        plen = struct.unpack(">H", ip[4:6])[0]
        src, dst, nxt, off = ip[8:24], ip[24:40], ip[6], 40
        for _ in range(8):
            if nxt not in IPV6_EXT or off + 8 > end:
                break
            if nxt == 44:
                if struct.unpack(">H", ip[off + 2:off + 4])[0] >> 3:
                    return None, {"later-fragment"}
                nxt, off = ip[off], off + 8
            else:
                nxt, off = ip[off], off + (ip[off + 1] + 1) * 8
        if end < 40 + plen:
            return None, {"truncated-ip"}
        proto, l4, l4len = nxt, off, 40 + plen - off
    if depth == 0 and proto in (4, 41):  # IP-in-IP, 6in4: ndpiReader decapsulates
        inner, r = nd_model(ip[l4:], 0x0800 if proto == 4 else 0x86DD, 1)
        return inner, r | {"tunnel-6in4-or-ipip"}
    if proto in (6, 17) and l4len >= L4_FIXED[proto] and l4 + 4 <= end:
        sport, dport = struct.unpack(">HH", ip[l4:l4 + 4])
        return (proto, src, sport, dst, dport), reasons
    if proto in (6, 17):
        reasons.add("l4-header-in-padding")
    return (proto, src, 0, dst, 0), reasons


def packed_key(t):
    proto, src, sport, dst, dport = t[:5]
    v = 4 if len(src) == 4 else 6
    a, b = (v, bytes(src), sport), (v, bytes(dst), dport)
    if a == b:
        return (proto, a, b), 0
    return ((proto, a, b), 0) if a < b else ((proto, b, a), 1)


def model_file(path):
    """Per key: netflow's and ndpiReader's counts [lo->hi, hi->lo] as
    modelled, the reasons of packets the two key differently, and netflow's
    first packet (sender endpoint, TCP flags)."""
    first = {}
    nf = collections.defaultdict(lambda: [0, 0])
    nd = collections.defaultdict(lambda: [0, 0])
    why = collections.defaultdict(collections.Counter)
    for dlt, frame in iter_frames(path):
        loc = link_layer(dlt, frame)
        if not loc or loc[0] is None:
            continue
        et, off, nf_ok, extra = loc
        ip = frame[off:]
        a = nf_model(ip, et) if nf_ok else None
        b, reasons = nd_model(ip, et)
        if extra:
            reasons = reasons | {"not-decoded-by-netflow-" + extra}
        ka = kb = None
        if a:
            ka, da = packed_key(a)
            nf[ka][da] += 1
            first.setdefault(ka, ((bytes(a[1]), a[2]), a[5]))
        if b:
            kb, db = packed_key(b)
            nd[kb][db] += 1
        if ka != kb or (a and not b):
            for k in (ka, kb):
                if k:
                    why[k].update(reasons or {"other"})
    return nf, nd, why, first


def classify(kind, key, ref, ours, model):
    """A class name for a key that disagrees or is on one side only."""
    nf, nd, why, _ = model
    tunnel_key = key[0] in TUNNEL_PROTOS or key[1][2] in TUNNEL_PORTS or key[2][2] in TUNNEL_PORTS
    if kind == "ref-only" and ref["tunnel"]:
        return "tunnel (inner flow, decapsulated by ndpiReader -t)"
    if nd.get(key, [0, 0]) == (ref["n"] if ref else [0, 0]) and \
            nf.get(key, [0, 0]) == (ours["n"] if ours else [0, 0]):
        reasons = set(why.get(key, ())) - {"other"}
        if reasons:
            return ", ".join(sorted(reasons))
    if tunnel_key and (ours is None or ref is None or
                       (ours["n"][0] >= ref["n"][0] and ours["n"][1] >= ref["n"][1])):
        return "tunnel (outer flow; ndpiReader -t counts the inner one)"
    return "unexplained"


# ---------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("netflow", nargs="?", help="the netflow binary")
    ap.add_argument("corpus", nargs="?", default=DEFAULT_CORPUS,
                    help="directory with pcap/ and result/ (default: %(default)s)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--timeout", type=float, default=120, help="seconds per file")
    ap.add_argument("--only", help="regular expression on file names (debugging)")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print every disagreement and unmatched key")
    ap.add_argument("--cross-check", action="store_true",
                    help="also compare netflow with this script's own model of docs/spec/FEATURES.md "
                         "on every key of every file (slower)")
    ap.add_argument("--self-test", action="store_true",
                    help="check this checker against fake netflow binaries, then exit")
    args = ap.parse_args(argv)
    if args.self_test:
        return self_test()
    if not args.netflow:
        ap.error("the netflow binary is required")

    pcap_dir = os.path.join(args.corpus, "pcap")
    res_dir = os.path.join(args.corpus, "result")
    if not os.path.isdir(pcap_dir) or not os.path.isdir(res_dir):
        print(f"FAIL: corpus not found: {os.path.abspath(args.corpus)} "
              "(expected pcap/ and result/; CI provides ../shared/pcaps/ndpi)")
        return 1
    if not os.access(args.netflow, os.X_OK):
        print(f"FAIL: not an executable: {args.netflow}")
        return 1
    names = sorted(os.listdir(pcap_dir))
    if args.only:
        names = [n for n in names if re.search(args.only, n)]
    if not names:
        print(f"FAIL: no captures in {pcap_dir}")
        return 1

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as ex:
        results = list(ex.map(lambda n: run_one(args.netflow, os.path.join(pcap_dir, n),
                                                args.timeout), names))
    wall = time.monotonic() - t0

    failures = [(n, r) for n, r in zip(names, results) if r["failure"]]
    clear_errors = [(n, r["error"]) for n, r in zip(names, results) if r.get("error")]
    matched = agree = 0
    no_ref = []
    diffs = []  # (file, kind, key, ref group, our group)
    same_src, other_src = 0, []  # orientation of single-row matched flows
    unread_ref = []
    for name, r in zip(names, results):
        if r["failure"]:
            continue
        ref_path = os.path.join(res_dir, name + ".out")
        if not os.path.exists(ref_path):
            no_ref.append(name)
            continue
        ref_flows, unread = parse_reference(ref_path)
        unread_ref.extend(f"{name}: {line}" for line in unread)
        resolve_ambiguous(ref_flows, r["flows"])
        ref, ours = group(ref_flows), group(r["flows"])
        for key, g in ref.items():
            o = ours.get(key)
            if o is None:
                diffs.append((name, "ref-only", key, g, None))
                continue
            matched += 1
            if o["n"] == g["n"]:
                agree += 1
            else:
                diffs.append((name, "mismatch", key, g, o))
            if len(g["rows"]) == 1 and len(o["rows"]) == 1 and key[1] != key[2]:
                if g["rows"][0]["a"] == o["rows"][0]["a"]:
                    same_src += 1
                else:
                    other_src.append((name, key, g, o))
        diffs.extend((name, "ours-only", k, None, o) for k, o in ours.items() if k not in ref)

    # Classify every difference from a model of the capture.
    models = {}
    by_class = collections.defaultdict(collections.Counter)  # kind -> class -> n
    files_by_class = collections.defaultdict(collections.Counter)
    unexplained = []
    for name, kind, key, g, o in diffs:
        if name not in models:
            models[name] = model_file(os.path.join(pcap_dir, name))
        cls = classify(kind, key, g, o, models[name])
        by_class[kind][cls] += 1
        files_by_class[(kind, cls)][name] += 1
        if cls == "unexplained":
            unexplained.append((name, kind, key, g, o))
    if args.cross_check:
        keys = same = 0
        for name, r in zip(names, results):
            if r["failure"]:
                continue
            if name not in models:
                models[name] = model_file(os.path.join(pcap_dir, name))
            ours, nf = group(r["flows"]), models[name][0]
            for key in set(ours) | {k for k, n in nf.items() if n != [0, 0]}:
                keys += 1
                o, m = (ours[key]["n"] if key in ours else [0, 0]), nf.get(key, [0, 0])
                if o == m:
                    same += 1
                else:
                    print(f"cross-check: {name}: {key_text(key)}: netflow {o}, model {m}")
        print(f"cross-check: netflow and the model of docs/spec/FEATURES.md agree on {same} of {keys} keys")
    # ndpiReader's left side is the first packet's sender; netflow's src is
    # too, except after a first SYN-ACK (docs/spec/FEATURES.md, "Direction").
    src_classes = collections.Counter()
    for name, key, g, o in other_src:
        if name not in models:
            models[name] = model_file(os.path.join(pcap_dir, name))
        sender, flags = models[name][3].get(key, (None, None))
        left = g["rows"][0]["a"]
        if flags is not None and flags & 0x12 == 0x12 and sender == (left[0].packed, left[1]):
            src_classes["first packet is a SYN-ACK: netflow's src is its receiver"] += 1
        else:
            src_classes["unexplained"] += 1
            unexplained.append((name, "src", key, g, o))

    for name, r in failures:
        print(f"FAIL {name}: {r['failure']}")
    secs = sorted(((r["secs"], n) for n, r in zip(names, results)), reverse=True)[:3]
    print(f"files: {len(names)}, converted: {len(names) - len(failures)}, "
          f"failed: {len(failures)}, clear errors (exit 1): {len(clear_errors)}, "
          f"wall time {wall:.1f} s (slowest: "
          + ", ".join(f"{n} {s:.1f} s" for s, n in secs) + ")")
    for n, e in clear_errors:
        print(f"  {n}: {e}")
    if no_ref:
        print(f"no reference .out for {len(no_ref)} files: {', '.join(no_ref[:5])}")
    for line in unread_ref:
        print(f"unreadable reference line (not compared): {line}")
    pct = 100.0 * agree / matched if matched else 0.0
    print(f"flows matched: {matched}, packet counts agree in both directions: {agree} "
          f"({pct:.2f}%, required {MIN_AGREEMENT:g}%)")
    print(f"src of {same_src + len(other_src)} single-row matched flows: {same_src} as "
          f"ndpiReader's left side, {len(other_src)} reversed")
    for cls, n in src_classes.most_common():
        print(f"  {n:5d}  {cls}")
    for kind, title in (("mismatch", "disagreements"), ("ours-only", "keys only netflow has"),
                        ("ref-only", "keys only ndpiReader has")):
        total = sum(by_class[kind].values())
        print(f"{title}: {total}")
        for cls, n in by_class[kind].most_common():
            top = ", ".join(f"{f} {c}" for f, c in files_by_class[(kind, cls)].most_common(4))
            print(f"  {n:5d}  {cls}  [{top}]")

    shown = diffs if args.verbose else unexplained
    if shown:
        print("details:" if args.verbose else "unexplained differences:")
    for name, kind, key, g, o in shown:
        print(f"  {name}: {kind} {key_text(key)}: ndpiReader {g['n'] if g else '-'}, "
              f"netflow {o['n'] if o else '-'}")
        for row in (g["rows"] if g else []):
            print(f"      ref : {row['text']}")
        for row in (o["rows"] if o else []):
            print(f"      ours: {row['text']}")

    ok = not failures and matched > 0 and pct >= MIN_AGREEMENT
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


# ---------------------------------------------------------------- self-test

FAKE_NETFLOW = """#!{python}
import os, signal, sys, time
mode = {mode!r}
if mode == "segv":
    os.kill(os.getpid(), signal.SIGSEGV)
if mode == "hang":
    time.sleep(60)
if mode == "asan":
    sys.stderr.write("=================================================================\\n"
                     "==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0x1\\n")
    sys.exit(99)
if mode == "ubsan":
    sys.stderr.write("flow.cpp:12:5: runtime error: shift exponent 40 is too large\\n")
if mode == "two-errors":
    sys.stderr.write("netflow: error: one\\nnetflow: error: two\\n")
    sys.exit(1)
if mode == "usage":
    sys.exit(2)
print("PROTOCOL,IPV4_SRC_ADDR,L4_SRC_PORT,IPV4_DST_ADDR,L4_DST_PORT,IN_PKTS,OUT_PKTS,L7_PROTO_NAME")
print("17,10.0.0.2,53,10.0.0.1,1000,0,%d,DNS" % (2 if mode == "wrong" else 1))
sys.stderr.write("netflow: 1 packets, 1 flows\\n")
if mode == "clear":  # flows counted before a runtime error are written
    sys.stderr.write("netflow: error: x.pcap: truncated dump file\\n")
    sys.exit(1)
"""


def self_test():
    import contextlib
    import tempfile

    failures = []

    def check(what, cond):
        if not cond:
            failures.append(what)

    # Parsing of reference lines.
    m = FLOW_LINE.match("\t2\tUDP 10.1.1.1:5 <-> 10.1.1.2:6 [VLAN: 7][proto: GTP:30/DTLS][x]")
    check("flow line with VLAN and tunnel tag",
          m and m.group("vlan") == "7" and TUNNEL_TAG.match(m.group("l7")))
    check("IPv6 endpoint", endpoint("[fe80::1]:546") == (ipaddress.ip_address("fe80::1"), 546))
    check("ambiguous IPv6", ipaddress.ip_address("2600:1901:0:7a0b::")
          in endpoint("[2600:1901::7a0b::]:443")[0])
    k1, n1 = canonical(6, (ipaddress.ip_address("10.0.0.2"), 80),
                       (ipaddress.ip_address("10.0.0.1"), 999), 3, 4)
    check("canonical orientation", n1 == [4, 3] and k1[1][2] == 999)

    with tempfile.TemporaryDirectory() as tmp:
        corpus = os.path.join(tmp, "corpus")
        os.makedirs(os.path.join(corpus, "pcap"))
        os.makedirs(os.path.join(corpus, "result"))
        udp = struct.pack(">HHHH", 1000, 53, 8, 0)
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 28, 1, 0, 64, 17, 0,
                         bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + udp
        frame = b"\x02" * 12 + b"\x08\x00" + ip
        with open(os.path.join(corpus, "pcap", "x.pcap"), "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            f.write(struct.pack("<IIII", 1, 0, len(frame), len(frame)) + frame)
        with open(os.path.join(corpus, "result", "x.pcap.out"), "w") as f:
            f.write("\t1\tUDP 10.0.0.1:1000 -> 10.0.0.2:53 [proto: 5/DNS][IP: 0/Unknown]"
                    "[1 pkts/42 bytes -> 0 pkts/0 bytes][Goodput ratio: 0/0]\n")
        expect = {"good": 0, "clear": 0, "wrong": 1, "segv": 1, "hang": 1, "asan": 1,
                  "ubsan": 1, "two-errors": 1, "usage": 1}
        for mode, want in expect.items():
            fake = os.path.join(tmp, "netflow-" + mode)
            with open(fake, "w") as f:
                f.write(FAKE_NETFLOW.format(python=sys.executable, mode=mode))
            os.chmod(fake, 0o755)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                got = main([fake, corpus, "--jobs", "1", "--timeout", "2"])
            check(f"fake netflow '{mode}': exit {got}, wanted {want}\n{out.getvalue()}",
                  got == want)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            got = main([os.path.join(tmp, "netflow-good"), os.path.join(tmp, "missing")])
        check("a missing corpus fails", got == 1 and "corpus not found" in out.getvalue())

    for what in failures:
        print("SELF-TEST FAILED:", what)
    print("self-test:", "FAIL" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
