#!/usr/bin/env python3
"""Checks what kcat consumed from a topic that netflow exported to.

    check_kafka.py --consumed FILE [--values-out FILE] [--expect N]
                   [--min-partitions P]

FILE: kcat -C -f '%p\\t%k\\t%s\\n' output: partition, key, value (one flow's
JSON object) per message. Passes when:
  - every value is a JSON object and every key is the flow's canonical
    5-tuple made from the value's own columns (kafka/FlowMessageKey.h):
    PROTO,LO_ADDR,LO_PORT,HI_ADDR,HI_PORT, LO the endpoint whose address
    bytes (IPv4 in the first 4 of 16) are lower, then by port;
  - all the messages of one key are in one partition;
  - there are N messages (--expect) and they use at least P partitions.
--values-out writes the values as JSON lines, for check_flows.py to compare
with the CSV (every flow exactly once, every field equal).
"""
import argparse
import collections
import ipaddress
import json
import sys

FIVE = ("PROTOCOL", "IPV4_SRC_ADDR", "L4_SRC_PORT", "IPV4_DST_ADDR", "L4_DST_PORT")


def address_bytes(text):
    packed = ipaddress.ip_address(text).packed
    return packed + bytes(16 - len(packed))


def canonical_key(flow):
    proto, a, pa, b, pb = (flow[name] for name in FIVE)
    if (address_bytes(a), pa) <= (address_bytes(b), pb):
        lo, hi = (a, pa), (b, pb)
    else:
        lo, hi = (b, pb), (a, pa)
    return f"{proto},{lo[0]},{lo[1]},{hi[0]},{hi[1]}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--consumed", required=True)
    ap.add_argument("--values-out")
    ap.add_argument("--expect", type=int)
    ap.add_argument("--min-partitions", type=int, default=1)
    args = ap.parse_args()

    problems = []
    values = []
    partitions_of = collections.defaultdict(set)
    with open(args.consumed, newline="") as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            parts = line.split("\t", 2)
            if len(parts) != 3:
                problems.append(f"line {no}: not partition, key, value: {line[:120]!r}")
                continue
            partition, key, value = parts
            try:
                flow = json.loads(value)
            except ValueError as e:
                problems.append(f"line {no}: value is not JSON: {e}")
                continue
            if not isinstance(flow, dict):
                problems.append(f"line {no}: value is not a JSON object")
                continue
            values.append(value)
            try:
                want = canonical_key(flow)
            except (KeyError, ValueError) as e:
                problems.append(f"line {no}: no 5-tuple in the value ({e})")
                continue
            if key != want:
                problems.append(f"line {no}: key {key!r}, want {want!r}")
            partitions_of[key].add(int(partition))

    split = {k: p for k, p in partitions_of.items() if len(p) > 1}
    for key, parts in list(split.items())[:10]:
        problems.append(f"key {key!r} is in partitions {sorted(parts)}")
    used = set().union(*partitions_of.values()) if partitions_of else set()
    if args.expect is not None and len(values) != args.expect:
        problems.append(f"{len(values)} messages, want {args.expect}")
    if len(used) < args.min_partitions:
        problems.append(f"messages in {len(used)} partitions, want at least {args.min_partitions}")
    if args.values_out:
        with open(args.values_out, "w") as out:
            for v in values:
                out.write(v + "\n")
    for p in problems[:30]:
        print(p)
    if problems:
        print(f"check_kafka: {len(problems)} problems in {args.consumed}")
        return 1
    print(f"check_kafka: {len(values)} messages, {len(partitions_of)} keys, "
          f"{len(used)} partitions: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
