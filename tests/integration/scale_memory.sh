#!/usr/bin/env bash
# Memory is bounded by the flows open at once, not by the flows seen:
#  1. a million concurrent flows (each with a payload packet, so nDPI holds
#     state for every one) convert within a fixed budget per flow;
#  2. flows in waves of 50,000 that expire between waves: 2,000,000 flows
#     take the same peak memory as 200,000 (no per-flow leak, nDPI state
#     freed), and every flow is written.
# One flow worker (--threads 1): with two (the default on two cores) the
# waves take 126 MiB at 200,000 flows and 165 MiB from 1,000,000 on
# against a flat ~79 MiB on one: this capture's waves are three host pairs
# each, so a wave is one worker's, and each worker's table and the merger
# come to hold a whole wave (50,000 flows) once both workers have had one:
# a plateau, not a leak (docs/threads.md, "The merger's backlog").
#   scale_memory.sh NETFLOW GEN_SYNTHETIC_FLOWS WORKDIR
set -uo pipefail
netflow=$1
gen=$2
work=$3/scale
mkdir -p "$work"
trap 'rm -f "$work"/*.pcap "$work"/*.csv' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# peak_kib NAME FLOWS CONCURRENT: converts and prints the peak RSS in KiB.
peak_kib() {
    local name=$1 flows=$2 concurrent=$3
    "$gen" "$work/$name.pcap" "$flows" "$concurrent" 2>/dev/null || { fail "generator"; echo 0; return; }
    /usr/bin/time -f '%M' -o "$work/$name.rss" "$netflow" -f "$work/$name.pcap" -c "$work/$name.csv" \
        --threads 1 2>/dev/null ||
        fail "$name: netflow exited non-zero"
    local rows=$(($(wc -l <"$work/$name.csv") - 1))
    [ "$rows" = "$flows" ] || fail "$name: $rows rows written, expected $flows"
    rm -f "$work/$name.pcap" "$work/$name.csv"
    tail -1 "$work/$name.rss"
}

million=$(peak_kib million 1000000 1000000)
per_flow=$((million * 1024 / 1000000))
echo "1,000,000 concurrent flows with nDPI state: peak RSS $((million / 1024)) MiB, $per_flow bytes per flow"
# Flow record (352 B) + hash slots + nDPI's flow struct (688 B) + malloc overhead.
[ "$per_flow" -le 1400 ] || fail "1M concurrent flows take $per_flow bytes per flow (budget 1400)"

small=$(peak_kib waves_small 200000 50000)
large=$(peak_kib waves_large 2000000 50000)
echo "waves of 50,000 flows: 200,000 flows peak $((small / 1024)) MiB, 2,000,000 flows peak $((large / 1024)) MiB"
# Ten times the flows, the same open at once: at most 10% more memory.
[ "$large" -le $((small * 110 / 100)) ] || fail "memory grows with total flows: $small KiB -> $large KiB"

[ "$failures" -eq 0 ] || exit 1
echo "scale: memory bounded by concurrent flows"
