#!/usr/bin/env bash
# netflow against softflowd on a bulk mix: long TCP transfers recorded in
# the lab plus short flows of the nDPI corpus.
#
#   tools/bench/bulk_bench.sh BUILD_DIR       (run_bench.sh runs it; alone too)
#
# The capture, BUILD_DIR/bench/bulk_mix.pcap (built once, rebuilt when its
# manifest, BULK_TRANSFERS, BULK_MIB, the corpus's file names, RECIPE or
# the sources of the scripts and generator below change; building it needs
# root):
#   bulk   BULK_TRANSFERS transfers of BULK_MIB MiB (default 4 x 768),
#          nginx -> curl in the lab, offloads off, whole frames, recorded by
#          tools/bench/record_bulk.sh (curl --limit-rate BULK_RATE, default
#          150M, so tcpdump keeps up): 75% of the packets;
#   short  the flows of at most 8 packets of the nDPI corpus (every file of
#          PCAP_DIR, one IPv4 round by tools/gen_bench_pcap), replayed by
#          gen_bench_pcap in rounds with new addresses until they are a
#          third of the bulk's packets: 25%;
#   mix    both, the short packets spread evenly through the bulk ones
#          (tools/bench/nic_mix.py, as for tools/bench/nic_bench.sh).
# About 3 million packets, 3.3 GB.
#
# Runs, BULK_ROUNDS rounds (default 3) of each in turn, one at a time:
#   softflowd -r MIX (as run_bench.sh runs it)  pinned to core BENCH_CPU
#                                               (it is single-threaded)
#   netflow -f MIX -c /dev/null                 unpinned: default threads,
#                                               every core of the machine
#   netflow -f MIX -c /dev/null --threads 1     pinned to core BENCH_CPU,
#                                               the per-core comparison
# and prints each run's wall seconds and CPU seconds (user + system), the
# medians, packets/s of the medians, and PASS/FAIL for the target of issue
# 11: netflow (default threads) >= 1.5x softflowd's packets/s. --threads 1
# against softflowd (one core each) is printed, with no target.
#
# Exit status: 0 with results (a missed target is a result; also when
# skipped: no mix and not root, or softflowd missing); 1 when a run or the
# building of the mix failed; 2 on a usage error.
#
# Environment:
#   NETFLOW, GEN (gen_bench_pcap)  binaries (default: BUILD_DIR)
#   PCAP_DIR=dir       the nDPI corpus (default ../shared/pcaps/ndpi/pcap)
#   BULK_TRANSFERS=N   transfers (default 4)
#   BULK_MIB=N         MiB each (default 768)
#   BULK_RATE=R        curl --limit-rate while recording (default 150M)
#   BULK_ROUNDS=N      rounds (default 3; medians)
#   BENCH_CPU=N        the core for the pinned runs (default 1; 0 on a
#                      one-core machine)
#   BENCH_TIMEOUT=S    bound on one run (default 600)
set -uo pipefail

