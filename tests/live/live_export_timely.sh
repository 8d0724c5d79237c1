#!/usr/bin/env bash
# Live rows leave when their flow ends, not when the sensor stops
# (docs/live-export.md). In a private namespace lab, netflow captures with
# --idle-timeout 2 --active-timeout 3 while a reader watches its output
# (row_watcher.py notes when each line becomes visible):
#   file  -c FILE, polled as tail -f would;
#   pipe  -c - into a pipe, read line by line;
#   url   -u to flow_server.py, the POSTed flows as the server logs them.
# Traffic: one HTTP request (ends with FIN), one ping (idle timeout) and a
# UDP datagram every 1.1 s for 10 s (split by the active timeout). 4.5 s
# after the last packet the sensor gets SIGINT. check_timely.py: the header
# at start, every row visible within 4 s of its last packet and before
# SIGINT, the UDP flow's rows about 3.3 s apart, and every row equal to the
# offline conversion of a tcpdump recording of the same traffic.
#   live_export_timely.sh NETFLOW REPO_ROOT BACKEND CAPTURE OUTPUT [TOLERANCE_MS]
# BACKEND: xdp or pcap; CAPTURE: host or tap (a mirror port, nf_tap_up).
# Needs root (network namespaces). Exit 77 (skip) only when not root.
set -uo pipefail
netflow=$1
root=$2
backend=$3
capture=$4
output=$5
tolerance_ms=${6:-5}

# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"

nf_lab_up "e$$" || fail "lab"
sensor_ns=$NF_CLI_NS
sensor_if=$NF_CLI_IF
if [ "$capture" = tap ]; then
    nf_tap_up || fail "mirror port"
    sensor_ns=$NF_TAP_NS
    sensor_if=$NF_TAP_IF
fi
nf_http_server_start "$work/nginx" || fail "nginx"
nf_srv timeout 60 python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 9999))
while True:
    s.recv(2048)' "$NF_SRV_IP4" &
pids+=("$!")
nf_wait_for "UDP receiver" 50 nf_srv_listening udp 9999 || fail "UDP receiver"

fields=$("$netflow" -f "$root/tests/golden/dns.pcap" -c - --version 3 --no-label 2>/dev/null |
    head -1 | tr -d '\r'),L7_PROTO_NAME
options=(-i "$sensor_if" --backend "$backend" --capture "$capture" --idle-timeout 2
    --active-timeout 3 --fields "$fields" -v)
stdout=$work/stdout
format=csv
case $output in
file)
    options+=(-c "$work/live.csv")
    source=$work/live.csv
    ;;
pipe)
    mkfifo "$work/rows.fifo" || fail "mkfifo"
    options+=(-c -)
    source=$work/rows.fifo
    stdout=$work/rows.fifo
    ;;
url)
    ip netns exec "$sensor_ns" timeout 120 python3 "$root/tests/http/flow_server.py" \
        --port-file "$work/port" --log "$work/posted" --requests "$work/requests" &
    pids+=("$!")
    nf_wait_for "flow_server" 100 test -s "$work/port" || fail "flow_server did not start"
    options+=(-u "http://127.0.0.1:$(cat "$work/port")/predict" --spool "$work/spool")
    touch "$work/posted"
    source=$work/posted
    format=json
    ;;
*) fail "unknown output $output" ;;
esac
timeout 90 python3 "$root/tests/live/row_watcher.py" "$source" "$work/arrivals" 80 &
watcher=$!
pids+=("$watcher")

nf_record_start
ip netns exec "$sensor_ns" timeout -s INT 120 "$netflow" "${options[@]}" \
    >"$stdout" 2>"$work/netflow.log" &
sensor=$!
pids+=("$sensor")
nf_wait_for "netflow" 100 grep -q 'capturing on' "$work/netflow.log" ||
    fail "netflow did not start: $(cat "$work/netflow.log")"
started_ms=$(date +%s%3N)

nf_cli curl -sS --fail --max-time 10 -o /dev/null "http://$NF_SRV_IP4/small.html" || fail "curl"
nf_cli ping -c 1 -W 2 -q "$NF_SRV_IP4" >/dev/null || fail "ping"
nf_cli timeout 30 python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 40000))
start = time.monotonic()
for i in range(9):
    time.sleep(max(0.0, start + 1.1 * i - time.monotonic()))
    s.sendto(b"tick %d" % i, (sys.argv[2], 9999))' "$NF_CLI_IP4" "$NF_SRV_IP4" || fail "UDP sender"
sleep 4.5

stopped_ms=$(date +%s%3N)
nf_sensor_stop "$work/netflow.log"
nf_record_stop
# The reader sees what SIGINT wrote too (a pipe: until its end).
if [ "$output" = pipe ]; then wait "$watcher"; else sleep 1 && kill "$watcher"; fi
pids=()

"$netflow" -f "$work/recorded.pcap" --idle-timeout 2 --active-timeout 3 --fields "$fields" \
    -c "$work/offline.csv" 2>/dev/null || fail "offline conversion of the recording failed"
python3 "$root/tests/live/check_timely.py" "$work/arrivals" "$work/offline.csv" "$tolerance_ms" \
    "$started_ms" "$stopped_ms" "$format" || {
    sed 's/^/  netflow: /' "$work/netflow.log"
    fail "live rows not timely ($backend, $capture, $output)"
}
echo "live ($backend, $capture, $output): every row visible within 4 s of its flow's end"
