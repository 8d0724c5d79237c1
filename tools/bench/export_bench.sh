#!/usr/bin/env bash
# --export cost (issue 12), two parts:
# 1. BUILD_DIR/tools/export_bench: flows/s of IPFIX and NetFlow v9 export on
#    one core next to the CSV writer's, the same synthetic flows, the same
#    run (median of rounds); PASS when IPFIX >= 500,000 flows/s.
# 2. Bytes on the wire per flow: netflow --export netflow9:// and softflowd
#    -v 9 of the same capture, each to a UDP counter on 127.0.0.1 (softflowd
#    exports its 12-odd NetFlow v5-like fields; netflow every column of the
#    default NF-v2 set, 43).
#
#   tools/bench/export_bench.sh BUILD_DIR PCAP
set -uo pipefail
BUILD_DIR=$1
PCAP=$2
CPU=${BENCH_CPU:-1}
FLOWS=${EXPORT_BENCH_FLOWS:-500000}
ROUNDS=${EXPORT_BENCH_ROUNDS:-5}
status=0

out=$(taskset -c "$CPU" "$BUILD_DIR/tools/export_bench" "$FLOWS" "$ROUNDS" 2) || status=1
echo "$out" | grep -v '^[A-Z_]*='
ipfix=$(sed -n 's/^IPFIX_FLOWS_PER_S=//p' <<<"$out")
if [ -n "$ipfix" ] && [ "$ipfix" -ge 500000 ]; then
    echo "export: IPFIX $ipfix flows/s >= 500000: PASS"
else
    echo "export: IPFIX ${ipfix:-?} flows/s >= 500000: FAIL"
fi

counter() {  # PORT_FILE REPORT: counts datagrams, bytes and v9 data records
    python3 - "$1" "$2" <<'PY' >/dev/null 2>&1 &
import socket, struct, sys, signal
stop = []
signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind(("127.0.0.1", 0)); s.settimeout(0.1)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
n = b = records = templates = 0
while not stop:
    try:
        d = s.recv(65535)
    except (socket.timeout, InterruptedError):
        continue
    n += 1; b += len(d)
    records += struct.unpack("!H", d[2:4])[0]
    off = 20
    while off + 4 <= len(d):
        sid, ln = struct.unpack("!HH", d[off:off + 4])
        if ln < 4: break
        if sid in (0, 1):  # template / options template records
            p = off + 4
            while p + 4 <= off + ln:
                tid, cnt = struct.unpack("!HH", d[p:p + 4])
                if tid == 0: break
                templates += 1
                p += 4 + (cnt * 4 if sid == 0 else 2 + cnt)
        off += ln
open(sys.argv[2], "w").write(f"{n} {b} {records - templates}\n")
PY
    echo $!
}

work=$(mktemp -d /tmp/export_bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
for tool in netflow softflowd; do
    pid=$(counter "$work/$tool.port" "$work/$tool.report")
    for _ in $(seq 50); do [ -s "$work/$tool.port" ] && break; sleep 0.1; done
    port=$(cat "$work/$tool.port")
    if [ $tool = netflow ]; then
        "$BUILD_DIR/netflow" -f "$PCAP" -c /dev/null --export "netflow9://127.0.0.1:$port" \
            --export-template-packets 16 2>"$work/netflow.err" || status=1
        sent=$(sed -n 's/.*: \([0-9]*\) flows sent in [0-9]* messages (\([0-9]*\) bytes.*/\1 \2/p' "$work/netflow.err")
    else
        softflowd -r "$PCAP" -n "127.0.0.1:$port" -v 9 >/dev/null 2>&1 || status=1
    fi
    sleep 1
    kill -TERM "$pid"
    for _ in $(seq 50); do [ -s "$work/$tool.report" ] && break; sleep 0.1; done
    read -r dgrams bytes records <"$work/$tool.report"
    if [ $tool = netflow ]; then
        flows=${sent%% *}
        echo "export: netflow  v9: $flows flows, $bytes bytes received in $dgrams datagrams ($(awk -v b="$bytes" -v f="$flows" 'BEGIN{printf "%.1f", f ? b/f : 0}') bytes/flow; sent: $sent)"
    else
        echo "export: softflowd v9: $records data records, $bytes bytes in $dgrams datagrams ($(awk -v b="$bytes" -v f="$records" 'BEGIN{printf "%.1f", f ? b/f : 0}') bytes/flow)"
    fi
done
exit $status
