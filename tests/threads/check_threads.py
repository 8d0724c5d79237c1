#!/usr/bin/env python3
"""--threads N gives the rows of --threads 1, byte for byte, in the same order
(docs/threads.md).

Usage: check_threads.py NETFLOW REPO GEN_SYNTHETIC_FLOWS WORKDIR
                        [--corpus DIR [--corpus-every N]] [--threads 2,3,8] [--jobs N]

Every conversion runs with --threads 1 and with each other count; the
outputs (and exit codes) must be identical:
* the golden captures (tests/golden) with --version 1, 2, 3 and with every
  column plus L7_PROTO_NAME, SERVER_NAME, Label, Attack;
* the same with --labels (tests/labels/cic_rules_sample.csv) and
  --anonymize;
* a synthetic capture of 30,000 TCP flows in waves that time out (the
  merge of timed-out flows across workers) and one with idle timeouts of
  1 s and TCP ends (restarts and end lingers) from the golden captures
  replayed with --idle-timeout/--active-timeout;
* with --corpus DIR: every capture of the nDPI corpus (DIR/pcap), every
  column, --filter '' (every packet), with the default timeouts and with
  1 s idle / 10 s active (expiries mid-capture: ordering by export event
  rather than start alone is needed there, e.g. teams.pcap, bittorrent.pcap).
  --corpus-every N takes every N-th capture by name (the sanitizer build:
  there a conversion costs ~0.5 s of start-up, and the whole corpus with 2
  and 8 workers took 14 of CI's minutes; every capture already goes through
  that build once in corpus_agreement).
A missing corpus directory, when given, is a failure, not a skip.
"""
import argparse
import concurrent.futures
import os
import subprocess
import sys


def run(netflow, args, out):
    proc = subprocess.run([netflow, *args, "-c", out], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, timeout=600)
    return proc.returncode, proc.stderr.decode(errors="replace")


def compare(netflow, name, args, work, counts):
    """Returns a list of failure lines for one conversion."""
    safe = name.replace("/", "_")
    base = os.path.join(work, f"{safe}.t1.csv")
    rc1, err1 = run(netflow, [*args, "--threads", "1"], base)
    if rc1 not in (0, 1):
        return [f"{name}: --threads 1 exited {rc1}: {err1.strip()}"]
    want = open(base, "rb").read() if os.path.exists(base) else b""
    failures = []
    for n in counts:
        out = os.path.join(work, f"{safe}.t{n}.csv")
        rc, err = run(netflow, [*args, "--threads", str(n)], out)
        got = open(out, "rb").read() if os.path.exists(out) else b""
        if rc != rc1:
            failures.append(f"{name}: --threads {n} exited {rc}, --threads 1 {rc1}: {err.strip()}")
        elif got != want:
            a, b = want.splitlines(), got.splitlines()
            first = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]),
                         min(len(a), len(b)))
            failures.append(f"{name}: --threads {n}: {len(b)} lines, --threads 1 {len(a)}; "
                            f"first difference at line {first + 1}")
        else:
            os.remove(out)
    if not failures:
        os.remove(base)
    return failures


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("netflow")
    ap.add_argument("repo")
    ap.add_argument("gen")
    ap.add_argument("work")
    ap.add_argument("--corpus")
    ap.add_argument("--corpus-every", type=int, default=1)
    ap.add_argument("--threads", default="2,3,8")
    ap.add_argument("--jobs", type=int, default=2)
    o = ap.parse_args()
    counts = [int(n) for n in o.threads.split(",")]
    os.makedirs(o.work, exist_ok=True)
    golden = os.path.join(o.repo, "tests", "golden")
    rules = os.path.join(o.repo, "tests", "labels", "cic_rules_sample.csv")

    header = subprocess.run([o.netflow, "-f", os.path.join(golden, "dns.pcap"), "-c", "-",
                             "--version", "3", "--no-label"], capture_output=True,
                            check=True).stdout.decode().splitlines()[0].strip()
    every = header + ",L7_PROTO_NAME,SERVER_NAME,Label,Attack"

    jobs = []  # (name, args)
    for cap in ("http", "dns", "ftp", "ping", "http6"):
        f = ["-f", os.path.join(golden, cap + ".pcap"), "--filter", "ip or ip6"]
        for v in ("1", "2", "3"):
            jobs.append((f"golden {cap} --version {v}", [*f, "--version", v]))
        jobs.append((f"golden {cap} every column", [*f, "--fields", every]))
        jobs.append((f"golden {cap} --labels --anonymize",
                     [*f, "--fields", every, "--labels", rules, "--labels-tz", "-03:00",
                      "--anonymize", "threads-test-passphrase"]))
        jobs.append((f"golden {cap} short timeouts",
                     [*f, "--fields", every, "--idle-timeout", "0.5", "--active-timeout", "2"]))

    synth = os.path.join(o.work, "synthetic.pcap")
    subprocess.run([o.gen, synth, "30000", "4000"], check=True, stdout=subprocess.DEVNULL)
    jobs.append(("synthetic waves", ["-f", synth, "--fields", every]))
    jobs.append(("synthetic waves, 1 s idle",
                 ["-f", synth, "--version", "3", "--idle-timeout", "1"]))

    if o.corpus:
        pcaps = os.path.join(o.corpus, "pcap")
        if not os.path.isdir(pcaps):
            print(f"FAIL: no corpus at {pcaps}")
            return 1
        for name in sorted(os.listdir(pcaps))[::o.corpus_every]:
            f = ["-f", os.path.join(pcaps, name), "--filter", "", "--fields", every]
            jobs.append((f"corpus {name}", f))
            # Short timeouts: many flows expire mid-capture, at events the
            # workers see at different packets (the merge order matters).
            jobs.append((f"corpus {name} 1 s idle", [*f, "--idle-timeout", "1",
                                                     "--active-timeout", "10"]))

    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=o.jobs) as pool:
        for result in pool.map(lambda j: compare(o.netflow, j[0], j[1], o.work, counts), jobs):
            failures.extend(result)
    for line in failures:
        print("FAIL: " + line)
    print(f"{len(jobs)} conversions x --threads 1,{o.threads}: "
          f"{'all identical' if not failures else f'{len(failures)} differ'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
