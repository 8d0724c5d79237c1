# shellcheck shell=bash
# tools/lab/netns.sh — a two-namespace veth lab, to be *sourced* by lab scripts.
#
#   source tools/lab/netns.sh
#   nf_lab_up                  # create the lab (suffix defaults to this PID)
#   trap nf_lab_down EXIT      # always remove it again
#   nf_cli ping -c1 "$NF_SRV_IP4"
#   nf_srv nginx -c ...
#
# Topology (nothing of it ever exists in the root namespace):
#
#   netns $NF_CLI_NS                         netns $NF_SRV_NS
#   ┌──────────────────────────┐             ┌──────────────────────────┐
#   │ lo (up, 127.0.0.1)       │             │ lo (up, 127.0.0.1)       │
#   │ $NF_CLI_IF               │◄── veth ───►│ $NF_SRV_IF               │
#   │  10.77.0.1/24, fd77::1/64│             │  10.77.0.2/24, fd77::2/64│
#   │  MAC 02:77:00:00:00:01   │             │  MAC 02:77:00:00:00:02   │
#   └──────────────────────────┘             └──────────────────────────┘
#
# Properties chosen so captures are wire-like and repeatable:
#  - tso/gso/gro off on both ends (packets are MTU-sized, as a real NIC
#    delivers them; see docs/spec/DESIGN.md "Lab notes"), and tx checksum offload off so
#    captured packets carry correct checksums;
#  - fixed MAC addresses and permanent neighbour entries: no ARP / neighbour
#    discovery traffic in captures;
#  - IPv6: no DAD (addresses usable at once), no link-local address, no router
#    solicitations, no RA processing: no ICMPv6 noise;
#  - the veth is created directly inside the client namespace and its peer
#    moved to the server namespace in the same command, so no interface ever
#    appears in the root namespace and names cannot clash between runs.
#
# API (all functions return non-zero on failure; variables are exported):
#   nf_lab_up [SUFFIX]   create the lab; SUFFIX (default: $$) makes namespace
#                        names unique: nf-cli-SUFFIX / nf-srv-SUFFIX
#   nf_lab_down          delete both namespaces (kills what runs inside them);
#                        safe to call twice or when nf_lab_up failed half-way
#   nf_cli CMD...        run CMD in the client namespace
#   nf_srv CMD...        run CMD in the server namespace
#   nf_lab_require_tools CMD...   fail with a clear message if a tool is missing
#
#   NF_CLI_NS NF_SRV_NS  namespace names
#   NF_CLI_IF NF_SRV_IF  veth names inside each namespace (nfc0 / nfs0)
#   NF_CLI_IP4 NF_SRV_IP4 NF_CLI_IP6 NF_SRV_IP6   addresses (no prefix length)
#   NF_CLI_MAC NF_SRV_MAC
#
# Only addresses in 10.77.0.0/24 and fd77::/64 are used; they exist only in
# these namespaces.

NF_CLI_IF=nfc0
NF_SRV_IF=nfs0
NF_CLI_IP4=10.77.0.1
NF_SRV_IP4=10.77.0.2
NF_CLI_IP6=fd77::1
NF_SRV_IP6=fd77::2
NF_CLI_MAC=02:77:00:00:00:01
NF_SRV_MAC=02:77:00:00:00:02
export NF_CLI_IF NF_SRV_IF NF_CLI_IP4 NF_SRV_IP4 NF_CLI_IP6 NF_SRV_IP6 NF_CLI_MAC NF_SRV_MAC

nf_lab_require_tools() {
  local t missing=0
  for t in "$@"; do
    if ! command -v "$t" >/dev/null 2>&1; then
      echo "netns.sh: required tool '$t' not found" >&2
      missing=1
    fi
  done
  return "$missing"
}

nf_cli() { ip netns exec "$NF_CLI_NS" "$@"; }
nf_srv() { ip netns exec "$NF_SRV_NS" "$@"; }

