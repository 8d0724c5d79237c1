# shellcheck shell=bash
# tools/lab/live_test.sh — what every live test script shares. *Sourced*
# first, with the repository root set:
#
#   root=$2; source "$root/tools/lab/live_test.sh"
#
# Not root: prints SKIP and exits 77 (CI runs as root, so nothing skips
# there). Then: sources netns.sh and servers.sh; makes $work (a temporary
# directory, readable by the servers, removed at exit unless NF_KEEP_WORK
# is set); $pids collects background processes, sent $NF_STOP_SIGNAL (INT
# unless the script sets it) at exit, before the servers, the script's own
# nf_test_cleanup (if it defines one) and the lab go; fail prints and exits.
#
#   nf_record_start        tcpdump on the client end -> $work/recorded.pcap
#   nf_sensor_start NS TRIES LOG ARGS...
#                          netflow ARGS in namespace NS, stderr to LOG,
#                          bounded by `timeout`; waits until it captures
#                          (TRIES x 0.1 s); sets $sensor
#   nf_sensor_stop LOG     SIGINT to $sensor: fails unless it exits 0
#   nf_record_stop         SIGINT to tcpdump; the recording is complete
#   nf_tap_up              a mirror port: both directions of the client's
#                          interface copied (tc mirred) onto a veth pair
#                          whose other end, $NF_TAP_IF (two RX queues), is
#                          in a third namespace, $NF_TAP_NS
# Every process is bounded by `timeout`, every wait by a number of tries.

if [ "$(id -u)" != 0 ]; then
    echo "SKIP: live tests need root (network namespaces)"
    exit 77
fi
# shellcheck source=tools/lab/netns.sh
source "$root/tools/lab/netns.sh"
# shellcheck source=tools/lab/servers.sh
source "$root/tools/lab/servers.sh"

work=$(mktemp -d /tmp/nf-live.XXXXXX)
chmod 755 "$work"
pids=()
NF_STOP_SIGNAL=${NF_STOP_SIGNAL:-INT}

_nf_live_cleanup() {
    local p
    for p in "${pids[@]}"; do kill "-$NF_STOP_SIGNAL" "$p" 2>/dev/null; done
    nf_servers_stop
    if declare -F nf_test_cleanup >/dev/null; then nf_test_cleanup; fi
    [ -n "${NF_TAP_NS:-}" ] && _nf_ns_del "$NF_TAP_NS"
    nf_lab_down
    if [ -n "${NF_KEEP_WORK:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap _nf_live_cleanup EXIT
fail() {
    echo "FAIL: $*"
    exit 1
}

nf_record_start() {
    ip netns exec "$NF_CLI_NS" timeout -s INT 120 \
        tcpdump -i "$NF_CLI_IF" -s 0 -U -n -w "$work/recorded.pcap" 2>"$work/tcpdump.log" &
    NF_RECORD_PID=$!
    pids+=("$NF_RECORD_PID")
    nf_wait_for "tcpdump" 50 grep -q 'listening on' "$work/tcpdump.log" ||
        fail "tcpdump did not start"
}

nf_record_stop() {
    kill -INT "$NF_RECORD_PID"
    wait "$NF_RECORD_PID"
}

# Started with ip netns exec directly (not through a shell function) so
# that $! is the program itself and the signals below reach it.
nf_sensor_start() {
    local ns=$1 tries=$2 log=$3
    shift 3
    ip netns exec "$ns" timeout -s INT 120 "$netflow" "$@" 2>"$log" &
    sensor=$!
    pids+=("$sensor")
    nf_wait_for "netflow" "$tries" grep -q 'capturing on' "$log" ||
        fail "netflow did not start: $(cat "$log")"
}

nf_sensor_stop() {
    local log=$1 rc
    kill -INT "$sensor"
    wait "$sensor"
    rc=$?
    [ "$rc" = 0 ] || fail "netflow exited $rc: $(cat "$log")"
}

# The tap lab (after nf_lab_up): the client and server talk over their veth
# pair; in the client namespace, tc mirred copies both directions of
# $NF_CLI_IF onto a second veth pair whose other end lies in a sensor
# namespace (docs/spec/DESIGN.md, "Lab notes"):
#
#   server ns ── nfs0 ═══ nfc0 ── client ns
#                          │ tc clsact ingress+egress: mirred mirror
#                          ▼
#                         nfm0 ═══ nfm1 ── sensor ns $NF_TAP_NS
#
# No addresses, no IPv6, nothing of its own to send; offloads off as on the
# lab pair, so the mirror carries wire-sized frames.
nf_tap_up() {
    local mirror_if=nfm0 hook
    NF_TAP_IF=nfm1
    NF_TAP_NS="nf-sen-${NF_CLI_NS#nf-cli-}"
    ip netns add "$NF_TAP_NS" || return 1
    ip -n "$NF_CLI_NS" link add "$mirror_if" numtxqueues 2 numrxqueues 2 type veth \
        peer name "$NF_TAP_IF" numtxqueues 2 numrxqueues 2 netns "$NF_TAP_NS" || return 1
    ip netns exec "$NF_CLI_NS" sysctl -q -w "net.ipv6.conf.$mirror_if.disable_ipv6=1" || return 1
    ip netns exec "$NF_TAP_NS" sysctl -q -w "net.ipv6.conf.$NF_TAP_IF.disable_ipv6=1" || return 1
    ip netns exec "$NF_CLI_NS" ethtool -K "$mirror_if" tso off gso off gro off tx off >/dev/null ||
        return 1
    ip netns exec "$NF_TAP_NS" ethtool -K "$NF_TAP_IF" tso off gso off gro off tx off >/dev/null ||
        return 1
    ip -n "$NF_TAP_NS" link set lo up || return 1
    ip -n "$NF_TAP_NS" link set "$NF_TAP_IF" up || return 1
    ip -n "$NF_CLI_NS" link set "$mirror_if" up || return 1
    # u32 matching everything: this kernel has no matchall.
    nf_cli tc qdisc add dev "$NF_CLI_IF" clsact || return 1
    for hook in ingress egress; do
        nf_cli tc filter add dev "$NF_CLI_IF" "$hook" u32 match u32 0 0 \
            action mirred egress mirror dev "$mirror_if" || return 1
    done
}
