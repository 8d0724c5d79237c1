#!/usr/bin/env bash
# IPFIX over TCP (--export ipfix+tcp://): the collector (tcp_collector.py on
# 127.0.0.1) is down when the run starts and comes up 2 s later: netflow
# keeps trying, connects, sends the templates first, and every flow of the
# CSV arrives. Then tcp:// to a port nobody ever listens on: the run ends
# (within the drain timeout) with exit 1 and says how many flows were not
# delivered, the CSV whole.
#
#   export_tcp.sh NETFLOW CORPUS_DIR
set -uo pipefail
netflow=$1
corpus=$2/pcap
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/export_tcp.XXXXXX)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
collector=
holder=
trap '[ -n "$collector" ] && kill -TERM "$collector" 2>/dev/null; [ -n "$holder" ] && kill "$holder" 2>/dev/null; rm -rf "$work"' EXIT

pcap=$corpus/$(ls -S "$corpus" | head -1)
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# The collector is down when the run starts and comes up 2 s later: the
# sender retries, connects, sends the templates first and every flow.
port=$(free_port)
python3 "$here/tcp_collector.py" --port "$port" --delay 2 --first 0 \
    --report "$work/report.json" --seconds 100 &
collector=$!
"$netflow" -f "$pcap" --filter "" -c "$work/flows.csv" --export "ipfix+tcp://127.0.0.1:$port" \
    2>"$work/err"
rc=$?
wait "$collector"
collector=
rows=$(($(wc -l <"$work/flows.csv") - 1))
echo "netflow exit $rc, $rows flows; $(grep 'export ' "$work/err")"
[ $rc -eq 0 ] || fail "exit $rc: $(cat "$work/err")"
python3 - "$work/report.json" "$rows" <<'PY' || fail "the collector's report"
import json, sys
report = json.load(open(sys.argv[1]))
rows = int(sys.argv[2])
print("collector:", report)
assert len(report) == 1, "expected one connection"
assert report[0]["templates_first"], "the connection did not start with the templates"
assert report[0]["flows"] == rows, f"{report[0]['flows']} flows received, {rows} exported"
PY
grep -q "$rows flows sent" "$work/err" || fail "the summary does not say $rows flows were sent"

# A TCP collector that never comes: exit 1, the flows not delivered counted.
# The port is held, bound and not listening, until the test ends
# (tests/support/hold_port.py says why).
exec {holder_fd}< <(exec python3 "$here/../support/hold_port.py" 2>/dev/null)
holder=$!
read -r closed <&"$holder_fd" || fail "no port held"
start=$(date +%s)
"$netflow" -f "$pcap" --filter "" -c "$work/flows2.csv" --export "tcp://127.0.0.1:$closed" \
    2>"$work/err2"
rc=$?
took=$(($(date +%s) - start))
[ $rc -eq 1 ] || fail "collector never up: exit $rc, not 1"
grep -q "flows not delivered" "$work/err2" || fail "no 'flows not delivered' line: $(cat "$work/err2")"
[ "$took" -le 60 ] || fail "the run took ${took}s with the collector down"
[ "$(wc -l <"$work/flows2.csv")" -eq $((rows + 1)) ] || fail "the CSV lost flows while the collector was down"

[ "$failures" -eq 0 ] || { echo "export_tcp: $failures failure(s)"; exit 1; }
echo "export_tcp: a collector that comes up late gets the templates first and every flow; one that never comes: exit 1, counted"
