#!/usr/bin/env python3
"""Compares netflow's CSV rows with what a collector decoded (nfdump -o json).

  compare_nfdump.py NFDUMP_JSON CSV...

Every CSV row must be one nfdump record with the same endpoints, protocol,
packets and bytes per direction, TCP flags and first/last times (ms), and
nothing more: the two are compared as multisets, row for row. ICMP flows
carry type and code instead of ports in nfdump. Exit 0 when equal, 1 with
the differences otherwise.
"""
import collections
import csv
import datetime
import ipaddress
import json
import sys

FLAGS = "CEUAPRSF"  # nfdump prints bit 7 .. bit 0


def flag_bits(text):
    bits = 0
    for i, c in enumerate(text[-8:].rjust(8, ".")):
        if c != ".":
            bits |= 1 << (7 - i)
    return bits


def ms(text):
    t = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f")
    return int(t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000 + 0.5)


def addr(text):
    return str(ipaddress.ip_address(text))


def from_nfdump(r):
    proto = int(r["proto"])
    src = r.get("src4_addr") or r.get("src6_addr")
    dst = r.get("dst4_addr") or r.get("dst6_addr")
    if proto in (1, 58):
        ports = (0, 0, int(r.get("icmp_type", 0)) * 256 + int(r.get("icmp_code", 0)))
        flags = 0
    else:
        ports = (int(r.get("src_port", 0)), int(r.get("dst_port", 0)), None)
        flags = flag_bits(r.get("tcp_flags", "........")) if proto == 6 else 0
    return (addr(src), ports[0], addr(dst), ports[1], proto, ports[2],
            int(r.get("in_packets", 0)), int(r.get("in_bytes", 0)),
            int(r.get("out_packets", 0)), int(r.get("out_bytes", 0)), flags,
            ms(r["first"]), ms(r["last"]))


def from_csv(row):
    proto = int(row["PROTOCOL"])
    icmp = int(row["ICMP_TYPE"]) if proto in (1, 58) else None
    flags = int(row["TCP_FLAGS"]) if proto == 6 else 0
    return (addr(row["IPV4_SRC_ADDR"]), int(row["L4_SRC_PORT"]), addr(row["IPV4_DST_ADDR"]),
            int(row["L4_DST_PORT"]), proto, icmp, int(row["IN_PKTS"]), int(row["IN_BYTES"]),
            int(row["OUT_PKTS"]), int(row["OUT_BYTES"]), flags,
            int(row["FLOW_START_MILLISECONDS"]), int(row["FLOW_END_MILLISECONDS"]))


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        records = [r for r in json.load(f) if r.get("type") == "FLOW"]
    got = collections.Counter(from_nfdump(r) for r in records)
    want = collections.Counter()
    for path in sys.argv[2:]:
        with open(path, newline="") as f:
            want.update(from_csv(row) for row in csv.DictReader(f))
    if not want:
        print("compare_nfdump: no CSV rows: nothing was compared")
        return 1
    missing = want - got
    extra = got - want
    print(f"compare_nfdump: {sum(want.values())} CSV rows, {len(records)} collector records, "
          f"{sum(missing.values())} missing, {sum(extra.values())} unexpected")
    for t in list(missing)[:5]:
        print("  missing   ", t)
    for t in list(extra)[:5]:
        print("  unexpected", t)
    return 0 if not missing and not extra else 1


if __name__ == "__main__":
    sys.exit(main())
