#!/usr/bin/env bash
# The ingress hook's cost on veth (docs/decisions.md, "Ingress hook"): a
# capture replayed (tcpreplay --topspeed) from the server end of a lab veth
# pair into the client end, where netflow counts it in host mode with each
# --xdp-mode: native XDP, generic XDP, TC ingress; and without a sensor.
# Machine-wide busy CPU (/proc/stat: all but idle and iowait) over the
# replay, rounds interleaved; prints each run and the median added CPU per
# packet of each mode over the run without a sensor. Root; lab namespaces only.
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

busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
hz=$(getconf CLK_TCK)

declare -A added
run() {
    local mode=$1 b0 b1 sent
    if [ "$mode" != none ]; then
        nf_sensor_start "$NF_CLI_NS" 100 "$work/$mode.log" -i "$NF_CLI_IF" --backend xdp \
            --xdp-mode "$mode" -v -c /dev/null
    fi
    sleep 1
    b0=$(busy)
    sent=$(ip netns exec "$NF_SRV_NS" timeout 300 tcpreplay --topspeed -i "$NF_SRV_IF" "$capture" 2>&1 |
        awk '/Successful packets:/{print $3}')
    b1=$(busy)
    [ "$mode" != none ] && nf_sensor_stop "$work/$mode.log"
    local cpu_s
    cpu_s=$(echo "($b1 - $b0) / $hz" | bc -l)
    printf '%-8s round %d: %s packets, %.2f CPU-s busy\n' "$mode" "$r" "$sent" "$cpu_s"
    echo "$mode $cpu_s $sent" >>"$work/runs"
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
