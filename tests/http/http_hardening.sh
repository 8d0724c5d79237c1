#!/usr/bin/env bash
# -u delivery when things go wrong (issue 14): a spool on a full disk, a
# spool that is not a regular file, a response cut inside its headers, a
# server that rejects everything, a server that never answers, and what
# the final line says in each case. Against flow_server.py on 127.0.0.1.
#   http_hardening.sh NETFLOW REPO_ROOT GEN_SYNTHETIC_FLOWS WORKDIR
set -uo pipefail
netflow=$1
root=$2
gen=$3
work=$4/http_hardening
# shellcheck source=tests/http/http_test.sh
source "$root/tests/http/http_test.sh"

# A port nothing listens on, held until the test ends (hold_port.py says
# why).
exec {holder_fd}< <(exec python3 "$root/tests/support/hold_port.py" 2>/dev/null)
holder_pid=$!
trap 'kill "$holder_pid" 2>/dev/null; stop_server; rm -rf "$work"' EXIT
read -r down_port <&"$holder_fd" || fail "no port held"
down_url="http://127.0.0.1:$down_port/predict"

"$gen" "$work/f2000.pcap" 2000 2000 2>/dev/null || fail "gen_synthetic_flows"
"$netflow" -f "$work/f2000.pcap" -c "$work/f2000.csv" --version 1 2>/dev/null || fail "CSV"
"$netflow" -f "$golden/dns.pcap" -c "$work/dns.csv" 2>/dev/null || fail "CSV"
dns_rows=$(($(wc -l <"$work/dns.csv") - 1))

# ------------------------------------------------------------ 1. spool on a full disk
# 2,000 flows, server down, the spool on a 64 KiB tmpfs already 40 KB full
# (a private mount namespace): every flow is counted once, either kept in
# the spool or lost; the whole lines that fit stay in the file.
cat >"$work/full.sh" <<EOF
set -u
mount -t tmpfs -o size=64k tmpfs "$work/small" || exit 90
head -c 40000 /dev/zero >"$work/small/filler"
"$netflow" -f "$work/f2000.pcap" --version 1 -u "$down_url" --spool "$work/small/s.jsonl" \
    --timeout 1 2>"$work/full.err"
echo \$? >"$work/full.rc"
cp "$work/small/s.jsonl" "$work/full.spool" 2>/dev/null
umount "$work/small"
EOF
mkdir -p "$work/small"
full_disk() {
timeout -k 5 60 unshare -m bash "$work/full.sh"
case $? in
    0) ;;
    90) fail "full disk: cannot mount a tmpfs (unshare -m as root)" ;;
    *) fail "full disk: the run did not finish" ;;
esac
rc=$(cat "$work/full.rc" 2>/dev/null)
[ "$rc" = 1 ] || fail "full disk: exit ${rc:-?}, want 1"
kept=$(sed -n 's/.*error: \([0-9]*\) flows\? not delivered.*kept in the spool.*/\1/p' "$work/full.err")
lost=$(sed -n 's/.*; \([0-9]*\) flows\? lost: the spool could not take them.*/\1/p' "$work/full.err")
lines=$(cat "$work/full.spool" 2>/dev/null | wc -l)
if [ -z "$kept" ] || [ -z "$lost" ]; then
    fail "full disk: the error does not name kept and lost flows: $(cat "$work/full.err")"
else
    [ $((kept + lost)) = 2000 ] || fail "full disk: $kept kept + $lost lost != 2000 flows"
    [ "$kept" -gt 0 ] || fail "full disk: nothing kept though lines fit"
    [ "$lines" = "$kept" ] || fail "full disk: $lines lines in the spool, the error says $kept"
fi
grep -q 'No space left on device' "$work/full.err" || fail "full disk: the reason is not named"
grep -q "left in the spool" "$work/full.err" || fail "full disk: no summary line"
# What was kept is whole flows, as converted.
python3 - "$work/full.spool" "$work/f2000.csv" <<'EOF' || fail "full disk: the spool holds damaged or unknown flows"
import csv, json, sys
rows = list(csv.reader(open(sys.argv[2], newline="")))
header, known = rows[0], {tuple(r) for r in rows[1:]}
for line in open(sys.argv[1]):
    obj = json.loads(line)
    if tuple(str(obj[k]) for k in header) not in known:
        sys.exit(f"not a converted flow: {line[:80]}")
EOF
}
# A private tmpfs needs root (the test suite runs as root; a developer's
# non-root run checks the rest).
if [ "$(id -u)" = 0 ]; then
    full_disk
else
    echo "full disk: skipped, not root"
fi

