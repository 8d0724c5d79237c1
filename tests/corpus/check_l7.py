#!/usr/bin/env python3
"""L7 agreement with ndpiReader: netflow's L7_PROTO_NAME against the
protocol the installed ndpiReader (the same nDPI library) prints for the same
flow, over every capture of the nDPI corpus.

Usage: check_l7.py NETFLOW [CORPUS] [--min 99.9] [--jobs N] [--threads N]
                   [--ndpireader PATH] [-v]

Flows are keyed as in check_corpus.py (IP protocol and the unordered pair of
endpoints); only keys with exactly one flow on each side and the same
per-direction packet counts are compared (where the tools split or count a
conversation differently, the L7 of a different set of packets is not a
disagreement of classification). A flow agrees when netflow's name equals
ndpiReader's (`[proto: 91.212/TLS.Microsoft]` -> TLS.Microsoft).

ndpiReader keeps nDPI's cross-flow caches (a host that spoke MS Teams makes
its later STUN flows Teams, ...); netflow turns them off for capture files
so that its rows do not depend on --threads (docs/threads.md). The flows
that differ are printed with -v. Exit 0 when the agreement is at least
--min percent of the compared flows; 1 otherwise, or when a tool fails or
the corpus is missing (not a skip).
"""
import argparse
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_corpus as cc  # noqa: E402

FIELDS = cc.FIELDS
L7_NAME = re.compile(r"\[proto: (?:[A-Za-z0-9_]+:)?[0-9.]+/([^\]]*)\]")


def ndpi_flows(ndpireader, pcap):
    p = subprocess.run([ndpireader, "-q", "-v", "2", "-i", pcap], stdout=subprocess.PIPE,
                       stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(f"ndpiReader exited {p.returncode} on {pcap}")
    flows = []
    for line in p.stdout.decode("utf-8", "surrogateescape").splitlines():
        m = cc.FLOW_LINE.match(line)
        if not m:
            continue
        pk = cc.PKTS.search(line, m.end())
        name = L7_NAME.search(line)
        tok = m.group("proto")
        try:
            proto = cc.PROTO_NAMES.get(tok.upper())
            if proto is None:
                proto = int(tok)
            a, b = cc.endpoint(m.group("a")), cc.endpoint(m.group("b"))
        except ValueError:
            continue
        if not pk or not name:
            continue
        flows.append({"proto": proto, "a": a, "b": b, "n_ab": int(pk.group(1)),
                      "n_ba": int(pk.group(2)), "l7": name.group(1), "text": line[:160]})
    return flows


def netflow_flows(netflow, pcap, threads):
    cmd = [netflow, "-f", pcap, "-c", "-", "--filter", "", "--fields", FIELDS]
    if threads:
        cmd += ["--threads", str(threads)]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                       stdin=subprocess.DEVNULL, timeout=600)
    if p.returncode not in (0, 1):
        raise RuntimeError(f"netflow exited {p.returncode} on {pcap}")
    return cc.parse_ours(p.stdout.decode("utf-8", "replace"))


def one_file(args, name):
    pcap = os.path.join(args.corpus, "pcap", name)
    ref, ours = ndpi_flows(args.ndpireader, pcap), netflow_flows(args.netflow, pcap, args.threads)
    cc.resolve_ambiguous(ref, ours)
    ref_g, our_g = cc.group(ref), cc.group(ours)
    compared, differ = 0, []
    for key, g in ref_g.items():
        o = our_g.get(key)
        if o is None or len(g["rows"]) != 1 or len(o["rows"]) != 1 or g["n"] != o["n"]:
            continue
        compared += 1
        if g["rows"][0]["l7"] != o["rows"][0]["l7"]:
            differ.append(f"{name}: {cc.key_text(key)}: ndpiReader {g['rows'][0]['l7']}, "
                          f"netflow {o['rows'][0]['l7']}")
    return compared, differ


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("netflow")
    ap.add_argument("corpus", nargs="?", default=cc.DEFAULT_CORPUS)
    ap.add_argument("--min", type=float, default=99.9, help="percent (default %(default)s)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--threads", type=int, help="netflow --threads (default: netflow's)")
    ap.add_argument("--ndpireader", default=shutil.which("ndpiReader") or "ndpiReader")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    pcaps = os.path.join(args.corpus, "pcap")
    if not os.path.isdir(pcaps):
        print(f"FAIL: corpus not found: {pcaps}")
        return 1
    if not os.access(args.ndpireader, os.X_OK):
        print(f"FAIL: ndpiReader not found ({args.ndpireader}; make deps installs libndpi-bin)")
        return 1
    names = sorted(os.listdir(pcaps))
    try:
        with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as ex:
            results = list(ex.map(lambda n: one_file(args, n), names))
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        print(f"FAIL: {e}")
        return 1
    compared = sum(c for c, _ in results)
    differ = [d for _, ds in results for d in ds]
    if args.verbose:
        for d in differ:
            print(d)
    pct = 100.0 * (compared - len(differ)) / compared if compared else 0.0
    ok = compared > 0 and pct >= args.min
    print(f"{'PASS' if ok else 'FAIL'}: L7 agrees with ndpiReader for {compared - len(differ)} "
          f"of {compared} flows ({pct:.2f}%, minimum {args.min}%) over {len(names)} captures; "
          f"{len(differ)} differ")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
