#!/usr/bin/env bash
# SIGINT with several flow workers: a capture is written into a FIFO that
# the writer then holds open; once netflow has read it all, SIGINT. netflow
# must exit 0 and write every flow exactly once, in the order of a plain
# one-thread conversion of the same capture (docs/threads.md).
#   threads_sigint.sh NETFLOW GEN_SYNTHETIC_FLOWS WORKDIR
set -uo pipefail
netflow=$1
gen=$2
work=$3
rm -rf "$work" && mkdir -p "$work" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

pcap=$work/waves.pcap
"$gen" "$pcap" 20000 5000 >/dev/null || { echo "FAIL: generator"; exit 1; }
size=$(stat -c %s "$pcap")
"$netflow" -f "$pcap" -c "$work/want.csv" --version 3 --threads 1 2>/dev/null ||
    { echo "FAIL: plain conversion"; exit 1; }

for threads in 2 3 8; do
    fifo=$work/in.$threads.fifo
    mkfifo "$fifo"
    # The writer keeps the FIFO open after the capture (bounded: 120 s).
    # exec: the writer is the sleep, so killing it closes the FIFO and
    # leaves no process holding the test's output (ctest waits for it).
    { cat "$pcap"; exec sleep 120; } >"$fifo" &
    writer=$!
    "$netflow" -f "$fifo" -c "$work/got.$threads.csv" --version 3 --threads "$threads" \
        2>"$work/err.$threads" &
    pid=$!
    # Until netflow has read the whole capture (its read count passes the
    # file's size; at most 120 s on a loaded machine).
    for ((i = 0; i < 1200; i++)); do
        read_bytes=$(awk '/^rchar:/ { print $2 }' "/proc/$pid/io" 2>/dev/null || echo 0)
        [[ ${read_bytes:-0} -ge $size ]] && break
        sleep 0.1
    done
    sleep 1
    kill -INT "$pid"
    wait "$pid"
    rc=$?
    kill "$writer" 2>/dev/null
    wait "$writer" 2>/dev/null
    if [[ $rc -ne 0 ]]; then
        fail "--threads $threads: exit $rc after SIGINT: $(cat "$work/err.$threads")"
        continue
    fi
    dups=$(tail -n +2 "$work/got.$threads.csv" | sort | uniq -d | wc -l)
    [[ $dups -eq 0 ]] || fail "--threads $threads: $dups rows written more than once"
    if ! cmp -s "$work/want.csv" "$work/got.$threads.csv"; then
        fail "--threads $threads: rows differ from the plain conversion ($(($(wc -l <"$work/got.$threads.csv") - 1)) rows, want $(($(wc -l <"$work/want.csv") - 1))); $(cat "$work/err.$threads")"
    fi
done
if [[ $failures -eq 0 ]]; then
    echo "PASS: SIGINT with 2, 3 and 8 workers: every flow written once ($(($(wc -l <"$work/want.csv") - 1)) rows)"
    exit 0
fi
exit 1
