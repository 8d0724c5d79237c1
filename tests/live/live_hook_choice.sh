#!/usr/bin/env bash
# The ingress hook host mode chooses (docs/decisions.md, "Ingress hook"),
# as -v reports it and as `bpftool net` shows it, on a lab veth:
#  - veth with native XDP: auto attaches native XDP; --xdp-mode skb and
#    --xdp-mode generic force generic XDP, --xdp-mode tc TC ingress;
#  - veth whose driver refuses native XDP (its peer's MTU is too large for
#    a one-page frame): auto counts ingress at TC (tcx ingress), and counts
#    the traffic; --xdp-mode generic still forces generic XDP; --xdp-mode
#    native fails with one line.
#   live_hook_choice.sh NETFLOW REPO_ROOT
set -uo pipefail
netflow=$1
root=$2
# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"

nf_lab_up "h$$" || fail "lab"
ifindex=$(ip netns exec "$NF_CLI_NS" cat "/sys/class/net/$NF_CLI_IF/ifindex")
nf_test_cleanup() { ip -n "$NF_SRV_NS" link set dev "$NF_SRV_IF" mtu 1500 2>/dev/null; }

net() { ip netns exec "$NF_CLI_NS" bpftool net show dev "$NF_CLI_IF"; }

# The sensor's tcx links, as the kernel describes the link fds it holds
# ("egress ingress"). bpftool 7.1 (Debian 12) shows tcx links neither in
# `bpftool net` nor by interface in `bpftool link`, and links are not per
# namespace, so its view cannot tell this sensor's links from another's.
tcx_links() {
    local f dirs=()
    for f in /proc/"$(pgrep -P "$sensor" -x netflow)"/fdinfo/*; do
        grep -qx 'link_type:.tcx' "$f" 2>/dev/null || continue
        grep -qx "ifindex:.$ifindex" "$f" || continue
        dirs+=("$(sed -n 's/^attach_type:.[0-9]* (\(.*\))$/\1/p' "$f")")
    done
    [ ${#dirs[@]} -gt 0 ] && printf '%s\n' "${dirs[@]}" | sort | xargs
}

# check NAME WANT_V BPFTOOL_RE TCX [ARGS...]: a sensor with ARGS; its -v
# line must say WANT_V, `bpftool net` must match BPFTOOL_RE (XDP) and
# `bpftool link` list TCX tcx links while it runs; a ping is counted both
# ways; nothing is left after SIGINT.
check() {
    local name=$1 want=$2 re=$3 tcx=$4
    shift 4
    nf_sensor_start "$NF_CLI_NS" 100 "$work/$name.log" -i "$NF_CLI_IF" --backend xdp -v \
        -c "$work/$name.csv" "$@"
    grep -q "capturing on $NF_CLI_IF: $want, TC egress tcx" "$work/$name.log" ||
        fail "$name: -v does not say '$want': $(cat "$work/$name.log")"
    net >"$work/$name.net" 2>&1
    grep -Eq "$re" "$work/$name.net" || fail "$name: bpftool net shows no '$re': $(cat "$work/$name.net")"
    local links
    links=$(tcx_links)
    [ "$links" = "$tcx" ] || fail "$name: tcx links '$links', not '$tcx'"
    nf_cli ping -c 2 -i 0.2 -q "$NF_SRV_IP4" >/dev/null || fail "$name: ping"
    nf_sensor_stop "$work/$name.log"
    # Both echo requests (egress) and both replies (ingress) counted.
    python3 - "$work/$name.csv" "$name" <<'PY' || exit 1
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["PROTOCOL"] == "1"]
if len(rows) != 1 or (rows[0]["IN_PKTS"], rows[0]["OUT_PKTS"]) != ("2", "2"):
    print(f"FAIL: {sys.argv[2]}: the ping flow is not 2+2 packets: {rows}")
    sys.exit(1)
PY
    net >"$work/$name.after" 2>&1
    grep -Eq " (driver|generic) id" "$work/$name.after" && fail "$name: XDP left: $(cat "$work/$name.after")"

    echo "$name: $want"
}

native_re="$NF_CLI_IF\([0-9]+\) driver id"
generic_re="$NF_CLI_IF\([0-9]+\) generic id"
no_xdp_re="^xdp:\$"

check auto "XDP native" "$native_re" egress
check skb "XDP generic" "$generic_re" egress --xdp-mode skb
check generic "XDP generic" "$generic_re" egress --xdp-mode generic
check tc "TC ingress tcx" "$no_xdp_re" "egress ingress" --xdp-mode tc
grep -Eq "$NF_CLI_IF\([0-9]+\)" "$work/tc.net" && fail "tc: XDP attached: $(cat "$work/tc.net")"

# veth refuses native XDP when its peer's MTU exceeds a page.
ip -n "$NF_SRV_NS" link set dev "$NF_SRV_IF" mtu 9000 || fail "peer mtu"
check auto_no_native "TC ingress tcx" "$no_xdp_re" "egress ingress"
grep -Eq "$NF_CLI_IF\([0-9]+\)" "$work/auto_no_native.net" &&
    fail "auto_no_native: XDP attached: $(cat "$work/auto_no_native.net")"
grep -q "counting ingress at TC (tcx) instead" "$work/auto_no_native.log" ||
    fail "no -v note on the fallback: $(cat "$work/auto_no_native.log")"
check generic_no_native "XDP generic" "$generic_re" egress --xdp-mode generic
ip netns exec "$NF_CLI_NS" timeout 20 "$netflow" -i "$NF_CLI_IF" --backend xdp --xdp-mode native \
    -c "$work/native.csv" 2>"$work/native.log"
rc=$?
[ "$rc" = 1 ] || fail "--xdp-mode native without native XDP exited $rc: $(cat "$work/native.log")"
grep -q "refused native XDP" "$work/native.log" || fail "unclear error: $(cat "$work/native.log")"
echo "hook choice: native XDP, generic when forced, TC ingress without native XDP"
