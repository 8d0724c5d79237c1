#!/usr/bin/env python3
"""Compares netflow's CSV rows with what pmacct's nfacctd decoded (print
plugin, JSON lines; the aggregation and primitives export_nfacctd.sh sets).

  compare_nfacctd.py NFACCTD_JSONL CSV...

nfacctd aggregates: its record is one key (endpoints, ports, protocol, TCP
flags, first/last time in ms, OUT_PKTS/OUT_BYTES and L7_PROTO through custom
primitives) with the packets and bytes (IN_PKTS/IN_BYTES, the only counters
it reads itself) summed over the flows of that key. The CSV rows are grouped
by the same key and summed the same way, then both sides compared as sets:
every key with the same packets and bytes, nothing missing, nothing more.
Exit 0 when equal, 1 with the differences otherwise.
"""
import collections
import csv
import datetime
import ipaddress
import json
import sys

PROTOS = {"tcp": 6, "udp": 17, "icmp": 1, "ipv6-icmp": 58, "icmp6": 58}


def ms(text):
    t = datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S.%f")
    return int(t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000 + 0.5)


def addr(text):
    return str(ipaddress.ip_address(text))


def proto_number(text):
    text = str(text)
    return int(text) if text.isdigit() else PROTOS[text.lower()]


def from_nfacctd(r):
    key = (addr(r["ip_src"]), int(r["port_src"]), addr(r["ip_dst"]), int(r["port_dst"]),
           proto_number(r["ip_proto"]), int(r["tcp_flags"]), ms(r["timestamp_start"]),
           ms(r["timestamp_end"]), int(r["out_packets"]), int(r["out_bytes"]),
           int(r["l7_proto"]))
    return key, (int(r["packets"]), int(r["bytes"]))


def l7_id(text):
    master, _, app = text.partition(".")
    return int(app) if app and int(app) else int(master)


def from_csv(row):
    key = (addr(row["IPV4_SRC_ADDR"]), int(row["L4_SRC_PORT"]), addr(row["IPV4_DST_ADDR"]),
           int(row["L4_DST_PORT"]), int(row["PROTOCOL"]), int(row["TCP_FLAGS"]),
           int(row["FLOW_START_MILLISECONDS"]), int(row["FLOW_END_MILLISECONDS"]),
           int(row["OUT_PKTS"]), int(row["OUT_BYTES"]), l7_id(row["L7_PROTO"]))
    return key, (int(row["IN_PKTS"]), int(row["IN_BYTES"]))


def add(table, item):
    key, (packets, octets) = item
    p, b = table.get(key, (0, 0))
    table[key] = (p + packets, b + octets)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    got, want = {}, {}
    records = rows = 0
    with open(sys.argv[1]) as f:
        for line in f:
            if line.strip():
                add(got, from_nfacctd(json.loads(line)))
                records += 1
    for path in sys.argv[2:]:
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                add(want, from_csv(row))
                rows += 1
    if not want:
        print("compare_nfacctd: no CSV rows: nothing was compared")
        return 1
    missing = {k: v for k, v in want.items() if got.get(k) != v}
    extra = {k: v for k, v in got.items() if want.get(k) != v}
    print(f"compare_nfacctd: {rows} CSV rows ({len(want)} keys), {records} nfacctd records "
          f"({len(got)} keys), {len(missing)} keys missing or different, "
          f"{len(extra)} unexpected")
    for k in list(missing)[:5]:
        print("  csv     ", k, want[k], "nfacctd:", got.get(k))
    for k in list(extra)[:5]:
        print("  nfacctd ", k, got[k])
    return 0 if not missing and not extra else 1


if __name__ == "__main__":
    sys.exit(main())
