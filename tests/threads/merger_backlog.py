#!/usr/bin/env python3
"""The merger holds a bounded backlog (docs/threads.md, "The merger's
backlog"): when the workers export faster than it writes, they wait on
their rings with their flows in their tables, instead of the merger taking
every flow as it comes.

Usage: merger_backlog.py NETFLOW REPO WORKDIR

A capture of 30,000 DNS flows all open at its end (the end's flush, every
flow at once, from every worker) with --threads 2, 3 and 8 and -v: the
merger's "held at most N flows" must stay within LIMIT (its threshold,
1,024, plus a batch of 128 from each worker, and slack), the rows must be
every flow once, and equal to --threads 1's (1,279 / 1,413 / 1,854 held
with 2 / 3 / 8 threads here). Before the bound the merger held
~30,000 (every flow) and peak RSS per flow was 3x one thread's.
"""
import os
import re
import subprocess
import sys

FLOWS = 30000
LIMIT = 2560


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: merger_backlog.py NETFLOW REPO WORKDIR")
    netflow, repo, work = sys.argv[1:]
    os.makedirs(work, exist_ok=True)
    pcap = os.path.join(work, "dns.pcap")
    subprocess.run([sys.executable, os.path.join(repo, "tools/bench/gen_flows_pcap.py"), "dns",
                    str(FLOWS), pcap], check=True)
    want = None
    failures = []
    for n in (1, 2, 3, 8):
        out = os.path.join(work, f"t{n}.csv")
        proc = subprocess.run([netflow, "-f", pcap, "-c", out, "--threads", str(n), "-v"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=300)
        err = proc.stderr.decode(errors="replace")
        if proc.returncode != 0:
            failures.append(f"--threads {n} exited {proc.returncode}: {err.strip()}")
            continue
        rows = open(out, "rb").read()
        if n == 1:
            want = rows
            got = rows.count(b"\n") - 1  # the header
            if got != FLOWS:
                failures.append(f"--threads 1: {got} rows, {FLOWS} flows")
            continue
        if rows != want:
            failures.append(f"--threads {n}: rows differ from --threads 1's")
        m = re.search(r"held at most (\d+) flows", err)
        if not m:
            failures.append(f"--threads {n}: no 'held at most' in -v's output: {err.strip()}")
            continue
        held = int(m.group(1))
        print(f"--threads {n}: the merger held at most {held} flows of {FLOWS}")
        if held > LIMIT:
            failures.append(f"--threads {n}: the merger held {held} flows (at most {LIMIT})")
    for f in failures:
        print("FAIL: " + f)
    if failures:
        sys.exit(1)
    print("PASS: the merger's backlog stays bounded")


if __name__ == "__main__":
    main()
