#!/usr/bin/env bash
# Stop signals and pipes where a run can block (issue 14, item 8): SIGTERM
# while libpcap compiles a long filter, while opening a FIFO no one writes
# to, while reading a stalled FIFO; --max-time on a stalled pipe; a closed
# stdout (-c - | head -1). Every run is bounded by timeout(1).
#   signals_and_pipes.sh NETFLOW REPO_ROOT GEN_SYNTHETIC_FLOWS WORKDIR
set -uo pipefail
netflow=$1
root=$2
gen=$3
work=$4/signals_and_pipes
golden=$root/tests/golden
rm -rf "$work" && mkdir -p "$work"
writer=
cleanup() {
    [ -n "$writer" ] && kill "$writer" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
rows() { echo $(($(wc -l <"$1") - 1)); }
# The netflow under timeout(1) started last ($! is timeout's pid).
netflow_of() { pgrep -P "$1" | head -n 1; }
# term_after SECONDS: SIGTERM to the netflow started last, SECONDS after
# its stop handlers are in (SigCgt; at most 20 s: a sanitizer build on a
# loaded machine can take more than a second to get there); sets $rc to
# its exit code.
term_after() {
    local pid=$! child="" i
    for ((i = 0; i < 400; i++)); do
        child=$(netflow_of "$pid")
        [ -n "$child" ] && (( 0x$(awk '/^SigCgt:/ { print $2 }' "/proc/$child/status" 2>/dev/null || echo 0) & 0x4000 )) && break
        sleep 0.05
    done
    sleep "$1"
    kill -TERM "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
}
# term_when WCHAN: the same once that netflow sleeps in the kernel
# function WCHAN (a glob), twice 0.2 s apart (at most 20 s), whatever it
# took to get there; sets $blocked to its stop signals' bits in SigBlk
# then (0: unblocked; "none": it never got there).
term_when() {
    local pid=$! child="" i seen=0
    blocked=none
    for ((i = 0; i < 400; i++)); do
        child=$(netflow_of "$pid")
        # shellcheck disable=SC2053
        if [ -n "$child" ] && [[ $(cat "/proc/$child/wchan" 2>/dev/null) == $1 ]]; then
            if ((++seen == 2)); then
                blocked=$((0x$(awk '/^SigBlk:/ { print $2 }' "/proc/$child/status") & 0x4002))
                break
            fi
            sleep 0.2
            continue
        fi
        seen=0
        sleep 0.05
    done
    kill -TERM "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
}
"$netflow" -f "$golden/dns.pcap" -c "$work/dns.csv" 2>/dev/null || fail "CSV"
dns_rows=$(rows "$work/dns.csv")

# ------------------------------------------------------------ a long filter
# libpcap's optimizer takes minutes on 1,000 clauses and cannot be
# interrupted: SIGTERM 1 s in ends the run at once, exit 0, nothing written.
filter=$(python3 -c 'print(" or ".join(f"host 10.0.{i // 256}.{i % 256}" for i in range(1000)))')
t0=$EPOCHREALTIME
timeout -k 5 30 "$netflow" -f "$golden/dns.pcap" -c "$work/filter.csv" --filter "$filter" \
    2>"$work/filter.err" &
term_after 1
took=$(since "$t0")
[ "$rc" = 0 ] || fail "SIGTERM during a filter compile: exit $rc (124: ignored): $(cat "$work/filter.err")"
awk -v t="$took" 'BEGIN { exit !(t < 5) }' || fail "SIGTERM during a filter compile: took $took s"
[ "$(wc -l <"$work/filter.err")" = 1 ] || fail "filter compile: not one line: $(cat "$work/filter.err")"
[ ! -e "$work/filter.csv" ] || fail "filter compile: an output was created"

# ------------------------------------------------------------ a FIFO nobody writes to
mkfifo "$work/fifo"
timeout -k 5 30 "$netflow" -f "$work/fifo" -c "$work/open.csv" 2>"$work/open.err" &
term_when wait_for_partner
[ "$blocked" = 0 ] || fail "SIGTERM while opening a FIFO: not blocked in the open, or SIGINT/SIGTERM blocked ($blocked)"
[ "$rc" = 0 ] || fail "SIGTERM while opening a FIFO: exit $rc: $(cat "$work/open.err")"
grep -q "error" "$work/open.err" && fail "SIGTERM while opening a FIFO: $(cat "$work/open.err")"

# ------------------------------------------------------------ while the command line is read
# --labels naming a FIFO no one writes to: the rules are read while the
# command line is, before the capture is opened; a stop then ends the run
# at once, exit 0 (it was the default action, exit 143, before: the
# handlers came after the command line).
mkfifo "$work/rules"
timeout -k 5 30 "$netflow" -f "$golden/dns.pcap" -c "$work/rules.csv" --labels "$work/rules" \
    2>"$work/rules.err" &
term_when wait_for_partner
[ "$blocked" = 0 ] || fail "SIGTERM while reading --labels: not blocked in the open, or SIGINT/SIGTERM blocked ($blocked)"
[ "$rc" = 0 ] || fail "SIGTERM while reading --labels: exit $rc: $(cat "$work/rules.err")"
grep -q "stopped before the capture started" "$work/rules.err" ||
    fail "SIGTERM while reading --labels: $(cat "$work/rules.err")"
[ ! -e "$work/rules.csv" ] || fail "SIGTERM while reading --labels: an output was created"

# The same past the open and the first part: the writer sends the header
# and ~370 KB of rules (14,000) (more than the first 256 KB part the reader takes
# before it parses anything), then stalls with the FIFO open. The run
# parses the first part's rules and blocks reading the next (a read
# interrupted by a signal is retried); a stop ends it there, exit 0,
# nothing created.
{ printf 'attack,src,dst,sport,dport,proto,start,end\n'
  awk 'BEGIN { for (i = 0; i < 14000; i++) printf "Attack-%d,10.%d.%d.%d,,,,,,\n", i % 7, int(i / 65536), int(i / 256) % 256, i % 256 }'
  exec sleep 30; } >"$work/rules" & writer=$!
timeout -k 5 30 "$netflow" -f "$golden/dns.pcap" -c "$work/rules.csv" --labels "$work/rules" \
    2>"$work/rules.err" &
term_when '*pipe_read'
kill "$writer" 2>/dev/null
[ "$blocked" = 0 ] || fail "SIGTERM while --labels' writer stalls: not blocked in the read, or SIGINT/SIGTERM blocked ($blocked)"
[ "$rc" = 0 ] || fail "SIGTERM while --labels' writer stalls: exit $rc: $(cat "$work/rules.err")"
grep -q "stopped before the capture started" "$work/rules.err" ||
    fail "SIGTERM while --labels' writer stalls: $(cat "$work/rules.err")"
[ ! -e "$work/rules.csv" ] || fail "SIGTERM while --labels' writer stalls: an output was created"

# ------------------------------------------------------------ a stalled FIFO
# The capture's packets, then the writer stalls (the FIFO stays open).
stall() { { cat "$golden/dns.pcap"; exec sleep 30; } >"$work/fifo" & writer=$!; }
stall
timeout -k 5 30 "$netflow" -f "$work/fifo" -c "$work/read.csv" 2>"$work/read.err" &
term_when '*pipe_read'
[ "$blocked" = 0 ] || fail "SIGTERM while reading a FIFO: not blocked in the read, or SIGINT/SIGTERM blocked ($blocked)"
kill "$writer" 2>/dev/null
[ "$rc" = 0 ] || fail "SIGTERM while reading a FIFO: exit $rc: $(cat "$work/read.err")"
grep -q "error" "$work/read.err" && fail "SIGTERM while reading a FIFO: $(cat "$work/read.err")"
[ "$(rows "$work/read.csv")" = "$dns_rows" ] || fail "SIGTERM while reading a FIFO: flows not written"

# --max-time on a stalled FIFO, and on a stalled pipe (stdin).
stall
t0=$EPOCHREALTIME
timeout -k 5 20 "$netflow" -f "$work/fifo" -c "$work/mt.csv" --max-time 1 2>"$work/mt.err"
rc=$?
took=$(since "$t0")
kill "$writer" 2>/dev/null
[ "$rc" = 0 ] || fail "--max-time 1 on a stalled FIFO: exit $rc: $(cat "$work/mt.err")"
awk -v t="$took" 'BEGIN { exit !(t < 3) }' || fail "--max-time 1 on a stalled FIFO: took $took s"
[ "$(rows "$work/mt.csv")" = "$dns_rows" ] || fail "--max-time on a FIFO: flows not written"
t0=$EPOCHREALTIME
{ cat "$golden/dns.pcap"; sleep 8; } |
    timeout -k 5 20 "$netflow" -f - -c "$work/pipe.csv" --max-time 1 2>"$work/pipe.err"
rc=${PIPESTATUS[1]}
[ "$rc" = 0 ] || fail "--max-time 1 on a stalled pipe: exit $rc: $(cat "$work/pipe.err")"
took=$(sed -n 's/^netflow: .* flows, \([0-9.]*\) s,.*/\1/p' "$work/pipe.err")
awk -v t="${took:-99}" 'BEGIN { exit !(t < 3) }' || fail "--max-time 1 on a stalled pipe: ran ${took:-?} s"
[ "$(rows "$work/pipe.csv")" = "$dns_rows" ] || fail "--max-time on a pipe: flows not written"

# ------------------------------------------------------------ a closed stdout
# More rows than a pipe holds; head takes one line and goes: one error
# line naming the broken pipe, the summary, exit 1 (not a silent SIGPIPE).
"$gen" "$work/many.pcap" 2000 2000 2>/dev/null || fail "gen_synthetic_flows"
timeout -k 5 60 "$netflow" -f "$work/many.pcap" -c - 2>"$work/head.err" | head -1 >"$work/head.out"
rc=${PIPESTATUS[0]}
[ "$rc" = 1 ] || fail "-c - | head -1: exit $rc, want 1 (141: killed by SIGPIPE)"
[ "$(wc -l <"$work/head.out")" = 1 ] || fail "-c - | head -1: $(wc -l <"$work/head.out") lines"
[ "$(grep -c '^netflow: error: ' "$work/head.err")" = 1 ] &&
    grep -q '^netflow: error: cannot write -: Broken pipe$' "$work/head.err" ||
    fail "-c - | head -1: $(cat "$work/head.err")"
grep -q '^netflow: [0-9]* packets, [0-9]* flows' "$work/head.err" || fail "-c - | head -1: no summary"

if grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$work"/*.err 2>/dev/null; then
    fail "sanitizer reports in the files above"
fi
[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "signals and pipes: all checks passed"