# _nf_ns_side NS IF MAC IP4 IP6 PEER_MAC PEER_IP4 PEER_IP6
_nf_ns_side() {
  local ns=$1 ifc=$2 mac=$3 ip4=$4 ip6=$5 pmac=$6 pip4=$7 pip6=$8
  # IPv6 knobs before the link comes up, so nothing is sent at link-up.
  ip netns exec "$ns" sysctl -q -w \
      net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
      net.ipv6.conf.all.router_solicitations=0 \
      net.ipv6.conf.default.router_solicitations=0 \
      net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
      "net.ipv6.conf.$ifc.accept_ra=0" "net.ipv6.conf.$ifc.router_solicitations=0" \
      "net.ipv6.conf.$ifc.accept_dad=0" "net.ipv6.conf.$ifc.addr_gen_mode=1" \
      >/dev/null || return 1
  ip -n "$ns" link set lo up || return 1
  ip -n "$ns" link set "$ifc" address "$mac" || return 1
  ip -n "$ns" addr add "$ip4/24" dev "$ifc" || return 1
  ip -n "$ns" addr add "$ip6/64" dev "$ifc" nodad || return 1
  ip netns exec "$ns" ethtool -K "$ifc" tso off gso off gro off tx off \
      >/dev/null 2>&1 || { echo "netns.sh: ethtool -K $ifc failed in $ns" >&2; return 1; }
  ip -n "$ns" link set "$ifc" up || return 1
  ip -n "$ns" neigh replace "$pip4" lladdr "$pmac" dev "$ifc" nud permanent || return 1
  ip -n "$ns" neigh replace "$pip6" lladdr "$pmac" dev "$ifc" nud permanent || return 1
}

nf_lab_up() {
  local suffix=${1:-$$}
  nf_lab_require_tools ip ethtool sysctl || return 1
  NF_CLI_NS="nf-cli-$suffix"
  NF_SRV_NS="nf-srv-$suffix"
  export NF_CLI_NS NF_SRV_NS
  if ip netns list | grep -qE "^($NF_CLI_NS|$NF_SRV_NS)( |\$)"; then
    echo "netns.sh: namespace $NF_CLI_NS or $NF_SRV_NS already exists" >&2
    return 1
  fi
  ip netns add "$NF_CLI_NS" || return 1
  ip netns add "$NF_SRV_NS" || { nf_lab_down; return 1; }
  # Created inside the client namespace, peer placed straight into the server
  # namespace: never visible in the root namespace.
  ip -n "$NF_CLI_NS" link add "$NF_CLI_IF" type veth \
      peer name "$NF_SRV_IF" netns "$NF_SRV_NS" || { nf_lab_down; return 1; }
  _nf_ns_side "$NF_CLI_NS" "$NF_CLI_IF" "$NF_CLI_MAC" "$NF_CLI_IP4" "$NF_CLI_IP6" \
      "$NF_SRV_MAC" "$NF_SRV_IP4" "$NF_SRV_IP6" || { nf_lab_down; return 1; }
  _nf_ns_side "$NF_SRV_NS" "$NF_SRV_IF" "$NF_SRV_MAC" "$NF_SRV_IP4" "$NF_SRV_IP6" \
      "$NF_CLI_MAC" "$NF_CLI_IP4" "$NF_CLI_IP6" || { nf_lab_down; return 1; }
}

# Kill every process still running in NS (they were started by the lab
# script inside it), then delete NS. Bounded: at most ~2 s of waiting.
_nf_ns_del() {
  local ns=$1 pids
  [ -n "$ns" ] || return 0
  ip netns list | grep -qE "^$ns( |\$)" || return 0
  pids=$(ip netns pids "$ns" 2>/dev/null)
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    kill $pids 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      pids=$(ip netns pids "$ns" 2>/dev/null)
      [ -z "$pids" ] && break
      sleep 0.2
    done
    # shellcheck disable=SC2086
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
  fi
  ip netns del "$ns" 2>/dev/null || true
}

nf_lab_down() {
  _nf_ns_del "${NF_CLI_NS:-}"   # deleting a veth end deletes its peer too
  _nf_ns_del "${NF_SRV_NS:-}"
  return 0
}
