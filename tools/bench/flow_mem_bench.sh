#!/usr/bin/env bash
# Offline memory per concurrent flow: netflow -f on captures of N distinct
# short UDP flows, all within one second (every flow is held until the end
# of the capture). Prints packets/s, peak RSS and bytes per flow =
# (peak RSS - peak RSS of a 1,000-flow run of the same kind) / (N - 1,000),
# with PASS/FAIL against 400 bytes for flows whose DPI is finished. Each
# run is made MEM_RUNS times (default 3) and the medians count: the peak
# RSS of one run moves by up to ~2 MiB from run to run (transparent huge
# pages), 20 bytes a flow at 100,000 flows.
#
#   dns:     a DNS query and its answer (nDPI is done after the answer; its state is freed)
#   payload: 32 unplaceable bytes (nDPI still running at the end: its ~700-byte
#            flow state is held until export; reported, no target)
#
#   tools/bench/flow_mem_bench.sh BUILD_DIR
# Environment: NETFLOW=path, MEM_FLOWS="100000 2000000", MEM_KINDS="dns payload",
#   MEM_DIR=dir for the captures (default /tmp/netflow-flow-mem, kept between runs),
#   MEM_RUNS=N runs of each capture, the median counts (default 3).
set -uo pipefail
die() { echo "flow_mem_bench: $*" >&2; exit 2; }
[[ $# -eq 1 ]] || die "usage: $0 BUILD_DIR"
BUILD_DIR=$(cd "$1" 2>/dev/null && pwd) || die "no build directory '$1'"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NETFLOW=${NETFLOW:-$BUILD_DIR/netflow}
FLOWS=${MEM_FLOWS:-100000 2000000}
KINDS=${MEM_KINDS:-dns payload}
DIR=${MEM_DIR:-/tmp/netflow-flow-mem}
RUNS=${MEM_RUNS:-3}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "MEM_RUNS must be a positive integer"
BASE=1000
[[ -x $NETFLOW ]] || die "no executable $NETFLOW"
mkdir -p "$DIR" || die "cannot create $DIR"

capture() { # capture KIND N -> path
    local f="$DIR/$1-$2.pcap"
    if [[ ! -s $f ]]; then
        python3 "$REPO/tools/bench/gen_flows_pcap.py" "$1" "$2" "$f.tmp" && mv "$f.tmp" "$f" ||
            die "cannot write $f"
    fi
    echo "$f"
}

run_once() { # run_once PCAP -> "peak_kib seconds"
    local start end
    start=$(date +%s.%N)
    /usr/bin/time -f %M -o "$DIR/time.out" "$NETFLOW" -f "$1" -c /dev/null 2>"$DIR/netflow.err" ||
        { echo "flow_mem_bench: netflow failed on $1: $(tail -n 1 "$DIR/netflow.err")" >&2; return 1; }
    end=$(date +%s.%N)
    echo "$(tail -n 1 "$DIR/time.out") $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')"
}

run() { # run PCAP -> "peak_kib seconds": the medians of RUNS runs
    local i out
    : >"$DIR/runs.out"
    for ((i = 0; i < RUNS; i++)); do
        out=$(run_once "$1") || return 1
        echo "$out" >>"$DIR/runs.out"
    done
    echo "$(cut -d' ' -f1 "$DIR/runs.out" | median) $(cut -d' ' -f2 "$DIR/runs.out" | median)"
}

# shellcheck source=tools/bench/median.sh
source "$(dirname "${BASH_SOURCE[0]}")/median.sh"

failed=0
declare -A RESULT
printf '%-8s %9s %9s %12s %14s %14s\n' kind flows seconds packets/s "peak RSS MiB" "bytes/flow"
for kind in $KINDS; do
    read -r base_kib _ < <(run "$(capture "$kind" $BASE)") || { failed=1; continue; }
    for n in $FLOWS; do
        read -r kib secs < <(run "$(capture "$kind" "$n")") || { failed=1; continue; }
        per=$(( (kib - base_kib) * 1024 / (n - BASE) ))
        packets=$n
        [[ $kind == dns ]] && packets=$((2 * n))
        pps=$(awk -v n="$packets" -v s="$secs" 'BEGIN { printf "%.0f", n / s }')
        printf '%-8s %9s %9s %12s %14s %14s\n' "$kind" "$n" "$secs" "$pps" \
            "$(awk -v k="$kib" 'BEGIN { printf "%.1f", k / 1024 }')" "$per"
        RESULT[$kind.$n]=$per
    done
done
for n in $FLOWS; do
    per=${RESULT[dns.$n]:-}
    [[ -n $per ]] || continue
    if [[ $per -le 400 ]]; then v=PASS; else v=FAIL; fi
    echo "$v: bytes per concurrent flow offline, DPI finished, $n flows: $per (target <= 400)"
done
exit $failed
