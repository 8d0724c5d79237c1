#!/usr/bin/env bash
# Stopping early (docs/spec/CLI.md): --max-time, SIGINT and SIGTERM stop reading,
# write every open flow and exit 0; the progress bar appears only when
# stderr is a terminal.
#   stop_conditions.sh NETFLOW GEN_SYNTHETIC_FLOWS WORKDIR
set -uo pipefail
netflow=$1
gen=$2
work=$3/stop
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# 400,000 flows of two packets: long enough to be stopped (several seconds).
"$gen" "$work/big.pcap" 400000 400000 2>/dev/null || fail "generator"
total=800000

# packets_read FILE: the packet count of netflow's summary line.
packets_read() { sed -n 's/^netflow: \([0-9]*\) packets,.*/\1/p' "$1"; }

# --max-time: stops well before the end, writes the flows it has.
"$netflow" -f "$work/big.pcap" -c "$work/t.csv" --max-time 0.3 2>"$work/t.err"
rc=$?
[ "$rc" = 0 ] || fail "--max-time exited $rc: $(cat "$work/t.err")"
read=$(packets_read "$work/t.err")
rows=$(($(wc -l <"$work/t.csv") - 1))
{ [ -n "$read" ] && [ "$read" -gt 0 ] && [ "$read" -lt "$total" ]; } ||
    fail "--max-time 0.3 read ${read:-?} of $total packets"
[ "$rows" -gt 0 ] || fail "--max-time wrote no flow"

# SIGINT and SIGTERM in the middle: exit 0, open flows written, and every
# packet read is on a flow (two packets per flow, SYNs first, so each packet
# read so far started or joined a written flow).
for sig in INT TERM; do
    "$netflow" -f "$work/big.pcap" -c "$work/$sig.csv" 2>"$work/$sig.err" &
    pid=$!
    sleep 0.8
    kill -"$sig" "$pid"
    wait "$pid"
    rc=$?
    [ "$rc" = 0 ] || fail "SIG$sig: exit $rc: $(cat "$work/$sig.err")"
    read=$(packets_read "$work/$sig.err")
    rows=$(($(wc -l <"$work/$sig.csv") - 1))
    { [ -n "$read" ] && [ "$read" -lt "$total" ]; } || fail "SIG$sig did not stop reading (${read:-?} packets)"
    [ "$rows" -gt 0 ] || fail "SIG$sig: no flow written"
    tail -c 2 "$work/$sig.csv" | od -c | grep -q '\\r  \\n' || fail "SIG$sig: last row incomplete"
done

# Progress bar: on a terminal (script(1) gives one) it is drawn; on a pipe
# or file it is not.
if script -qec "$netflow -f $work/big.pcap -c /dev/null --max-time 2" /dev/null >"$work/tty.out" 2>&1; then
    grep -q '\[#*\.*\] *[0-9]*%' "$work/tty.out" || fail "no progress bar on a terminal"
else
    fail "conversion under script(1) failed"
fi
"$netflow" -f "$work/big.pcap" -c /dev/null --max-time 2 2>"$work/pipe.err"
grep -q '%' "$work/pipe.err" && fail "progress bar drawn on a non-terminal"

[ "$failures" -eq 0 ] || exit 1
echo "stop conditions: --max-time, SIGINT, SIGTERM and the progress bar behave"
