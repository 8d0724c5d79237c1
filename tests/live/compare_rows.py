#!/usr/bin/env python3
"""Live rows against the offline rows of a recording of the same traffic.

    compare_rows.py LIVE.csv OFFLINE.csv TOLERANCE_MS

Both files are netflow CSV output with the same columns. Rows are paired by
flow (protocol, addresses, ports), the nearest start time first. Every
column must be equal, except the time columns, which may differ by at most
TOLERANCE_MS, and the rates derived from the duration, which are only
compared when the tolerance is 0. Prints up to 30 differences and a count;
exits 1 when there is any.
"""
import csv
import sys

TIME = {"FLOW_DURATION_MILLISECONDS", "DURATION_IN", "DURATION_OUT", "FLOW_START_MILLISECONDS",
        "FLOW_END_MILLISECONDS"} | {f"{d}_IAT_{s}" for d in ("SRC_TO_DST", "DST_TO_SRC")
                                     for s in ("MIN", "MAX", "AVG", "STDDEV")}
RATES = {"SRC_TO_DST_SECOND_BYTES", "DST_TO_SRC_SECOND_BYTES", "SRC_TO_DST_AVG_THROUGHPUT",
         "DST_TO_SRC_AVG_THROUGHPUT"}  # derived from the duration


def key(r):
    return (r["PROTOCOL"], r["IPV4_SRC_ADDR"], r["L4_SRC_PORT"], r["IPV4_DST_ADDR"],
            r["L4_DST_PORT"], r["FLOW_START_MILLISECONDS"][:-3])


def compare(live, offline, tolerance):
    problems = []
    if len(live) != len(offline):
        problems.append(f"{len(live)} live rows, {len(offline)} offline rows")
    by_key = {}
    for r in offline:
        by_key.setdefault(key(r)[:5], []).append(r)
    for r in live:
        candidates = by_key.get(key(r)[:5], [])
        if not candidates:
            problems.append(f"live flow {key(r)[:5]} not in the recording")
            continue
        o = min(candidates, key=lambda c: abs(int(c["FLOW_START_MILLISECONDS"]) -
                                              int(r["FLOW_START_MILLISECONDS"])))
        candidates.remove(o)
        for col, want in o.items():
            got = r[col]
            if col in TIME:
                if abs(int(got) - int(want)) > tolerance:
                    problems.append(f"{key(r)[:5]} {col}: live {got}, offline {want}")
            elif col in RATES:
                if tolerance == 0 and got != want:
                    problems.append(f"{key(r)[:5]} {col}: live {got}, offline {want}")
            elif got != want:
                problems.append(f"{key(r)[:5]} {col}: live {got}, offline {want}")
    return problems


def finish(problems, summary):
    """Prints up to 30 problems and the summary line; exits 1 if any."""
    for p in problems[:30]:
        print("  " + p)
    print(f"{summary}, {len(problems)} differences")
    sys.exit(1 if problems else 0)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    live = list(csv.DictReader(open(sys.argv[1], newline="")))
    offline = list(csv.DictReader(open(sys.argv[2], newline="")))
    finish(compare(live, offline, int(sys.argv[3])),
           f"live {len(live)} rows, offline {len(offline)} rows")


if __name__ == "__main__":
    main()