die() { echo "bulk_bench: $*" >&2; exit 2; }
[[ $# -eq 1 ]] || die "usage: $0 BUILD_DIR"
BUILD_DIR=$(cd "$1" 2>/dev/null && pwd) || die "no build directory '$1'"
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NETFLOW=${NETFLOW:-$BUILD_DIR/netflow}
GEN=${GEN:-$BUILD_DIR/tools/gen_bench_pcap}
PCAP_DIR=${PCAP_DIR:-$REPO/../shared/pcaps/ndpi/pcap}
TRANSFERS=${BULK_TRANSFERS:-4}
MIB=${BULK_MIB:-768}
RATE=${BULK_RATE:-150M}
ROUNDS=${BULK_ROUNDS:-3}
TIMEOUT=${BENCH_TIMEOUT:-600}
SHORT_MAX=8
if [[ -z ${BENCH_CPU:-} ]]; then
    if [[ $(nproc) -gt 1 ]]; then BENCH_CPU=1; else BENCH_CPU=0; fi
fi
for v in TRANSFERS MIB ROUNDS TIMEOUT; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "$v must be a positive integer"
done

echo "== bulk mix (lab transfers + corpus short flows): netflow vs softflowd"
error() { echo "ERROR: bulk_bench: $*"; exit 1; }
[[ -x $NETFLOW ]] || error "no executable $NETFLOW (build the project)"
[[ -x /usr/bin/time ]] || error "GNU time is missing: apt-get install time"
if ! command -v softflowd >/dev/null; then
    echo "bulk_bench: skipped: softflowd is not installed (make deps)"
    exit 0
fi

WORK=$(mktemp -d /dev/shm/bulk_bench.XXXXXX) || error "mktemp failed"
chmod 755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
trap 'exit 1' INT TERM

# ---------------------------------------------------------------- the mix
BENCH_DIR=$BUILD_DIR/bench
MIX=$BENCH_DIR/bulk_mix.pcap
mkdir -p "$BENCH_DIR" || error "cannot create $BENCH_DIR"
[[ -d $PCAP_DIR ]] || error "no capture corpus at $PCAP_DIR (set PCAP_DIR)"
corpus=("$PCAP_DIR"/*)
# RECIPE: bump it when the steps below change how the mix is made.
RECIPE=1
manifest="recipe=$RECIPE bulk=${TRANSFERS}x${MIB}MiB short<=$SHORT_MAX corpus=$(printf '%s\n' "${corpus[@]##*/}" |
    sha256sum | cut -c1-16) sources=$(cat "$REPO/tools/bench/nic_mix.py" "$REPO/tools/gen_bench_pcap.cpp" \
    "$REPO/tools/bench/record_bulk.sh" | sha256sum | cut -c1-16)"
if [[ ! -s $MIX || $(cat "$MIX.manifest" 2>/dev/null) != "$manifest" ]]; then
    if [[ $(id -u) != 0 ]]; then
        echo "bulk_bench: skipped: building $MIX needs root (the lab recording)"
        exit 0
    fi
    [[ -x $GEN ]] || error "no executable $GEN (build the project)"
    echo "Building $MIX (once; a few minutes) ..."
    rm -f "$MIX" "$MIX.manifest"
    RECORD_RATE=$RATE "$REPO/tools/bench/record_bulk.sh" "$WORK/bulk.pcap" "$TRANSFERS" "$MIB" ||
        error "recording the bulk transfers failed (tools/bench/record_bulk.sh)"
    # The corpus's short flows, one round (all of them: a bulk of 1000
    # packets at a 0.1% share wants more short packets than one round has).
    "$GEN" -n 1 -o "$WORK/corpus.pcap" "${corpus[@]}" >"$WORK/gen.log" 2>&1 ||
        { cat "$WORK/gen.log"; error "gen_bench_pcap failed"; }
    tcpdump -r "$WORK/bulk.pcap" -c 1000 -w "$WORK/slice.pcap" 2>/dev/null || error "tcpdump -r failed"
    python3 "$REPO/tools/bench/nic_mix.py" --bulk "$WORK/slice.pcap" --short "$WORK/corpus.pcap" \
        --short-max "$SHORT_MAX" --bulk-share 0.001 -o /dev/null --short-only "$WORK/short1.pcap" \
        >/dev/null || error "nic_mix.py failed (short flows)"
    bulk_packets=$(tcpdump -r "$WORK/bulk.pcap" -n 2>/dev/null | wc -l)
    # Rounds of them with new addresses, a few more than the mix takes.
    "$GEN" -n $((bulk_packets * 11 / 30)) -o "$WORK/short.pcap" "$WORK/short1.pcap" >"$WORK/gen.log" 2>&1 ||
        { cat "$WORK/gen.log"; error "gen_bench_pcap failed (short rounds)"; }
    rm -f "$WORK/corpus.pcap" "$WORK/short1.pcap"
    python3 "$REPO/tools/bench/nic_mix.py" --bulk "$WORK/bulk.pcap" --short "$WORK/short.pcap" \
        --short-max "$SHORT_MAX" -o "$MIX.tmp" >"$BENCH_DIR/bulk_mix.txt" || error "nic_mix.py failed"
    mv "$MIX.tmp" "$MIX" && echo "$manifest" >"$MIX.manifest"
    rm -f "$WORK/bulk.pcap" "$WORK/short.pcap"
fi
read -r COUNT < <(sed -n 's/^nic_mix: \([0-9]*\) packets.*/\1/p' "$BENCH_DIR/bulk_mix.txt")
[[ ${COUNT:-} =~ ^[1-9][0-9]*$ ]] || error "cannot read $BENCH_DIR/bulk_mix.txt"

# ---------------------------------------------------------------- runs
PIN=(taskset -c "$BENCH_CPU")
if ! "${PIN[@]}" true 2>/dev/null; then
    echo "note: cannot pin to CPU $BENCH_CPU; running unpinned"
    PIN=()
fi
declare -A CMD DESC WALL CPU
# softflowd as run_bench.sh runs it (no -n: exports to no one; -c none, a
# private -p, room for every flow).
CMD[softflowd]="${PIN[*]} softflowd -r $MIX -c none -p $WORK/softflowd.pid -m 1048576"
CMD[default]="$NETFLOW -f $MIX -c /dev/null"
CMD[t1]="${PIN[*]} $NETFLOW -f $MIX -c /dev/null --threads 1"
DESC[softflowd]="softflowd (1 thread, ${PIN[*]:-unpinned})"
DESC[default]="netflow (default threads, unpinned: $(nproc) cores)"
DESC[t1]="netflow --threads 1 (${PIN[*]:-unpinned})"
ORDER=(softflowd default t1)

sed 's/^/  /' "$BENCH_DIR/bulk_mix.txt"
echo "Capture: $MIX: $COUNT packets ($(du -m "$MIX" | cut -f1) MiB); $ROUNDS rounds, one run at a time"
echo "Peer: $(dpkg-query -W -f '${Package} ${Version}' softflowd 2>/dev/null)"
cat "$MIX" >/dev/null  # into the page cache before the first timed run
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
failed=0
for ((i = 1; i <= ROUNDS; i++)); do
    for t in "${ORDER[@]}"; do
        start=$EPOCHREALTIME
        # shellcheck disable=SC2086
        if ! /usr/bin/time -o "$WORK/$t.time" -f '%U %S' timeout -k 10 "$TIMEOUT" ${CMD[$t]} \
            >"$WORK/$t.log" 2>&1; then
            echo "ERROR: $t failed: ${CMD[$t]}"
            tail -n 3 "$WORK/$t.log" | sed 's/^/    /'
            failed=1
            continue
        fi
        end=$EPOCHREALTIME
        WALL[$t]+="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }') "
        CPU[$t]+="$(tail -n 1 "$WORK/$t.time" | awk '{ printf "%.2f", $1 + $2 }') "
    done
done
echo "load average after:  $(cut -d' ' -f1-3 /proc/loadavg)"

# shellcheck source=tools/bench/median.sh
source "$(dirname "${BASH_SOURCE[0]}")/median.sh"
declare -A MED PPS
printf '%-46s %9s %12s %9s  %s\n' run "wall s" packets/s "cpu s" "rounds: wall s / cpu s"
for t in "${ORDER[@]}"; do
    MED[$t]=$(median <<<"${WALL[$t]:-}")
    if [[ -z ${MED[$t]} ]]; then
        printf '%-46s failed\n' "${DESC[$t]}"
        continue
    fi
    PPS[$t]=$(awk -v n="$COUNT" -v s="${MED[$t]}" 'BEGIN { printf "%.0f", n / s }')
    printf '%-46s %9s %12s %9s  %s/ %s\n' "${DESC[$t]}" "${MED[$t]}" "${PPS[$t]}" \
        "$(median <<<"${CPU[$t]}")" "${WALL[$t]}" "${CPU[$t]}"
done
[[ -n ${PPS[softflowd]:-} && -n ${PPS[default]:-} && -n ${PPS[t1]:-} ]] || exit 1
r=$(awk -v a="${PPS[default]}" -v b="${PPS[softflowd]}" 'BEGIN { printf "%.2f", a / b }')
if awk -v a="${PPS[default]}" -v b="${PPS[softflowd]}" 'BEGIN { exit !(a >= 1.5 * b) }'; then v=PASS; else v=FAIL; fi
echo "$v: netflow (default threads, $(nproc) cores) >= 1.5x softflowd's packets/s (one core): ${r}x"
r=$(awk -v a="${PPS[t1]}" -v b="${PPS[softflowd]}" 'BEGIN { printf "%.2f", a / b }')
echo "per core: netflow --threads 1 / softflowd packets/s, both on core $BENCH_CPU: ${r}x (no target)"
exit "$failed"
