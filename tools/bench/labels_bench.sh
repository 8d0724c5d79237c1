#!/usr/bin/env bash
# What --labels with 100,000 rules costs a conversion.
#
#   tools/bench/labels_bench.sh BUILD_DIR     (run_bench.sh runs it; alone too)
#
# 1. Converts the benchmark capture (BUILD_DIR/bench/bench.pcap, which
#    run_bench.sh builds) once for its rows, and writes BENCH_LABEL_RULES
#    rules from them in each ground-truth format with
#    tools/bench/gen_label_rules.py (seeded): CIC-IDS style rules (ISO-8601
#    times with an offset: conversations and attacker hosts in time windows,
#    half around flows of the capture, victim networks with port ranges,
#    IPv6 hosts and networks, a few broad rules last) and a UNSW-NB15
#    ground-truth table (exact 5-tuples with epoch times).
# 2. Runs, pinned to one core, in rounds of three (their order turning
#    from round to round), BENCH_RUNS rounds:
#      netflow -f bench.pcap -c /dev/null
#      netflow -f bench.pcap -c /dev/null --labels cic.csv
#      netflow -f bench.pcap -c /dev/null --labels unsw.csv --labels-format unsw-nb15
#    (the same conversion, only --labels added) and prints the median
#    wall-clock and CPU (user + system) seconds of each (reading and
#    compiling the rules included), and for each rules file the ratios to
#    the run without: of the medians, and the median of each round's ratio
#    (a round's runs follow one another: load that comes and goes moves
#    them alike).
# 3. Splits what the rules cost into reading and compiling them, once a
#    run (the same three runs on tests/golden/dns.pcap, 20 packets: the
#    median difference), and the rest, per flow: the lookups (what the
#    first part does not explain, over the flows of the capture).
# The verdict (PASS/FAIL, per file): the rules slow the
#    conversion by at most 10%, by CPU seconds (what the conversion costs;
#    on a machine other work shares, wall-clock time also measures the
#    waits for a core) and by the median round's wall-clock ratio.
#
# Exit status: 0 when every run exited 0 (a missed target is a result, not
# an error), 1 when a run failed, 2 on a usage error or a missing capture.
#
# Environment:
#   NETFLOW=path           netflow binary (default BUILD_DIR/netflow)
#   PCAP=path              the capture (default BUILD_DIR/bench/bench.pcap)
#   BENCH_LABEL_RULES=N    rules (default 100000)
#   BENCH_RUNS=N           rounds (default 21, at least 5; the median counts: a
#                          host whose speed comes and goes moves single rounds
#                          by 10-40% either way, and 11 rounds' median moved
#                          by several percent from run to run:
#                          docs/decisions.md, "Labels: the verdict's rounds")
#   BENCH_CPU=N            the core to pin to (default 1; 0 on one core)
set -uo pipefail

die() { echo "labels_bench: $*" >&2; exit 2; }

[[ $# -eq 1 ]] || die "usage: $0 BUILD_DIR"
BUILD_DIR=$(cd "$1" 2>/dev/null && pwd) || die "no build directory '$1'"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NETFLOW=${NETFLOW:-$BUILD_DIR/netflow}
PCAP=${PCAP:-$BUILD_DIR/bench/bench.pcap}
RULES=${BENCH_LABEL_RULES:-100000}
RUNS=${BENCH_RUNS:-21}
if [[ -z ${BENCH_CPU:-} ]]; then
    if [[ $(nproc) -gt 1 ]]; then BENCH_CPU=1; else BENCH_CPU=0; fi
fi
[[ $RULES =~ ^[1-9][0-9]*$ ]] || die "BENCH_LABEL_RULES must be a positive integer"
[[ $RUNS =~ ^[1-9][0-9]*$ && $RUNS -ge 5 ]] || die "BENCH_RUNS must be an integer >= 5"
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
python3 "$REPO/tools/bench/gen_label_rules.py" "$WORK/rows.csv" "$RULES" "$WORK/cic.csv" \
    "$WORK/unsw.csv" || die "gen_label_rules.py failed"
cat "$PCAP" "$WORK/cic.csv" "$WORK/unsw.csv" >/dev/null  # page cache

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
# shellcheck source=tools/bench/median.sh
source "$(dirname "${BASH_SOURCE[0]}")/median.sh"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }

echo "Labels: $RULES rules on $PCAP, $RUNS rounds, ${PIN[*]:-unpinned}"
# A round's three runs in an order that turns from round to round (cic,
# unsw, none; unsw, none, cic; none, cic, unsw; ...): on a virtual machine
# whose host takes back the memory a process frees (free page reporting),
# a run that needs more memory than the one before it pays for fresh pages
# that one did not (~1 ms a MB here), and a fixed order put that on the
# same run every round (docs/decisions.md, "Labels: the runs' order").
run_named() {
    case $1 in
        none) run_once none ;;
        cic) run_once cic --labels "$WORK/cic.csv" ;;
        unsw) run_once unsw --labels "$WORK/unsw.csv" --labels-format unsw-nb15 ;;
    esac
}
names=(none cic unsw)
for ((i = 1; i <= RUNS; i++)); do
    for ((k = 0; k < 3; k++)); do
        run_named "${names[(i + k) % 3]}" || exit 1
    done
