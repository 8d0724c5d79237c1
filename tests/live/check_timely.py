#!/usr/bin/env python3
"""Checks that live rows reached their reader while the sensor ran.

    check_timely.py ARRIVALS OFFLINE.csv TOLERANCE_MS STARTED_MS STOPPED_MS FORMAT

ARRIVALS: row_watcher.py's log of the live output ("time_ms<TAB>line");
FORMAT: csv (a header, then rows) or json (one object a line, -u).
STARTED_MS: when the sensor said it was capturing; STOPPED_MS: when it was
sent SIGINT, at least 4.5 s after the last packet. Checks:
  - csv: the header was visible within 1 s of the start;
  - every row was visible before SIGINT (SIGINT added nothing) and within
    4 s of its flow's last packet (FLOW_END_MILLISECONDS);
  - the UDP flow (port 9999, a datagram every 1.1 s, --active-timeout 3)
    left in at least 3 rows, about 3.3 s apart (2 to 5 s: a sweep a second);
  - HTTP, ICMP and UDP flows are there, and the rows equal the offline
    rows of the recording in every column (compare_rows.py; time columns
    within TOLERANCE_MS).
"""
import csv
import io
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_rows import compare, finish  # noqa: E402

MAX_DELAY_MS = 4000


def load(path, fmt):
    seen = []
    for entry in open(path):
        t, _, line = entry.rstrip("\n").partition("\t")
        seen.append((int(t), line.rstrip("\r")))
    header_at, rows = None, []
    if fmt == "csv":
        if not seen:
            sys.exit("FAIL: nothing was visible, not even the header")
        header_at, header = seen[0]
        names = next(csv.reader(io.StringIO(header)))
        for t, line in seen[1:]:
            rows.append((t, dict(zip(names, next(csv.reader(io.StringIO(line)))))))
    else:
        for t, line in seen:
            obj = json.loads(line, parse_float=str, parse_int=str)
            rows.append((t, {k: str(v) for k, v in obj.items()}))
    return header_at, rows


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    arrivals, offline_csv, tolerance = sys.argv[1], sys.argv[2], int(sys.argv[3])
    started, stopped, fmt = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    header_at, rows = load(arrivals, fmt)
    problems = []
    if fmt == "csv" and header_at - started > 1000:
        problems.append(f"the header became visible {header_at - started} ms after the start")
    for t, r in rows:
        flow = (r["PROTOCOL"], r["IPV4_SRC_ADDR"], r["L4_SRC_PORT"], r["IPV4_DST_ADDR"],
                r["L4_DST_PORT"])
        if t >= stopped:
            problems.append(f"{flow} became visible only at SIGINT")
        delay = t - int(r["FLOW_END_MILLISECONDS"])
        print(f"  {flow} {r.get('L7_PROTO_NAME', '')}: visible {delay} ms after its last packet")
        if delay > MAX_DELAY_MS:
            problems.append(f"{flow} became visible {delay} ms after its last packet")
    udp = [t for t, r in rows if r["PROTOCOL"] == "17" and r["L4_DST_PORT"] == "9999"]
    gaps = [b - a for a, b in zip(udp, udp[1:])]
    print(f"  UDP rows every {gaps} ms")
    if len(udp) < 3 or any(g < 2000 or g > 5000 for g in gaps):
        problems.append(f"the active-timeout flow gave {len(udp)} rows, {gaps} ms apart")
    names = {r.get("L7_PROTO_NAME", "") for _, r in rows}
    protos = {r["PROTOCOL"] for _, r in rows}
    if not any("HTTP" in n for n in names) or not {"1", "6", "17"} <= protos:
        problems.append(f"expected HTTP, ICMP and UDP flows, got {sorted(names)} {sorted(protos)}")
    offline = list(csv.DictReader(open(offline_csv, newline="")))
    problems += compare([r for _, r in rows], offline, tolerance)
    finish(problems, f"{len(rows)} live rows, {len(offline)} offline rows")


if __name__ == "__main__":
    main()
