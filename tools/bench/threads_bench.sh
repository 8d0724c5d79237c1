#!/usr/bin/env bash
# --threads on the DPI-heavy benchmark capture, against ndpiReader.
#
#   tools/bench/threads_bench.sh BUILD_DIR    (run_bench.sh runs it; alone too)
#
# Runs, unpinned (every core the machine gives), in turn, BENCH_RUNS rounds
# of:
#   ndpiReader -q -i bench.pcap                      (one thread: it cannot
#                                                     split one file)
#   netflow -f bench.pcap -c /dev/null               (default: every core)
#   netflow -f bench.pcap -c /dev/null --threads 1
#   netflow -f bench.pcap -c /dev/null --threads 2
#   two of netflow -f bench.pcap -c /dev/null --threads 1 at once
# and prints the median wall-clock seconds of each, the load average before
# and after, and PASS/FAIL for the targets (docs/threads.md):
#   netflow (default threads) wall time <= 1/5 of ndpiReader's;
#   --threads 2 >= 1.7x faster than --threads 1.
# The last run of a round is the ceiling of the second: two conversions
# that share nothing, on the machine's cores at once, against one alone
# (2 x --threads 1 / the pair). On two cores of their own it is ~2x; where
# the cores are hyperthreads of one, or a virtual machine's vCPUs the host
# does not run at once, it is what two threads can get at all, and the
# bench says how much of it --threads 2 reaches.
# The rows of --threads 1 and 2 are compared too (identical, or FAIL).
#
# Exit status: 0 when every run exited 0 (a missed target is a result, not
# an error), 1 when a run failed, 2 on a usage error or a missing capture.
#
# Environment:
#   NETFLOW=path    netflow binary (default BUILD_DIR/netflow)
#   PCAP=path       the capture (default BUILD_DIR/bench/bench.pcap, which
#                   run_bench.sh builds)
#   BENCH_RUNS=N    rounds (default 5; the median counts)
set -uo pipefail

die() { echo "threads_bench: $*" >&2; exit 2; }

[[ $# -eq 1 ]] || die "usage: $0 BUILD_DIR"
BUILD_DIR=$(cd "$1" 2>/dev/null && pwd) || die "no build directory '$1'"
NETFLOW=${NETFLOW:-$BUILD_DIR/netflow}
PCAP=${PCAP:-$BUILD_DIR/bench/bench.pcap}
RUNS=${BENCH_RUNS:-5}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive integer"
[[ -x $NETFLOW ]] || die "no netflow binary at $NETFLOW"
[[ -s $PCAP ]] || die "no capture at $PCAP (run run_bench.sh first, or set PCAP)"
command -v ndpiReader >/dev/null || die "ndpiReader is not installed (make deps)"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/threads_bench.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$WORK"' EXIT

declare -A CMD
CMD[ndpiReader]="ndpiReader -q -i $PCAP"
CMD[default]="$NETFLOW -f $PCAP -c /dev/null"
CMD[t1]="$NETFLOW -f $PCAP -c /dev/null --threads 1"
CMD[t2]="$NETFLOW -f $PCAP -c /dev/null --threads 2"
CMD[pair]="(two of --threads 1 at once)"
ORDER=(ndpiReader default t1 t2 pair)
declare -A TIMES

cat "$PCAP" >/dev/null  # into the page cache
echo "--threads: $PCAP, $(nproc) cores, $RUNS rounds, unpinned; median wall-clock seconds"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
failed=0
for ((i = 1; i <= RUNS; i++)); do
    for t in "${ORDER[@]}"; do
        start=$EPOCHREALTIME
        if [[ $t == pair ]]; then
            "$NETFLOW" -f "$PCAP" -c /dev/null --threads 1 >"$WORK/pair1.log" 2>&1 &
            first=$!
            "$NETFLOW" -f "$PCAP" -c /dev/null --threads 1 >"$WORK/pair2.log" 2>&1
            second=$?
            wait "$first" && [[ $second -eq 0 ]] || { echo "ERROR: pair failed"; failed=1; continue; }
        # shellcheck disable=SC2086
        elif ! ${CMD[$t]} >"$WORK/$t.log" 2>&1; then
            echo "ERROR: $t failed: ${CMD[$t]}"
            tail -n 3 "$WORK/$t.log" | sed 's/^/    /'
            failed=1
            continue
        fi
        end=$EPOCHREALTIME
        TIMES[$t]+="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }') "
    done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck source=tools/bench/median.sh
source "$(dirname "${BASH_SOURCE[0]}")/median.sh"
declare -A MED
for t in "${ORDER[@]}"; do
    MED[$t]=$(median <<<"${TIMES[$t]:-}")
    printf '%-30s median %8s s   runs: %s\n' "${CMD[$t]#"$NETFLOW "}" "${MED[$t]:-n/a}" "${TIMES[$t]:-}"
done
[[ -n ${MED[ndpiReader]} && -n ${MED[default]} && -n ${MED[t1]} && -n ${MED[t2]} && -n ${MED[pair]} ]] ||
    exit 1

r=$(awk -v a="${MED[ndpiReader]}" -v b="${MED[default]}" 'BEGIN { printf "%.2f", a / b }')
if awk -v a="${MED[ndpiReader]}" -v b="${MED[default]}" 'BEGIN { exit !(b * 5 <= a) }'; then v=PASS; else v=FAIL; fi
echo "$v: netflow (default threads) wall time <= 1/5 of ndpiReader's (${r}x faster)"
r=$(awk -v a="${MED[t1]}" -v b="${MED[t2]}" 'BEGIN { printf "%.2f", a / b }')
if awk -v a="${MED[t1]}" -v b="${MED[t2]}" 'BEGIN { exit !(a >= 1.7 * b) }'; then v=PASS; else v=FAIL; fi
echo "$v: --threads 2 >= 1.7x faster than --threads 1 (${r}x)"
ceiling=$(awk -v a="${MED[t1]}" -v p="${MED[pair]}" 'BEGIN { printf "%.2f", 2 * a / p }')
echo "  the machine's ceiling: two --threads 1 runs at once take ${MED[pair]} s, one alone ${MED[t1]} s:" \
    "two cores do ${ceiling}x the work of one; --threads 2 reaches" \
    "$(awk -v r="$r" -v c="$ceiling" 'BEGIN { printf "%.0f%%", 100 * r / c }') of it"

"$NETFLOW" -f "$PCAP" -c "$WORK/t1.csv" --threads 1 2>/dev/null &&
    "$NETFLOW" -f "$PCAP" -c "$WORK/t2.csv" --threads 2 2>/dev/null || failed=1
if cmp -s "$WORK/t1.csv" "$WORK/t2.csv"; then v=PASS; else v=FAIL; fi
echo "$v: --threads 2 writes the rows of --threads 1 ($(($(wc -l <"$WORK/t1.csv") - 1)) rows)"
exit "$failed"