done
# The same on a capture of 20 packets: what loading the rules costs alone.
TINY=$REPO/tests/golden/dns.pcap
for ((i = 1; i <= RUNS; i++)); do
    PCAP=$TINY run_once tiny_none || exit 1
    PCAP=$TINY run_once tiny_cic --labels "$WORK/cic.csv" || exit 1
    PCAP=$TINY run_once tiny_unsw --labels "$WORK/unsw.csv" --labels-format unsw-nb15 || exit 1
done
flows=$(($(wc -l <"$WORK/rows.csv") - 1))
none=$(median "$WORK/none.times")
none_cpu=$(median "$WORK/none.cpu")
printf '%-30s %s s wall, %s s CPU (medians; wall: %s; CPU: %s)\n' "no rules" "$none" "$none_cpu" \
    "$(tr '\n' ' ' <"$WORK/none.times")" "$(tr '\n' ' ' <"$WORK/none.cpu")"
verdicts=0
for name in cic unsw; do
    wall=$(median "$WORK/$name.times")
    cpu=$(median "$WORK/$name.cpu")
    # Each round's wall-clock ratio to the run before it.
    paste "$WORK/$name.times" "$WORK/none.times" |
        awk '{ printf "%.4f\n", ($2 > 0 ? $1 / $2 : 0) }' >"$WORK/$name.rounds"
    round=$(median "$WORK/$name.rounds")
    cpu_ratio=$(ratio "$cpu" "$none_cpu")
    printf '%-30s %s s wall, %s s CPU (medians; wall: %s; CPU: %s)\n' \
        "--labels $RULES $name rules" "$wall" "$cpu" \
        "$(tr '\n' ' ' <"$WORK/$name.times")" "$(tr '\n' ' ' <"$WORK/$name.cpu")"
    printf '%-30s CPU %sx, wall %sx (medians), wall %sx (median round)\n' "  ratio to no rules" \
        "$cpu_ratio" "$(ratio "$wall" "$none")" "$(printf '%.3f' "$round")"
    # How far single rounds spread (the host's noise the median stands
    # against): the rounds' wall-clock ratios at the quartiles.
    sort -g "$WORK/$name.rounds" | awk '{ v[NR] = $1 } END {
        printf "%-30s quartiles %.3f / %.3f / %.3f, from %.3f to %.3f\n", "  rounds (wall)",
            v[int((NR + 3) / 4)], v[int((NR + 1) / 2)], v[int((3 * NR + 3) / 4)], v[1], v[NR] }'
    # Loading: the tiny capture's CPU with the rules less without; the rest
    # of the difference is the lookups (and what they evict), per flow.
    load=$(awk -v a="$(median "$WORK/tiny_$name.cpu")" -v b="$(median "$WORK/tiny_none.cpu")" \
        'BEGIN { printf "%.3f", a - b }')
    awk -v c="$cpu" -v n="$none_cpu" -v l="$load" -v f="$flows" 'BEGIN {
        rest = c - n - l
        printf "  of which                     loading the rules %.0f ms CPU (%.1f%% of the conversion), the rest %.0f ms: %.0f ns a flow (%d flows)\n",
            l * 1000, (n > 0 ? 100 * l / n : 0), rest * 1000, (f > 0 ? rest * 1e9 / f : 0), f }'
    grep -m1 '^netflow: labels: ' "$WORK/$name.log" | cut -c1-160
    if awk -v c="$cpu_ratio" -v r="$round" 'BEGIN { exit !(c <= 1.10 && r <= 1.10) }'; then
        echo "PASS: --labels with $RULES $name rules costs at most 10% of a conversion (CPU ${cpu_ratio}x, round $(printf '%.3f' "$round")x)"
    else
        echo "FAIL: --labels with $RULES $name rules costs at most 10% of a conversion (CPU ${cpu_ratio}x, round $(printf '%.3f' "$round")x)"
        verdicts=1
    fi
done
[[ $verdicts -eq 0 ]] && echo "PASS: labels_bench" || echo "FAIL: labels_bench"
exit 0
