#!/usr/bin/env python3
"""A flow worker that gets no packets builds no nDPI module (FlowWorker:
each module is ~35 ms of CPU and megabytes of automata).

Usage: idle_workers.py NETFLOW CAPTURE

CAPTURE has one flow, so with --threads 8 one worker counts and seven get
nothing. The peak RSS of that run must stay within MARGIN of the
--threads 1 run's. Measured: 25 MB with one thread; with eight 43 MB
(the idle workers' threads, rings and allocator arenas), and 76 MB when
every worker built its module at start (~5 MB each): the margin fails a
run that builds three modules too many.
"""
import os
import subprocess
import sys

MARGIN_KB = 30 * 1024


def peak_rss_kb(cmd):
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = proc.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        print(f"FAIL: {' '.join(cmd)} exited {code}: {err.strip()}")
        sys.exit(1)
    return usage.ru_maxrss


def main():
    netflow, capture = sys.argv[1], sys.argv[2]
    base = [netflow, "-f", capture, "-c", "/dev/null"]
    one = min(peak_rss_kb([*base, "--threads", "1"]) for _ in range(3))
    eight = min(peak_rss_kb([*base, "--threads", "8"]) for _ in range(3))
    verdict = "PASS" if eight <= one + MARGIN_KB else "FAIL"
    print(f"{verdict}: peak RSS with --threads 8 {eight // 1024} MB, --threads 1 "
          f"{one // 1024} MB (at most {MARGIN_KB // 1024} MB more: idle workers build no "
          f"nDPI module)")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
