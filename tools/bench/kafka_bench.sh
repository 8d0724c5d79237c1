#!/usr/bin/env bash
# Flows per second exported to Kafka next to the CSV writer, on the same
# capture (BUILD_DIR/bench/bench.pcap, made by run_bench.sh).
#
#   tools/bench/kafka_bench.sh BUILD_DIR      (run_bench.sh calls it)
#
# The brokers: librdkafka's mock cluster (BUILD_DIR/tests/kafka/
# kafka_mock_broker: 3 brokers on 127.0.0.1, 4 partitions, replication 3),
# pinned to another core than netflow. netflow is pinned to one core as in
# run_bench.sh; librdkafka's threads share it, so the export's CPU cost
# (JSON, key, lz4, the protocol) counts. Runs, in turn, BENCH_RUNS times
# each, each Kafka run into a topic of its own:
#   csv         netflow -f bench.pcap -c /dev/null
#   kafka       netflow -f bench.pcap --export kafka://BROKERS/TOPIC   (lz4)
#   kafka-zstd  the same with --kafka-opt compression.type=zstd
# Prints every run's wall-clock and CPU seconds, then per mode the median
# seconds, flows (from
# netflow's summary; the Kafka runs' checked against the CSV's flow count
# and the topic's message count, read back with kcat), flows/s and the
# ratio to the CSV. The issue sets no target for Kafka: no PASS/FAIL.
#
# Exit status: 0 when every run exited 0 and delivered every flow; 1 when
# one failed; 2 on a usage error (no capture, no mock broker, no kcat).
set -uo pipefail

die() { echo "kafka_bench: $*" >&2; exit 2; }
[[ $# -eq 1 ]] || die "usage: $0 BUILD_DIR"
BUILD_DIR=$(cd "$1" 2>/dev/null && pwd) || die "no build directory '$1'"
NETFLOW=${NETFLOW:-$BUILD_DIR/netflow}
MOCK=${KAFKA_MOCK:-$BUILD_DIR/tests/kafka/kafka_mock_broker}
PCAP=${PCAP:-$BUILD_DIR/bench/bench.pcap}
RUNS=${BENCH_RUNS:-3}
TIMEOUT=${BENCH_TIMEOUT:-600}
if [[ -z ${BENCH_CPU:-} ]]; then
    if [[ $(nproc) -gt 1 ]]; then BENCH_CPU=1; else BENCH_CPU=0; fi
fi
SERVER_CPU=0
[[ $(nproc) -gt 1 && $BENCH_CPU == 0 ]] && SERVER_CPU=1
[[ -x $NETFLOW ]] || die "no netflow at $NETFLOW"
[[ -x $MOCK ]] || die "no mock broker at $MOCK (build the project)"
[[ -s $PCAP ]] || die "no capture at $PCAP (run_bench.sh builds it)"
command -v kcat >/dev/null || die "kcat is not installed (make deps)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/kafka_bench.XXXXXX") || die "mktemp failed"
mock_pid=
cleanup() {
    exec 7>&- 2>/dev/null
    [[ -n $mock_pid ]] && kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

PIN=(taskset -c "$BENCH_CPU")
SPIN=(taskset -c "$SERVER_CPU")
if ! "${PIN[@]}" true 2>/dev/null; then PIN=(); SPIN=(); fi

MODES=(csv kafka kafka-zstd)
topics=()
for ((i = 1; i <= RUNS; i++)); do topics+=(--topic "kafka-$i" --topic "kafka-zstd-$i"); done
mkfifo "$WORK/mock.in"
"${SPIN[@]}" "$MOCK" --brokers 3 --partitions 4 --lifetime $((TIMEOUT * RUNS * 3)) "${topics[@]}" \
    <"$WORK/mock.in" >"$WORK/mock.out" 2>"$WORK/mock.err" &
mock_pid=$!
exec 7>"$WORK/mock.in"
for _ in $(seq 100); do
    [[ -s $WORK/mock.out ]] && break
    sleep 0.1
done
BROKERS=$(head -1 "$WORK/mock.out")
[[ $BROKERS == 127.0.0.1:* ]] || die "the mock broker did not start: $(cat "$WORK/mock.err")"

declare -A FLOWS STATUS RUNTIMES CPU
run_once() {  # run_once MODE RUN
    local mode=$1 run=$2 start end rc wall flows cmd
    case $mode in
        csv) cmd=("$NETFLOW" -f "$PCAP" -c /dev/null) ;;
        kafka) cmd=("$NETFLOW" -f "$PCAP" --export "kafka://$BROKERS/kafka-$run"
                    --spool "$WORK/spool.jsonl") ;;
        kafka-zstd) cmd=("$NETFLOW" -f "$PCAP" --export "kafka://$BROKERS/kafka-zstd-$run"
                         --kafka-opt compression.type=zstd --spool "$WORK/spool.jsonl") ;;
    esac
    start=$EPOCHREALTIME
    "${PIN[@]}" /usr/bin/time -o "$WORK/$mode.time" -f '%U %S' \
        timeout -k 10 "$TIMEOUT" "${cmd[@]}" >/dev/null 2>"$WORK/$mode.err"
    rc=$?
    end=$EPOCHREALTIME
    if [[ $rc -ne 0 ]]; then
        STATUS[$mode]="exit $rc: $(tail -n 2 "$WORK/$mode.err" | tr '\n' ' ')"
        return 1
    fi
    if [[ $mode == csv ]]; then
        flows=$(sed -n 's/^netflow: [0-9]* packets, \([0-9]*\) flows.*/\1/p' "$WORK/$mode.err")
    else
        flows=$(sed -n 's/^netflow: kafka: \([0-9]*\) flows\? delivered.*/\1/p' "$WORK/$mode.err")
        local topic=$mode-$run in_topic
        in_topic=$(timeout 300 kcat -C -b "$BROKERS" -t "$topic" -e -q -f '\n' 2>/dev/null | wc -l)
        if [[ $in_topic != "$flows" ]]; then
            STATUS[$mode]="netflow says $flows delivered, the topic $topic holds $in_topic"
            return 1
        fi
    fi
    FLOWS[$mode]=$flows
    wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    RUNTIMES[$mode]+="$wall "
    CPU[$mode]+="$(tail -n 1 "$WORK/$mode.time" | awk '{ printf "%.2f", $1 + $2 }') "
}

