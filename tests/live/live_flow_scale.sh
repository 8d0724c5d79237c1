#!/usr/bin/env bash
# The default flow map holds 600 K concurrent flows without overflow. A
# capture of 640 K distinct TCP flows (gen_synthetic_flows: a SYN each, then
# a request each, all open at once) is replayed into the lab veth
# (tcpreplay, as fast as it goes); netflow -i counts them (--dpi-packets 0:
# no payload for DPI) with timeouts longer than the run, so every flow is
# still in the kernel's map at the stop. Then: no packet found the map
# full, at least 600 K flows started in the kernel and none ended before
# the stop, and the final drain wrote one row per flow with every packet
# the sensor counted.
#   live_flow_scale.sh NETFLOW REPO_ROOT GEN_SYNTHETIC_FLOWS [FLOWS [NEEDED]]
# With NF_SCALE_HOLD=SECONDS, the sensor holds the flows that long before the
# stop and its CPU time over the hold is printed, and NF_SCALE_ARGS are added
# to the sensor's arguments (docs/decisions.md: its numbers).
set -uo pipefail
netflow=$1
root=$2
gen=$3
flows=${4:-640000}
needed=${5:-600000}
# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"
command -v tcpreplay >/dev/null || fail "tcpreplay is not installed (make deps)"

nf_lab_up "s$$" || fail "lab"
"$gen" "$work/flows.pcap" "$flows" "$flows" 2>/dev/null || fail "gen_synthetic_flows"

nf_sensor_start "$NF_CLI_NS" 100 "$work/netflow.log" -i "$NF_CLI_IF" --backend xdp -v \
    --filter tcp --dpi-packets 0 --app-packets 0 --idle-timeout 600 --active-timeout 1200 \
    -c "$work/live.csv" --fields IN_PKTS,OUT_PKTS ${NF_SCALE_ARGS:-}
ip netns exec "$NF_SRV_NS" timeout 90 tcpreplay -q --topspeed -i nfs0 "$work/flows.pcap" \
    >"$work/tcpreplay.log" 2>&1 || fail "tcpreplay: $(cat "$work/tcpreplay.log")"
sleep 1
if [ -n "${NF_SCALE_HOLD:-}" ]; then
    cpu() { awk '{print $14 + $15}' "/proc/$(pgrep -P "$sensor" -x netflow || echo "$sensor")/stat"; }
    start=$(cpu)
    sleep "$NF_SCALE_HOLD"
    echo "holding the flows for $NF_SCALE_HOLD s: $(($(cpu) - start)) ticks of netflow CPU" \
        "(user + system, $(getconf CLK_TCK) a second)"
fi
nf_sensor_stop "$work/netflow.log"
pids=()

grep 'found the flow map full' "$work/netflow.log" && fail "packets found the flow map full"
read -r started timer_ended packet_ended < <(sed -n \
    's/.*expiry: \([0-9]*\) flows started in the kernel, \([0-9]*\) ended by their timer, \([0-9]*\) by a packet.*/\1 \2 \3/p' \
    "$work/netflow.log")
echo "flows started in the kernel: ${started:-?}; ended before the stop: ${timer_ended:-?} by" \
    "timer, ${packet_ended:-?} by a packet"
[ -n "${started:-}" ] || fail "no expiry line: $(cat "$work/netflow.log")"
[ "$started" -ge "$needed" ] || fail "only $started flows reached the map (of $flows sent)"
[ "$timer_ended" = 0 ] && [ "$packet_ended" = 0 ] || fail "flows ended before the stop"
read -r rows pkts < <(python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(len(rows), sum(int(r["IN_PKTS"]) + int(r["OUT_PKTS"]) for r in rows))' "$work/live.csv")
read -r seen filtered < <(sed -n \
    's/^netflow: \([0-9]*\) packets, .*not counted: \([0-9]*\) filtered out.*/\1 \2/p;
     s/^netflow: \([0-9]*\) packets, [^;]*$/\1 0/p' "$work/netflow.log")
counted=$((${seen:-0} - ${filtered:-0}))
echo "rows: $rows, packets in them: $pkts, packets the sensor counted: $counted"
[ "$rows" = "$started" ] || fail "$rows rows for $started flows"
[ "$pkts" = "$counted" ] || fail "$pkts packets in the rows, the sensor counted $counted"
echo "flow scale: $started concurrent flows held in the kernel's map, none overflowed"
