#!/usr/bin/env bash
# The ingress hook's cost on veth (docs/decisions.md, "Ingress hook"): a
# capture replayed (tcpreplay --topspeed) from the server end of a lab veth
# pair into the client end, where netflow counts it in host mode with each
# --xdp-mode: native XDP, generic XDP, TC ingress; and without a sensor.
# The CPU time of the replay and the sensor: tcpreplay's user + system time
# (on veth the receive side, the hook and its program included, runs in the
# sender's softirq: without IRQ time accounting it is charged to the sender)
# plus netflow's own. Not machine-wide busy time: on a shared machine other
# people's work swamps it. Rounds interleaved; prints each run and the
# median added CPU per packet of each mode over the run without a sensor.
# Root; lab namespaces only.
#   hook_cost.sh NETFLOW CAPTURE [ROUNDS]
set -uo pipefail
netflow=$1
capture=$2
rounds=${3:-3}
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"
nf_lab_up "hc$$" || fail "lab"
ip -n "$NF_CLI_NS" link set dev "$NF_CLI_IF" promisc on

hz=$(getconf CLK_TCK)
# utime + stime of a process, in seconds.
proc_cpu() { awk -v hz="$hz" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }

declare -A added
run() {
    local mode=$1 sent replay sensor_cpu=0
    if [ "$mode" != none ]; then
        nf_sensor_start "$NF_CLI_NS" 100 "$work/$mode.log" -i "$NF_CLI_IF" --backend xdp \
            --xdp-mode "$mode" -v -c /dev/null
    fi
    sleep 1
    ip netns exec "$NF_SRV_NS" timeout 300 /usr/bin/time -f 'cpu %U %S' -o "$work/time" \
        tcpreplay --topspeed -i "$NF_SRV_IF" "$capture" >"$work/replay.log" 2>&1
    sent=$(awk '/Successful packets:/{print $3}' "$work/replay.log")
    replay=$(awk '/^cpu /{print $2 + $3}' "$work/time")
    if [ "$mode" != none ]; then
        sleep 1
        sensor_cpu=$(proc_cpu "$(pgrep -P "$sensor" -x netflow)")
        nf_sensor_stop "$work/$mode.log"
    fi
    printf '%-8s round %d: %s packets, replay %.2f CPU-s, sensor %.2f CPU-s\n' "$mode" "$r" \
        "$sent" "$replay" "$sensor_cpu"
    echo "$mode $(echo "$replay + $sensor_cpu" | bc -l) $sent" >>"$work/runs"
}
for r in $(seq "$rounds"); do
    for mode in none native generic tc; do run "$mode"; done
done
python3 - "$work/runs" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    mode, cpu, sent = line.split()
    runs.setdefault(mode, []).append((float(cpu), int(sent)))
base = statistics.median(c for c, _ in runs["none"])
for mode in ("native", "generic", "tc"):
    cpu = statistics.median(c for c, _ in runs[mode])
    sent = statistics.median(s for _, s in runs[mode])
    print(f"{mode:8s} median {cpu:.2f} CPU-s, added {cpu - base:+.2f} CPU-s, "
          f"{(cpu - base) / sent * 1e9:.0f} ns per packet over no sensor ({base:.2f})")
PY
