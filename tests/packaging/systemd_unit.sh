#!/usr/bin/env bash
# netflow@.service: `systemd-analyze verify` clean (on a copy whose
# ExecStart is this build's binary), the settings the issue asks for, and a
# run the way the unit runs it, without systemd (this machine's PID 1 is
# not systemd): a non-root user holding exactly the unit's
# AmbientCapabilities (setpriv), on a lab veth, the kernel path; SIGTERM (as
# `systemctl stop`) writes every open flow and exits 0. Without CAP_BPF the
# kernel path is refused, without CAP_PERFMON too (the verifier), and a tap
# port (AF_XDP: CAP_NET_RAW) captures with the same set: the capabilities
# are needed, not decoration.
#   systemd_unit.sh NETFLOW REPO_ROOT
set -uo pipefail
netflow=$1
root=$2
unit=$root/packaging/netflow@.service
export NF_MEMLOCK=

# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"

# 1. verify, on an instance of a copy that runs this build's binary.
mkdir -p "$work/units"
sed "s|/usr/sbin/netflow|$netflow|" "$unit" >"$work/units/netflow@lo.service"
out=$(cd "$work/units" && systemd-analyze verify --man=no ./netflow@lo.service 2>&1)
rc=$?
[ "$rc" = 0 ] && [ -z "$out" ] || fail "systemd-analyze verify: rc $rc: $out"
# A unit with a mistake does not pass (the check can fail).
sed 's/^ProtectSystem=strict/ProtectSystem=strictest/' "$work/units/netflow@lo.service" \
    >"$work/units/netflow@bad.service"
out=$(cd "$work/units" && systemd-analyze verify --man=no ./netflow@bad.service 2>&1)
[ -n "$out" ] || fail "systemd-analyze verify accepts ProtectSystem=strictest"

setting() { sed -n "s/^$1=//p" "$unit"; }
[ "$(setting ExecStart)" = '/usr/sbin/netflow -i %i $NETFLOW_OPTS' ] || fail "ExecStart: $(setting ExecStart)"
[ "$(setting EnvironmentFile)" = /etc/netflow/%i.conf ] || fail "EnvironmentFile"
[ "$(setting DynamicUser)" = yes ] || fail "DynamicUser"
[ "$(setting ProtectSystem)" = strict ] || fail "ProtectSystem"
[ "$(setting Restart)" = on-failure ] || fail "Restart"
[ -n "$(setting StateDirectory)" ] || fail "StateDirectory"
grep -q '^User=\|^Group=' "$unit" || fail "no shared dynamic user"
caps=$(setting AmbientCapabilities)
for cap in CAP_BPF CAP_NET_ADMIN CAP_PERFMON; do
    grep -qw "$cap" <<<"$caps" || fail "AmbientCapabilities lacks $cap: $caps"
done
[ "$(setting CapabilityBoundingSet)" = "$caps" ] || fail "bounding set differs from the ambient set"

