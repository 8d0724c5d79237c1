#!/usr/bin/env python3
"""The soak's verdicts (tools/bench/soak.sh).

    soak_check.py ROWS.csv SENT.json SAMPLES.tsv SENSOR.log WARMUP_S CLIENT_IP SERVER_IP

SAMPLES.tsv: seconds since start, RSS in KiB, entries in the kernel flow map.
Prints the numbers and PASS/FAIL lines; exits 1 on any FAIL.
  - every flow the generator made is exported exactly once (a long flow
    once per active timeout), with every datagram it sent counted;
  - 0 unaccounted packets: the summary's packets = IN_PKTS + OUT_PKTS over
    all rows + the packets it reports as not counted; nothing dropped;
  - RSS and the flow map's occupancy flat after the warm-up.
"""
import csv
import json
import re
import statistics
import sys

rows_path, sent_path, samples_path, log_path, warmup, cli_ip, srv_ip = sys.argv[1:8]
warmup = float(warmup)
failed = False


def verdict(ok, what):
    global failed
    failed |= not ok
    print(("PASS " if ok else "FAIL ") + what)


rows = list(csv.DictReader(open(rows_path)))
sent = json.load(open(sent_path))["flows"]
by_tuple = {}
for r in rows:
    if r["PROTOCOL"] != "17" or r["IPV4_SRC_ADDR"] != cli_ip or r["IPV4_DST_ADDR"] != srv_ip:
        continue
    by_tuple.setdefault((int(r["L4_SRC_PORT"]), int(r["L4_DST_PORT"])), []).append(r)

short_dport = min(f[1] for f in sent)
missing = dup = wrong = 0
long_rows = 0
for sport, dport, count in sent:
    got = by_tuple.pop((sport, dport), [])
    if not got:
        missing += 1
        continue
    pkts = sum(int(r["IN_PKTS"]) for r in got)
    if pkts != count or any(int(r["OUT_PKTS"]) for r in got):
        wrong += 1
    if dport == short_dport and len(got) != 1:
        dup += 1
    if dport != short_dport:
        long_rows += len(got)
print(f"flows generated: {len(sent)}, rows: {len(rows)}, long-flow rows: {long_rows}")
verdict(missing == 0, f"every generated flow exported ({missing} missing)")
verdict(dup == 0, f"every short flow exported once ({dup} exported more than once)")
verdict(wrong == 0, f"every datagram sent counted on its flow ({wrong} flows off)")
verdict(not by_tuple, f"no row for a flow never generated ({len(by_tuple)})")

log = open(log_path).read()
m = re.search(r"netflow: (\d+) packets, (\d+) flows", log)
verdict(m is not None, "the sensor's summary line is there")
if m:
    read, flows = int(m.group(1)), int(m.group(2))
    not_counted = sum(int(n) for n in re.findall(
        r"(\d+) (?:filtered out|not IP|IP header truncated|malformed IP header|after --max-flows)",
        log.split("not counted:")[-1].splitlines()[0] if "not counted:" in log else ""))
    in_rows = sum(int(r["IN_PKTS"]) + int(r["OUT_PKTS"]) for r in rows)
    print(f"packets: {read} seen, {in_rows} in rows, {not_counted} not counted")
    verdict(read == in_rows + not_counted,
            f"0 unaccounted packets ({read - in_rows - not_counted})")
    verdict(flows == len(rows), f"the summary's flows ({flows}) = rows written ({len(rows)})")
    verdict("dropped" not in log and " lost" not in log, "nothing dropped or lost")

samples = []
for line in open(samples_path):
    t, rss, entries = line.split()
    samples.append((float(t), int(rss), int(entries)))
after = [s for s in samples if s[0] >= warmup]
if len(after) < 4:
    verdict(False, f"too few samples after the warm-up ({len(after)})")
    sys.exit(1)
rss = [s[1] for s in after]
entries = [s[2] for s in after]
half = len(after) // 2
print(f"RSS after warm-up: {min(rss)}..{max(rss)} KiB; flow map: {min(entries)}..{max(entries)}"
      f" entries, median {statistics.median(entries)}")
# Flat: the second half's peak no higher than the first half's plus a
# little (allocator noise), and the map's occupancy not trending up.
rss_growth = max(rss[half:]) - max(rss[:half])
verdict(rss_growth <= max(2048, max(rss[:half]) // 50),
        f"RSS flat after warm-up (second half's peak {rss_growth:+d} KiB on the first half's)")
first, second = statistics.mean(entries[:half]), statistics.mean(entries[half:])
verdict(second <= first * 1.25 + 10 and max(entries) <= 2 * statistics.median(entries) + 10,
        f"flow map occupancy flat after warm-up (mean {first:.0f} then {second:.0f})")
sys.exit(1 if failed else 0)