# ------------------------------------------------------------ 2, 6. a spool that is not a regular file
# Devices, FIFOs, directories: a usage error at once (never read for ever,
# never "kept in the spool /dev/null").
mkfifo "$work/fifo"
mkdir -p "$work/dir"
for spool in /dev/zero /dev/urandom /dev/full /dev/null "$work/fifo" "$work/dir"; do
    timeout -k 2 10 "$netflow" -f "$golden/dns.pcap" -u "$down_url" --spool "$spool" \
        --timeout 1 >/dev/null 2>"$work/spool.err"
    rc=$?
    [ "$rc" = 2 ] || fail "--spool $spool: exit $rc, want 2 (124/137: a hang): $(head -c 300 "$work/spool.err")"
    [ "$(wc -l <"$work/spool.err")" = 1 ] && grep -q "not a regular file" "$work/spool.err" ||
        fail "--spool $spool: not one clear line: $(head -c 300 "$work/spool.err")"
done
grep -q "kept in the spool /dev/null" "$work"/*.err && fail "flows said to be kept in /dev/null"

# ------------------------------------------------------------ 3. a response cut inside its headers
# Every other request is answered "HTTP/1.1 200 OK\r\nContent-Le" and the
# connection closed: a transport error, retried; every flow arrives once.
start_server "$work/cut" cut
"$netflow" -f "$golden/dns.pcap" -u "$url" --spool "$work/cut.spool" --timeout 5 2>"$work/cut.err"
rc=$?
stop_server
[ "$rc" = 0 ] || fail "cut headers: exit $rc: $(cat "$work/cut.err")"
[ "$(requests "$work/cut" cut)" -ge 1 ] || fail "cut headers: the server cut no response"
grep -q "incomplete response" "$work/cut.err" || fail "cut headers: not reported: $(cat "$work/cut.err")"
grep -q "http: $dns_rows flows\? delivered" "$work/cut.err" ||
    fail "cut headers: summary: $(tail -1 "$work/cut.err")"
python3 "$here/check_flows.py" --received "$work/cut/log" --csv "$work/dns.csv" ||
    fail "cut headers: a cut response was counted as delivered (flows missing)"

# ------------------------------------------------------------ 4. a server that rejects everything
# 413 to every request, each answer 10 ms late, --timeout 2: the run (about
# 5 s, 4 requests in flight) lasts longer than the timeout, yet answers are
# progress: every flow is rejected (none spooled as "unreachable", none left
# for the next run). 2 s, not 1: one slow answer on a loaded machine must
# not end delivery.
start_server "$work/reject" reject 0 --reject-status 413 --delay 0.01
"$netflow" -f "$work/f2000.pcap" -u "$url" --spool "$work/reject.spool" --timeout 2 \
    2>"$work/reject.err"
rc=$?
stop_server
[ "$rc" = 1 ] || fail "rejects: exit $rc, want 1"
grep -q "error: 2000 flows rejected by the server (HTTP 413), not retried" "$work/reject.err" ||
    fail "rejects: $(grep error: "$work/reject.err")"
grep -q "not delivered" "$work/reject.err" && fail "rejected flows spooled: $(grep error: "$work/reject.err")"
[ ! -e "$work/reject.spool" ] || fail "rejects: $(wc -l <"$work/reject.spool") flows spooled"
[ "$(requests "$work/reject" 413)" = 2000 ] || fail "rejects: $(requests "$work/reject" 413) requests answered, want 2000"

# ------------------------------------------------------------ 5. a server that never answers
# The reason is the timeout, in our words (not libcurl's "Failed to
# resolve host ... after 0 ms" for a request queued for a connection).
start_server "$work/hang" hang
timeout -k 5 60 "$netflow" -f "$work/f2000.pcap" -u "$url" --spool "$work/hang.spool" \
    --timeout 2 2>"$work/hang.err"
rc=$?
stop_server
[ "$rc" = 1 ] || fail "hang: exit $rc, want 1"
grep -q "error: 2000 flows not delivered (no answer within --timeout 2 s): kept in the spool" \
    "$work/hang.err" || fail "hang: wrong reason: $(grep error: "$work/hang.err")"
grep -qi "resolve" "$work/hang.err" && fail "hang: names resolving: $(cat "$work/hang.err")"
[ "$(wc -l <"$work/hang.spool")" = 2000 ] || fail "hang: spool lines"

# The server down: the reason is the refused connection (--timeout 5: with
# 1 s, a sanitizer build on a busy machine could reach the end-of-run
# window before curl had reported the refusal, and gave the timeout as the
# reason).
"$netflow" -f "$golden/dns.pcap" -u "$down_url" --spool "$work/down.spool" --timeout 5 \
    2>"$work/down.err"
grep -q "error: $dns_rows flows\? not delivered (.*Couldn't connect to server): kept in the spool" \
    "$work/down.err" || fail "server down: $(grep error: "$work/down.err")"

if grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$work"/*.err 2>/dev/null; then
    fail "sanitizer reports in the files above"
fi
if [ "$failures" -gt 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "http hardening: all checks passed"