# 2. As the unit runs it: a non-root user, exactly these capabilities.
# setpriv names them in lower case without CAP_.
setpriv_caps() {
    local list="-all" cap
    for cap in "$@"; do list+=",+$(tr 'A-Z' 'a-z' <<<"${cap#CAP_}")"; done
    echo "$list"
}
# shellcheck disable=SC2086
unit_caps=$(setpriv_caps $caps)
nf_lab_up "u$$" || fail "lab"
state=$work/state
mkdir -p "$state"
chown nobody "$state"
# RuntimeDirectory=netflow: the interface locks' directory belongs to the
# service user; here a tmpfs owned by nobody on /run/netflow, in a mount
# namespace of the sensor's own (the machine's /run/netflow is untouched).
# LimitMEMLOCK=infinity: ulimit -l (tap's AF_XDP frames are locked memory)
# where this machine lets root raise it (CAP_SYS_RESOURCE; a container may
# not); else CAP_IPC_LOCK, which lifts the same limit, stands in for it, for
# the tap run only.
run_as_service() {
    local capset=$1 log=$2
    shift 2
    ip netns exec "${svc_ns:-$NF_CLI_NS}" unshare -m --propagation private sh -c '
        mkdir -p /run/netflow &&
        mount -t tmpfs -o mode=0755,uid=$(id -u nobody) netflow-run /run/netflow &&
        { [ -z "$NF_MEMLOCK" ] || ulimit -l unlimited; } && exec "$@"' sh timeout -s INT 120 \
        setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps="$capset" \
        --ambient-caps="$capset" --bounding-set="$capset" --no-new-privs \
        "$netflow" -i "${svc_if:-$NF_CLI_IF}" "$@" 2>"$log" &
    sensor=$!
    pids+=("$sensor")
}

run_as_service "$unit_caps" "$work/service.log" --backend xdp -v -c "$state/flows.csv"
nf_wait_for "netflow" 100 grep -q 'capturing on' "$work/service.log" ||
    fail "netflow did not start with the unit's capabilities ($caps): $(cat "$work/service.log")"
pid=$(pgrep -P "$sensor" -x netflow | head -1)
[ -n "$pid" ] || pid=$(pgrep -P "$(pgrep -P "$sensor" | head -1)" -x netflow | head -1)
if [ -n "$pid" ]; then
    [ "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" = "$(id -u nobody)" ] || fail "not running as nobody"
    [ "$(awk '/^CapEff:/ {print $2}' "/proc/$pid/status")" = 0000000000000000 ] ||
        fail "capabilities kept while capturing: $(grep Cap "/proc/$pid/status")"
fi
nf_cli ping -c 3 -i 0.2 -q "$NF_SRV_IP4" >/dev/null || fail "ping"
# The flow is still open (idle timeout 30 s): SIGTERM must write it.
kill -TERM "$sensor"
wait "$sensor"
rc=$?
[ "$rc" = 0 ] || fail "exit $rc on SIGTERM: $(cat "$work/service.log")"
grep -q ',1,' "$state/flows.csv" || fail "the open ICMP flow was not written at SIGTERM: $(cat "$state/flows.csv")"
[ "$(stat -c %U "$state/flows.csv")" = nobody ] || fail "output not written by the service user"
nf_cli ip link show "$NF_CLI_IF" | grep -q xdp && fail "XDP left attached"

# Without CAP_BPF the kernel path cannot load: exit 1 with one line.
# shellcheck disable=SC2086
fewer=$(setpriv_caps $(tr ' ' '\n' <<<"$caps" | grep -v '^CAP_BPF$'))
run_as_service "$fewer" "$work/nobpf.log" --backend xdp -c "$state/nobpf.csv"
wait "$sensor"
rc=$?
[ "$rc" = 1 ] || fail "without CAP_BPF: exit $rc (expected 1): $(cat "$work/nobpf.log")"
# CAP_PERFMON is needed too: without it the verifier refuses the programs.
# shellcheck disable=SC2086
fewer=$(setpriv_caps $(tr ' ' '\n' <<<"$caps" | grep -v '^CAP_PERFMON$'))
run_as_service "$fewer" "$work/noperfmon.log" --backend xdp -c "$state/noperfmon.csv"
wait "$sensor"
rc=$?
[ "$rc" = 1 ] || fail "without CAP_PERFMON: exit $rc (expected 1): $(cat "$work/noperfmon.log")"

# A tap port (AF_XDP sockets: CAP_NET_RAW) with the same capabilities.
nf_tap_up || fail "tap lab"
tap_caps=$unit_caps
if (ulimit -l unlimited) 2>/dev/null; then
    export NF_MEMLOCK=1
else
    tap_caps+=",+ipc_lock"
    echo "note: cannot raise RLIMIT_MEMLOCK here (no CAP_SYS_RESOURCE): CAP_IPC_LOCK stands in for LimitMEMLOCK=infinity in the tap run"
fi
svc_ns=$NF_TAP_NS svc_if=$NF_TAP_IF run_as_service "$tap_caps" "$work/tap.log" --backend xdp \
    --capture tap -v -c "$state/tap.csv"
nf_wait_for "netflow (tap)" 100 grep -q 'capturing on' "$work/tap.log" ||
    fail "tap capture did not start with the unit's capabilities: $(cat "$work/tap.log")"
nf_cli ping -c 2 -i 0.2 -q "$NF_SRV_IP4" >/dev/null || fail "ping (tap)"
kill -TERM "$sensor"
wait "$sensor"
rc=$?
[ "$rc" = 0 ] || fail "tap: exit $rc on SIGTERM: $(cat "$work/tap.log")"
grep -q ',1,' "$state/tap.csv" || fail "tap: the ICMP flow was not written: $(cat "$state/tap.csv")"
pids=()
echo "netflow@.service: verify clean; as nobody with $caps: captured, SIGTERM wrote the open flow"
