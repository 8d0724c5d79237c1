#!/usr/bin/env bash
# IPFIX over TCP (--export ipfix+tcp://): the collector (tcp_collector.py on
# 127.0.0.1) closes the connection after a few messages and is down for a
# while; netflow reconnects, starts the new connection with the templates,
# and the flows after the outage arrive. Then tcp:// to a port nobody
# listens on: the run ends (within the drain timeout) with exit 1 and says
# how many flows were not delivered.
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
trap '[ -n "$collector" ] && kill -TERM "$collector" 2>/dev/null; rm -rf "$work"' EXIT

pcap=$corpus/$(ls -S "$corpus" | head -1)
python3 "$here/tcp_collector.py" --port-file "$work/port" --report "$work/report.json" \
    --first 3 --down 1.5 &
collector=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
port=$(cat "$work/port")
"$netflow" -f "$pcap" --filter "" -c "$work/flows.csv" --export "ipfix+tcp://127.0.0.1:$port" \
    2>"$work/err"
rc=$?
wait "$collector"
collector=
rows=$(($(wc -l <"$work/flows.csv") - 1))
echo "netflow exit $rc, $rows flows; $(grep 'export ' "$work/err")"
python3 - "$work/report.json" "$rows" <<'PY' || fail "the collector's report"
import json, sys
report = json.load(open(sys.argv[1]))
rows = int(sys.argv[2])
print("collector:", report)
assert len(report) == 2, "expected two connections"
assert all(c["templates_first"] for c in report), "a connection did not start with the templates"
assert report[0]["messages"] == 3
assert report[1]["flows"] > 0, "no flow after the reconnection"
total = sum(c["flows"] for c in report)
assert total <= rows, f"{total} flows received, more than the {rows} exported"
PY
grep -q "1 reconnection" "$work/err" || fail "the summary does not count the reconnection"

# A TCP collector that never comes: exit 1, the flows not delivered counted.
closed=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
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
echo "export_tcp: reconnected with templates, flows after the outage delivered; collector down: exit 1, counted"
