#!/usr/bin/env bash
# The kernel backend on a loopback interface (the lab client namespace's own
# lo, never the host's) counts each packet once: every packet lo sends it
# also receives, so XDP alone sees it, and TC egress would count it again.
# Real traffic on 127.0.0.1 (HTTP to a Python server, UDP datagrams answered
# by ICMP port unreachable, a refused TCP connection, ping); the live rows
# must equal the offline rows of a tcpdump recording of lo.
#   live_loopback.sh NETFLOW REPO_ROOT [TOLERANCE_MS]
set -uo pipefail
netflow=$1
root=$2
tolerance_ms=${3:-5}
# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"

nf_lab_up "o$$" || fail "lab"
fields=$("$netflow" -f "$root/tests/golden/dns.pcap" -c - --version 3 --no-label 2>/dev/null |
    head -1 | tr -d '\r'),L7_PROTO_NAME
mkdir -p "$work/www" && head -c 3000 /dev/zero | tr '\0' 'x' >"$work/www/page.txt"
ip netns exec "$NF_CLI_NS" timeout 120 python3 -m http.server --bind 127.0.0.1 --directory "$work/www" 18080 \
    >/dev/null 2>&1 &
pids+=($!)
nf_wait_for "http.server" 100 nf_cli curl -s -m 5 -o /dev/null http://127.0.0.1:18080/page.txt ||
    fail "the Python HTTP server did not start"

# Not through nf_cli (a function): $! must be tcpdump itself for the SIGINT.
# --immediate-mode: without it, tcpdump's TPACKET_V3 ring on lo left a few
# packets out of the recording now and then (ping's later echoes: 0 dropped
# by kernel, yet missing), which the sensor had counted.
ip netns exec "$NF_CLI_NS" timeout -s INT 120 tcpdump -i lo --immediate-mode -s 0 -U -n -w "$work/recorded.pcap" \
    2>"$work/tcpdump.log" &
record_pid=$!
pids+=("$record_pid")
nf_wait_for "tcpdump" 50 grep -q 'listening on' "$work/tcpdump.log" || fail "tcpdump did not start"
nf_sensor_start "$NF_CLI_NS" 100 "$work/netflow.log" -i lo --backend xdp -v -c "$work/live.csv" \
    --fields "$fields"
grep -q 'no TC egress' "$work/netflow.log" || fail "no note that lo gets no TC egress"

for i in 1 2 3; do
    nf_cli curl -s -m 10 -o /dev/null "http://127.0.0.1:18080/page.txt" || fail "curl $i"
done
# The datagrams go to open ports: the ICMP port unreachables of closed ones
# are rate-limited per host by the kernel, so how many exist varied by run.
ip netns exec "$NF_CLI_NS" timeout 60 python3 -c '
import select, socket
socks = []
for p in range(30001, 30011):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", p))
    socks.append(s)
print("ready", flush=True)
got = 0
while got < 10:
    for s in select.select(socks, [], [], 30)[0]:
        s.recv(100)
        got += 1
' >"$work/udp.log" 2>&1 &
pids+=($!)
nf_wait_for "udp listener" 50 grep -q ready "$work/udp.log" || fail "the UDP listener did not start"
nf_cli bash -c 'for p in $(seq 30001 30010); do echo "datagram $p" >/dev/udp/127.0.0.1/$p; done' ||
    fail "udp"
nf_cli bash -c 'echo >/dev/tcp/127.0.0.1/30100' 2>/dev/null && fail "port 30100 accepted"
nf_cli ping -c 3 -i 0.2 -q 127.0.0.1 >/dev/null || fail "ping"
sleep 0.5

nf_sensor_stop "$work/netflow.log"
kill -INT "$record_pid"
wait "$record_pid"
"$netflow" -f "$work/recorded.pcap" -c "$work/offline.csv" --fields "$fields" 2>/dev/null || fail "offline conversion"

packets() { python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(sum(int(r["IN_PKTS"]) + int(r["OUT_PKTS"]) for r in rows), len(rows))' "$1"; }
read -r live_pkts live_rows < <(packets "$work/live.csv")
read -r off_pkts off_rows < <(packets "$work/offline.csv")
echo "live: $live_pkts packets in $live_rows flows; recording: $off_pkts packets in $off_rows flows"
[ "$off_rows" -ge 15 ] || fail "the recording holds only $off_rows flows"
[ "$live_pkts" = "$off_pkts" ] || fail "live counted $live_pkts packets, the recording has $off_pkts"
python3 "$root/tests/live/compare_rows.py" "$work/live.csv" "$work/offline.csv" "$tolerance_ms" ||
    fail "live rows differ from offline rows"
echo "loopback: each packet counted once, rows equal the offline rows"
