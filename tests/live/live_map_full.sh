#!/usr/bin/env bash
# A flow map far too small for the traffic loses no packet: the packets the
# map cannot take are counted in userspace, so the live rows hold exactly
# the packets a tcpdump recording of the same interface holds.
#   live_map_full.sh NETFLOW REPO_ROOT
set -uo pipefail
netflow=$1
root=$2
# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"

nf_lab_up "m$$" || fail "lab"
nf_record_start
nf_sensor_start "$NF_CLI_NS" 100 "$work/netflow.log" -i "$NF_CLI_IF" --backend xdp -v \
    --flow-map-size 4 -c "$work/live.csv"

# 200 UDP flows of 3 datagrams each (the server answers each with an ICMP
# port unreachable), far beyond 4 map entries.
nf_cli bash -c 'for p in $(seq 20001 20200); do
    for i in 1 2 3; do echo "flow $p packet $i" >/dev/udp/'"$NF_SRV_IP4"'/$p; done; done' ||
    fail "traffic"
sleep 1

nf_sensor_stop "$work/netflow.log"
nf_record_stop
pids=()

"$netflow" -f "$work/recorded.pcap" -c "$work/offline.csv" 2>/dev/null || fail "offline conversion"
packets() { python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(sum(int(r["IN_PKTS"]) + int(r["OUT_PKTS"]) for r in rows), len(rows))' "$1"; }
read -r live_pkts live_rows < <(packets "$work/live.csv")
read -r off_pkts off_rows < <(packets "$work/offline.csv")
echo "live: $live_pkts packets in $live_rows flows; recording: $off_pkts packets in $off_rows flows"
grep -q 'found the flow map full' "$work/netflow.log" || fail "the map never filled: $(cat "$work/netflow.log")"
grep -q 'raise --flow-map-size' "$work/netflow.log" || fail "no -v line naming --flow-map-size"
[ "$off_pkts" -ge 600 ] || fail "the recording holds only $off_pkts packets"
[ "$live_pkts" = "$off_pkts" ] || fail "live counted $live_pkts packets, the recording has $off_pkts"
[ "$live_rows" = "$off_rows" ] || fail "live wrote $live_rows flows, the recording has $off_rows"
echo "map full: every packet accounted"