echo "Kafka export: netflow on ${PIN[*]:-any CPU}, librdkafka $(dpkg-query -W -f '${Version}' librdkafka1 2>/dev/null) mock cluster (3 brokers) on ${SPIN[*]:-any CPU}"
failed=0
for ((i = 1; i <= RUNS; i++)); do
    for m in "${MODES[@]}"; do
        [[ -z ${STATUS[$m]:-} ]] || continue
        run_once "$m" "$i" || { failed=1; echo "ERROR: $m failed (${STATUS[$m]})"; }
    done
done

# shellcheck source=tools/bench/median.sh
source "$(dirname "${BASH_SOURCE[0]}")/median.sh"
echo
# Wall-clock seconds, and CPU seconds (user + system, every thread: the
# capture's and librdkafka's): on a shared machine a pinned core is also
# used by others, and a process with more threads gets more of it, so the
# CPU seconds say more about the cost than the wall clock.
declare -A FPS CPS
for unit in wall cpu; do
    [[ $unit == cpu ]] && echo
    printf '%-11s %-24s %8s %8s %12s %8s\n' mode "runs ($unit s)" median flows "flows/$unit-s" "vs csv"
    for m in "${MODES[@]}"; do
        if [[ -n ${RUNTIMES[$m]:-} && -z ${STATUS[$m]:-} ]]; then
            if [[ $unit == wall ]]; then runs=${RUNTIMES[$m]}; else runs=${CPU[$m]}; fi
            med=$(echo "$runs" | median)
            fps=$(awk -v n="${FLOWS[$m]}" -v s="$med" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
            if [[ $unit == wall ]]; then FPS[$m]=$fps; base=${FPS[csv]:-0}; else CPS[$m]=$fps; base=${CPS[csv]:-0}; fi
            ratio=$(awk -v a="$fps" -v b="$base" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
            printf '%-11s %-24s %8s %8s %12s %7sx\n' "$m" "$runs" "$med" "${FLOWS[$m]}" "$fps" "$ratio"
        else
            printf '%-11s failed: %s\n' "$m" "${STATUS[$m]:-}"
        fi
    done
done
for m in kafka kafka-zstd; do
    if [[ -n ${FLOWS[$m]:-} && ${FLOWS[$m]} != "${FLOWS[csv]:-}" ]]; then
        echo "ERROR: $m delivered ${FLOWS[$m]} flows, the CSV has ${FLOWS[csv]:-?}"
        failed=1
    fi
done
exit "$failed"
