#!/usr/bin/env bash
# Soak: the live kernel path for SECONDS under continuous lab traffic.
#
#   tools/bench/soak.sh BUILD_DIR [SECONDS]      (make soak; SOAK_SECONDS=60
#                                                 for a quick check)
#
# Lab (tools/lab/netns.sh): two namespaces joined by a veth pair. In the
# client namespace soak_traffic.py starts SOAK_NEW_PER_S new short UDP flows
# every second (5 datagrams each over a second) and keeps SOAK_LONG flows
# sending 4 datagrams a second for the whole run; a sink in the server
# namespace reads them (no ICMP unreachable comes back). netflow captures on
# the client end (--backend xdp: XDP ingress + TC egress) as --user nobody,
# with --idle-timeout 5 and --active-timeout 60, so short flows come and go
# and long ones are cut every minute. Every SOAK_SAMPLE seconds: the
# sensor's RSS and the number of entries in its kernel flow map (bpftool).
# At the end, SIGINT; soak_check.py gives the verdicts: exit 0, every
# generated flow exported once with every datagram counted, 0 unaccounted
# packets, RSS and map occupancy flat after the warm-up (the first quarter,
# at least 20 s).
#
# Exit status: 0 all PASS; 1 a FAIL or the lab failed; 77 not root.
set -uo pipefail
build=$(cd "${1:?usage: soak.sh BUILD_DIR [SECONDS]}" && pwd)
seconds=${2:-600}
root=$(cd "$(dirname "$0")/../.." && pwd)
netflow=${NETFLOW:-$build/netflow}
new_per_s=${SOAK_NEW_PER_S:-20}
long_flows=${SOAK_LONG:-4}
sample=${SOAK_SAMPLE:-5}
warmup=$((seconds / 4 > 20 ? seconds / 4 : 20))

# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"
command -v bpftool >/dev/null || fail "bpftool not installed (make deps)"

nf_lab_up "s$$" || fail "lab"
echo "soak: ${seconds} s, $new_per_s new flows/s, $long_flows long flows, sample every ${sample} s"

_nf_server_start sink "$work" timeout $((seconds + 60)) \
    python3 "$root/tools/bench/soak_traffic.py" sink 9000 9001 $((seconds + 50))
nf_wait_for "sink" 50 nf_srv_listening udp 9001 || fail "sink did not start"

ip netns exec "$NF_CLI_NS" timeout -s INT $((seconds + 120)) "$netflow" -i "$NF_CLI_IF" \
    --backend xdp --user nobody --idle-timeout 5 --active-timeout 60 -v \
    -c "$work/soak.csv" 2>"$work/netflow.log" &
sensor=$!
pids+=("$sensor")
nf_wait_for "netflow" 100 grep -q 'capturing on' "$work/netflow.log" ||
    fail "netflow did not start: $(cat "$work/netflow.log")"
nf_pid=$(pgrep -P "$sensor" -x netflow | head -1)
[ -n "$nf_pid" ] || fail "no netflow process"

# The flow map of this sensor: the nf_flows map among the maps its
# process holds fds of (/proc/PID/fdinfo names their ids).
flow_map=$(bpftool map show -j | python3 -c '
import glob, json, re, sys
held = set()
for path in glob.glob("/proc/%s/fdinfo/*" % sys.argv[1]):
    try:
        m = re.search(r"^map_id:\s*(\d+)", open(path).read(), re.M)
    except OSError:
        continue
    if m:
        held.add(int(m.group(1)))
for m in json.load(sys.stdin):
    if m.get("name") == "nf_flows" and m["id"] in held:
        print(m["id"]); break' "$nf_pid")
[ -n "$flow_map" ] || fail "cannot find the sensor's flow map with bpftool"

ip netns exec "$NF_CLI_NS" timeout $((seconds + 60)) python3 "$root/tools/bench/soak_traffic.py" \
    send "$NF_SRV_IP4" 9000 9001 "$seconds" "$new_per_s" "$long_flows" "$work/sent.json" &
sender=$!
pids+=("$sender")

start=$(date +%s)
: >"$work/samples.tsv"
while kill -0 "$sender" 2>/dev/null; do
    now=$(($(date +%s) - start))
    [ "$now" -gt $((seconds + 30)) ] && fail "the traffic generator did not finish"
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$nf_pid/status" 2>/dev/null)
    entries=$(bpftool map dump id "$flow_map" -j 2>/dev/null |
        python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
    [ -n "$rss" ] && [ -n "$entries" ] && echo "$now $rss $entries" >>"$work/samples.tsv"
    sleep "$sample"
done
wait "$sender" || fail "the traffic generator failed"
# Let the last short flows go idle and be exported, then stop.
sleep 8
kill -INT "$sensor"
wait "$sensor"
rc=$?
pids=()
[ "$rc" = 0 ] || fail "netflow exited $rc: $(tail -5 "$work/netflow.log")"
tail -3 "$work/netflow.log"
python3 "$root/tools/bench/soak_check.py" "$work/soak.csv" "$work/sent.json" \
    "$work/samples.tsv" "$work/netflow.log" "$warmup" "$NF_CLI_IP4" "$NF_SRV_IP4" ||
    { NF_KEEP_WORK=1; fail "soak"; }
echo "soak: PASS (${seconds} s)"
