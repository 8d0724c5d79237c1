#!/usr/bin/env bash
# What --labels with 100,000 rules costs a conversion.
#
#   tools/bench/labels_bench.sh BUILD_DIR     (run_bench.sh runs it; alone too)
#
# 1. Converts the benchmark capture (BUILD_DIR/bench/bench.pcap, which
#    run_bench.sh builds) once for its rows, and writes BENCH_LABEL_RULES
#    rules from them with tools/bench/gen_label_rules.py (seeded: mostly
#    exact conversations with time windows, half of them around flows of the
#    capture, attacker hosts, victim networks with port ranges, IPv6, a few
#    broad rules last).
# 2. Runs, pinned to one core, alternately, BENCH_RUNS times each:
#      netflow -f bench.pcap -c /dev/null
#      netflow -f bench.pcap -c /dev/null --labels rules.csv
#    and prints the median wall-clock seconds of each (reading and compiling
#    the rules included), the ratio, and PASS/FAIL for the target: the
#    rules slow the conversion by at most 10%. The median CPU seconds
#    (user + system) of each and their ratio too: on a busy machine they
#    move less than wall-clock time.
#
# Exit status: 0 when every run exited 0 (a missed target is a result, not
# an error), 1 when a run failed, 2 on a usage error or a missing capture.
#
# Environment:
#   NETFLOW=path           netflow binary (default BUILD_DIR/netflow)
#   PCAP=path              the capture (default BUILD_DIR/bench/bench.pcap)
#   BENCH_LABEL_RULES=N    rules (default 100000)
#   BENCH_RUNS=N           runs of each (default 5; the median counts)
#   BENCH_CPU=N            the core to pin to (default 1; 0 on one core)
set -uo pipefail

die() { echo "labels_bench: $*" >&2; exit 2; }

[[ $# -eq 1 ]] || die "usage: $0 BUILD_DIR"
BUILD_DIR=$(cd "$1" 2>/dev/null && pwd) || die "no build directory '$1'"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NETFLOW=${NETFLOW:-$BUILD_DIR/netflow}
PCAP=${PCAP:-$BUILD_DIR/bench/bench.pcap}
RULES=${BENCH_LABEL_RULES:-100000}
RUNS=${BENCH_RUNS:-5}
if [[ -z ${BENCH_CPU:-} ]]; then
    if [[ $(nproc) -gt 1 ]]; then BENCH_CPU=1; else BENCH_CPU=0; fi
fi
[[ $RULES =~ ^[1-9][0-9]*$ ]] || die "BENCH_LABEL_RULES must be a positive integer"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ -x $NETFLOW ]] || die "no netflow at $NETFLOW"
[[ -s $PCAP ]] || die "no capture $PCAP (tools/bench/run_bench.sh builds it; or set PCAP=path)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/labels_bench.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$WORK"' EXIT
PIN=(taskset -c "$BENCH_CPU")
"${PIN[@]}" true 2>/dev/null || PIN=()

fields="IPV4_SRC_ADDR,L4_SRC_PORT,IPV4_DST_ADDR,L4_DST_PORT,PROTOCOL,FLOW_START_MILLISECONDS,FLOW_END_MILLISECONDS"
if ! "$NETFLOW" -f "$PCAP" -c "$WORK/rows.csv" --fields "$fields" 2>"$WORK/rows.log"; then
    echo "ERROR: labels_bench: converting $PCAP failed: $(tail -n 1 "$WORK/rows.log")"
    exit 1
fi
python3 "$REPO/tools/bench/gen_label_rules.py" "$WORK/rows.csv" "$RULES" "$WORK/rules.csv" ||
    die "gen_label_rules.py failed"
cat "$PCAP" "$WORK/rules.csv" >/dev/null  # page cache

# One timed run; appends its wall-clock seconds to WORK/NAME.times and its
# CPU seconds (user + system) to WORK/NAME.cpu.
run_once() {
    local name=$1 TIMEFORMAT='%R %U %S'
    shift
    if ! { time "${PIN[@]}" "$NETFLOW" -f "$PCAP" -c /dev/null "$@" >/dev/null 2>"$WORK/$name.log"; } 2>"$WORK/$name.time"; then
        echo "ERROR: labels_bench: netflow $* failed: $(tail -n 1 "$WORK/$name.log")"
        return 1
    fi
    awk '{ printf "%.3f\n", $1 }' "$WORK/$name.time" >>"$WORK/$name.times"
    awk '{ printf "%.3f\n", $2 + $3 }' "$WORK/$name.time" >>"$WORK/$name.cpu"
}
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

echo "Labels: $RULES rules on $PCAP, $RUNS runs each, alternating, ${PIN[*]:-unpinned}"
for ((i = 1; i <= RUNS; i++)); do
    run_once none || exit 1
    run_once labels --labels "$WORK/rules.csv" || exit 1
done
none=$(median "$WORK/none.times")
labels=$(median "$WORK/labels.times")
ratio=$(awk -v a="$labels" -v b="$none" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')
printf '%-24s %s s (median; runs: %s)\n' "no rules" "$none" "$(tr '\n' ' ' <"$WORK/none.times")"
printf '%-24s %s s (median; runs: %s)\n' "--labels $RULES rules" "$labels" "$(tr '\n' ' ' <"$WORK/labels.times")"
# CPU time moves less than wall-clock time when other work shares the
# machine: shown to read a noisy verdict by, not the verdict.
none_cpu=$(median "$WORK/none.cpu")
labels_cpu=$(median "$WORK/labels.cpu")
printf '%-24s %s s / %s s CPU (medians: %sx)\n' "user+system" "$none_cpu" "$labels_cpu" \
    "$(awk -v a="$labels_cpu" -v b="$none_cpu" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')"
grep -m1 '^netflow: labels: ' "$WORK/labels.log" | cut -c1-200
if awk -v r="$ratio" 'BEGIN { exit !(r <= 1.10) }'; then verdict=PASS; else verdict=FAIL; fi
echo "$verdict: --labels with $RULES rules costs at most 10% of a conversion (${ratio}x)"
exit 0
