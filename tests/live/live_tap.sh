#!/usr/bin/env bash
# tap capture (a mirror port) against the offline path, in a private
# three-namespace lab (tools/lab/live_test.sh, nf_tap_up): the client and
# server talk over their veth pair as in live_vs_offline.sh, and a mirror
# of the client's interface arrives on a veth end in a sensor namespace.
#
# netflow counts in XDP and drops every frame there; payload packets reach
# nDPI through AF_XDP sockets, one per RX queue (the mirror pair has two, so
# flows spread over two sockets). The tap rows must equal the offline rows
# of the recording in every column, L7_PROTO included (DPI got its packets
# through AF_XDP); time columns within TOLERANCE_MS. The summary must say
# that every frame the program redirected was received, none lost.
#   live_tap.sh NETFLOW REPO_ROOT [TOLERANCE_MS [XDP_MODE]]
# XDP_MODE (--xdp-mode): native (the default) or generic, where the sockets
# are bound in copy mode without trying zero-copy.
# Needs root (network namespaces). Exit 77 (skip) only when not root.
set -uo pipefail
netflow=$1
root=$2
tolerance_ms=${3:-5}
xdp_mode=${4:-native}

# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"

nf_lab_up "t$$" || fail "lab"
nf_lab_require_tools tc tcpdump || fail "tools"
nf_tap_up || fail "mirror port"
sensor_ns=$NF_TAP_NS
tap_if=$NF_TAP_IF

nf_http_server_start "$work/nginx" || fail "nginx"
nf_dns_server_start "$work/dns" || fail "dnsmasq"

fields=$("$netflow" -f "$root/tests/golden/dns.pcap" -c - --version 3 --no-label 2>/dev/null |
    head -1 | tr -d '\r'),L7_PROTO_NAME,SERVER_NAME

nf_record_start
nf_sensor_start "$sensor_ns" 100 "$work/netflow.log" -i "$tap_if" --capture tap \
    --backend xdp --xdp-mode "$xdp_mode" -v -c "$work/live.csv" --fields "$fields"

# The traffic, by real programs; each must succeed.
nf_mixed_traffic || fail "traffic"

nf_sensor_stop "$work/netflow.log"
nf_record_stop
pids=()
echo "netflow's log:"
sed 's/^/  /' "$work/netflow.log"
echo "$tap_if's XDP counters per RX queue:"
ip netns exec "$sensor_ns" ethtool -S "$tap_if" 2>/dev/null | grep -E 'rx_queue_[0-9]+_xdp_(packets|redirect|drops)' |
    sed 's/^ */  /'

grep -q "capturing on $tap_if: XDP $xdp_mode\$" "$work/netflow.log" ||
    fail "expected XDP $xdp_mode and no TC egress on the tap"
grep -qE '^netflow: AF_XDP queue 1: (copy|zero-copy) mode' "$work/netflow.log" ||
    fail "expected an AF_XDP socket on each of the two RX queues, with its mode (-v)"
if [ "$xdp_mode" = generic ]; then
    grep -q '^netflow: AF_XDP queue 0: copy mode (generic XDP)$' "$work/netflow.log" ||
        fail "generic XDP: expected copy mode without a zero-copy attempt"
fi
summary=$(grep -E '^netflow: AF_XDP \(' "$work/netflow.log") || fail "no AF_XDP summary line"
re='AF_XDP \(([a-z -]+) mode, 2 sockets\): ([0-9]+) of ([0-9]+) redirected frames received, ([0-9]+) lost'
[[ $summary =~ $re ]] || fail "unexpected AF_XDP summary: $summary"
received=${BASH_REMATCH[2]} redirected=${BASH_REMATCH[3]} lost=${BASH_REMATCH[4]}
[ "$redirected" -gt 0 ] || fail "the program redirected no frame to AF_XDP"
[ "$lost" = 0 ] && [ "$received" = "$redirected" ] ||
    fail "received $received of $redirected redirected frames, $lost lost"
[[ $summary == *"without metadata"* ]] && fail "frames without metadata: $summary"

"$netflow" -f "$work/recorded.pcap" -c "$work/offline.csv" --fields "$fields" 2>/dev/null ||
    fail "offline conversion of the recording failed"
python3 "$root/tests/live/compare_rows.py" "$work/live.csv" "$work/offline.csv" "$tolerance_ms" ||
    fail "tap rows differ from offline rows"
grep -q 'HTTP' "$work/live.csv" && grep -q ',DNS,' "$work/live.csv" && grep -q ',ICMP,' "$work/live.csv" ||
    fail "expected HTTP, DNS and ICMP flows in the tap rows"
echo "live (tap, XDP $xdp_mode): rows equal the offline rows of the mirrored traffic; $received frames via AF_XDP"
