#!/usr/bin/env bash
# --export to real collectors on 127.0.0.1, several outputs in one run:
#   nfcapd (Debian's nfdump) over IPFIX and a second nfcapd over NetFlow v9,
#   a third --export to a UDP port nobody listens on (collector down: ICMP
#   port unreachable), -c CSV and -u to the test HTTP server, all at once,
#   for each of the largest captures of the nDPI corpus. Then:
#   - nfdump -o json of each collector has the CSV's flows row for row
#     (endpoints, protocol, packets and bytes per direction, TCP flags,
#     first/last ms: compare_nfdump.py);
#   - the HTTP server received the same flows (check_flows.py);
#   - every run exited 0 although one collector was down, and its summary
#     counted the refused messages.
#
#   export_collectors.sh NETFLOW REPO CORPUS_DIR [FILES]
set -uo pipefail
netflow=$1
root=$2
corpus=$3/pcap
nfiles=${4:-30}
work=$(mktemp -d /tmp/export_collectors.XXXXXX)
source "$root/tests/http/http_test.sh"
here_export=$root/tests/export

for tool in nfcapd nfdump; do
    command -v $tool >/dev/null || { echo "FAIL: $tool not installed (make deps)"; exit 1; }
done
[ -d "$corpus" ] || { echo "FAIL: no corpus at $corpus"; exit 1; }

free_udp_port() {
    python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

collector_pids=()
stop_collectors() {
    for pid in "${collector_pids[@]}"; do
        kill -TERM "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    collector_pids=()
}
trap 'stop_collectors; stop_server; rm -rf "$work"' EXIT

start_nfcapd() {  # DIR PORT
    mkdir -p "$1"
    timeout 900 nfcapd -b 127.0.0.1 -p "$2" -w "$1" -B 4000000 >"$1.log" 2>&1 &
    collector_pids+=($!)
}

ipfix_port=$(free_udp_port)
v9_port=$(free_udp_port)
down_port=$(free_udp_port)
start_nfcapd "$work/ipfix" "$ipfix_port"
start_nfcapd "$work/v9" "$v9_port"
start_server "$work/http" ok
sleep 1

mkdir -p "$work/csv"
runs=0 refused=0
# shellcheck disable=SC2012
for pcap in $(ls -S "$corpus" | head -n "$nfiles"); do
    name=${pcap%.*}
    "$netflow" -f "$corpus/$pcap" --version 3 -c -u "$work/csv/$name.csv" "$url" \
        --spool "$work/spool.jsonl" \
        --export "ipfix://127.0.0.1:$ipfix_port" --export "netflow9://127.0.0.1:$v9_port" \
        --export "ipfix://127.0.0.1:$down_port" >/dev/null 2>"$work/$name.err"
    rc=$?
    runs=$((runs + 1))
    rows=$(($(wc -l <"$work/csv/$name.csv") - 1))
    if [ $rc -ne 0 ]; then
        # A capture the corpus cannot convert whole: one clear error line.
        grep -q "netflow: error: cannot read" "$work/$name.err" ||
            fail "$pcap: exit $rc: $(head -3 "$work/$name.err")"
    fi
    for port in $ipfix_port $v9_port; do
        grep -q "export [a-z0-9]*://127.0.0.1:$port: $rows flows\? sent" "$work/$name.err" ||
            fail "$pcap: the summary does not say $rows flows were sent to port $port: $(grep "$port" "$work/$name.err")"
    done
    down=$(grep "127.0.0.1:$down_port:" "$work/$name.err")
    sent=$(sed -n 's/.*: \([0-9]*\) flows\? sent.*/\1/p' <<<"$down")
    lost=$(sed -n 's/.* \([0-9]*\) flows\? lost.*/\1/p' <<<"$down")
    [ $((sent + ${lost:-0})) -eq "$rows" ] ||
        fail "$pcap: the collector that is down: $sent sent + ${lost:-0} lost != $rows flows: $down"
    grep -q "refused (collector port unreachable)" <<<"$down" && refused=$((refused + 1))
done
[ "$runs" -ge 10 ] || fail "only $runs corpus files"
[ "$refused" -gt 0 ] || fail "no run counted a refused message to the closed port"

sleep 1
stop_collectors
stop_server
for kind in ipfix v9; do
    TZ=UTC nfdump -R "$work/$kind" -o json >"$work/$kind.json" 2>"$work/$kind.nfdump.err" ||
        fail "nfdump -R $kind: $(cat "$work/$kind.nfdump.err")"
    echo "$kind:"
    python3 "$here_export/compare_nfdump.py" "$work/$kind.json" "$work"/csv/*.csv ||
        fail "nfcapd over $kind did not receive the CSV's flows"
    grep -q "Bad Packets: 0" "$work/$kind.log" || fail "nfcapd ($kind) saw bad packets: $(tail -3 "$work/$kind.log")"
done
csv_args=()
for f in "$work"/csv/*.csv; do csv_args+=(--csv "$f"); done
python3 "$root/tests/http/check_flows.py" --received "$work/http/log" "${csv_args[@]}" ||
    fail "the HTTP server did not receive the CSV's flows"

if [ "$failures" -ne 0 ]; then
    echo "export_collectors: $failures failure(s)"
    exit 1
fi
echo "export_collectors: $runs captures, every flow at both collectors, over HTTP and in the CSV"
