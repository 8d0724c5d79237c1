#!/usr/bin/env bash
# tools/xdp_replay, the NIC-like generator, on the lab's veth pair: every
# frame it says it sent reaches the peer's native XDP program, its rounds
# make distinct flows with correct checksums, and netflow's kernel path
# counts every one of them.
#   xdp_replay_live.sh XDP_REPLAY NETFLOW XDP_PASS_OBJ REPO_ROOT
#
# 1. A bare XDP_PASS program on the server end, tcpdump there: xdp_replay
#    sends tests/golden/http.pcap (185 frames, 2 flows) in 30 rounds from
#    the client namespace into the client end. The server end's XDP
#    counter (ethtool -S rx_queue_0_xdp_packets) and tcpdump see 5,550
#    frames; the recording converts offline to 60 flows (2 a round) of
#    5,550 packets, and tcpdump finds no incorrect checksum.
# 2. netflow --backend xdp (host mode) on the server end instead: a replay
#    bounded by --count 3000 (16 rounds and a part); netflow's rows hold
#    3,000 packets.
# 0. Outside a named network namespace it refuses (exit 1); --rounds 0 is a
#    usage error (exit 2).
# Round 0 would carry the lab's own addresses (the server's stack would
# answer), so the rounds start at 1.
set -uo pipefail
replay=$1
netflow=$2
xdp_pass=$3
root=$4
# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"
template=$root/tests/golden/http.pcap

# Never outside a lab namespace; bad arguments are usage errors.
"$replay" -i lo -r "$template" >"$work/root.log" 2>&1
rc=$?
if [ "$rc" != 1 ] || ! grep -q 'refusing to send outside a named network namespace' "$work/root.log"; then
    fail "xdp_replay in the initial namespace: exit $rc: $(cat "$work/root.log")"
fi
"$replay" -i lo -r "$template" --rounds 0 >"$work/usage.log" 2>&1
rc=$?
[ "$rc" = 2 ] || fail "xdp_replay --rounds 0: exit $rc, not 2: $(cat "$work/usage.log")"

nf_lab_up "xr$$" || fail "lab"
# No IPv6 on the pair: nothing but the replay reaches the server end.
for ns_if in "$NF_CLI_NS:$NF_CLI_IF" "$NF_SRV_NS:$NF_SRV_IF"; do
    ip netns exec "${ns_if%%:*}" sysctl -q -w "net.ipv6.conf.${ns_if#*:}.disable_ipv6=1" ||
        fail "disable IPv6"
done
xdp_packets() { nf_srv ethtool -S "$NF_SRV_IF" | awk '$1 == "rx_queue_0_xdp_packets:" { print $2 }'; }
sent_of() { sed -n 's/^xdp_replay: sent \([0-9]*\) frames.*/\1/p' "$1"; }

# ---- 1: XDP_PASS, tcpdump
nf_srv ip link set dev "$NF_SRV_IF" xdpdrv obj "$xdp_pass" sec xdp || fail "attach $xdp_pass"
ip netns exec "$NF_SRV_NS" timeout -s INT 120 \
    tcpdump -i "$NF_SRV_IF" -B 65536 -s 0 -U -n -w "$work/recorded.pcap" 2>"$work/tcpdump.log" &
rec=$!
pids+=("$rec")
nf_wait_for "tcpdump" 50 grep -q 'listening on' "$work/tcpdump.log" || fail "tcpdump did not start"
before=$(xdp_packets)
nf_cli timeout 60 "$replay" -i "$NF_CLI_IF" -r "$template" --first-round 1 --rounds 30 \
    >"$work/replay1.log" 2>&1 || fail "xdp_replay: $(cat "$work/replay1.log")"
cat "$work/replay1.log"
sleep 1
after=$(xdp_packets)
kill -INT "$rec"
wait "$rec"
sent=$(sent_of "$work/replay1.log")
[ "$sent" = 5550 ] || fail "xdp_replay sent '$sent' frames, not 185 x 30 = 5550"
[ $((after - before)) = "$sent" ] ||
    fail "the server end's XDP program saw $((after - before)) frames of $sent"
captured=$(awk '/packets captured/ { print $1 }' "$work/tcpdump.log")
[ "$captured" = "$sent" ] || fail "tcpdump captured $captured frames of $sent"
bad=$(tcpdump -vv -nn -r "$work/recorded.pcap" 2>/dev/null | grep -c incorrect)
[ "$bad" = 0 ] || fail "$bad frames with an incorrect checksum"
"$netflow" -f "$work/recorded.pcap" -c "$work/recorded.csv" 2>/dev/null || fail "offline conversion"
packets() { python3 -c '
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
print(sum(int(r["IN_PKTS"]) + int(r["OUT_PKTS"]) for r in rows), len(rows))' "$1"; }
read -r pkts rows < <(packets "$work/recorded.csv")
echo "XDP_PASS: $((after - before)) frames at the peer's XDP; recording: $pkts packets, $rows flows"
if [ "$pkts" != "$sent" ] || [ "$rows" != 60 ]; then
    fail "the recording holds $pkts packets in $rows flows, not $sent in 60"
fi
nf_srv ip link set dev "$NF_SRV_IF" xdpdrv off || fail "detach $xdp_pass"

# ---- 2: netflow's kernel path, a replay cut by --count
nf_sensor_start "$NF_SRV_NS" 300 "$work/netflow.log" -i "$NF_SRV_IF" --backend xdp -v \
    -c "$work/live.csv"
nf_cli timeout 60 "$replay" -i "$NF_CLI_IF" -r "$template" --first-round 1 --rounds 1000 \
    --count 3000 >"$work/replay2.log" 2>&1 || fail "xdp_replay: $(cat "$work/replay2.log")"
cat "$work/replay2.log"
sent=$(sent_of "$work/replay2.log")
[ "$sent" = 3000 ] || fail "xdp_replay --count 3000 sent '$sent' frames"
sleep 1
nf_sensor_stop "$work/netflow.log"
read -r pkts rows < <(packets "$work/live.csv")
echo "netflow --backend xdp: $pkts packets in $rows flows"
[ "$pkts" = 3000 ] || fail "netflow counted $pkts packets of 3000: $(tail -n 3 "$work/netflow.log")"
echo "xdp_replay: every frame sent arrived"
