#!/usr/bin/env python3
"""Compares the flows a server received (or a spool holds) with CSV rows.

    check_flows.py --received FILE --csv A.csv [--csv B.csv ...]

FILE: one JSON document a line, each a flow object or an array of them (the
server's log of request bodies, or a spool). Passes when the received flows
and the rows of the CSVs are the same multiset: every row arrived exactly
once, nothing else arrived. Values are compared as text (a JSON number's
digits against the CSV field), and their JSON types are checked: addresses,
L7_PROTO and the other text columns are strings, every other column a
number. Key order must be the CSV's column order.
"""
import argparse
import collections
import csv
import json
import sys

TEXT = {"IPV4_SRC_ADDR", "IPV4_DST_ADDR", "L7_PROTO", "L7_PROTO_NAME", "SERVER_NAME",
        "Attack", "Src IP", "Dst IP"}


class Num(str):
    """A JSON number, kept as its text."""


def parse(line):
    return json.loads(line, parse_int=Num, parse_float=Num, object_pairs_hook=list)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--received", required=True)
    ap.add_argument("--csv", action="append", required=True)
    args = ap.parse_args()

    expected = collections.Counter()
    header = None
    for path in args.csv:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        if header is None:
            header = rows[0]
        elif rows[0] != header:
            sys.exit(f"check_flows: {path} has other columns than {args.csv[0]}")
        for r in rows[1:]:
            expected[tuple(r)] += 1

    got = collections.Counter()
    problems = []
    with open(args.received, newline="") as f:
        for no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                doc = parse(line)
            except ValueError as e:
                problems.append(f"line {no}: not JSON: {e}")
                continue
            # object_pairs_hook=list: an object is a list of (key, value).
            flows = doc if line.lstrip().startswith("[") else [doc]
            for flow in flows:
                keys = [k for k, _ in flow]
                if keys != header:
                    problems.append(f"line {no}: keys {keys} != CSV columns {header}")
                    continue
                for k, v in flow:
                    want_text = k in TEXT
                    if want_text and (isinstance(v, Num) or not isinstance(v, str)):
                        problems.append(f"line {no}: {k} is not a JSON string: {v!r}")
                    if not want_text and not isinstance(v, Num):
                        problems.append(f"line {no}: {k} is not a JSON number: {v!r}")
                got[tuple(str(v) for _, v in flow)] += 1

    missing = expected - got
    extra = got - expected
    for row, n in missing.items():
        problems.append(f"missing {n}x: {dict(zip(header, row))}")
    for row, n in extra.items():
        problems.append(f"unexpected or duplicated {n}x: {dict(zip(header, row))}")
    if problems:
        print("\n".join(problems[:20]))
        print(f"check_flows: {sum(expected.values())} rows expected, "
              f"{sum(got.values())} flows received: {len(problems)} problems")
        return 1
    print(f"check_flows: {sum(got.values())} flows, each exactly once, values equal to the CSV")
    return 0


if __name__ == "__main__":
    sys.exit(main())
