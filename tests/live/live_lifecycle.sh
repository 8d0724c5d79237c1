#!/usr/bin/env bash
# The kernel path's attach lifecycle with the real program: a second sensor
# on the same interface is refused with one clear line; kill -9 leaves
# nothing attached (bpf links die with the process) and the next sensor
# starts cleanly; SIGTERM detaches and exits 0.
#   live_lifecycle.sh NETFLOW REPO_ROOT
set -uo pipefail
netflow=$1
root=$2
# Sensors left running are killed with -9 at exit, like the one under test.
NF_STOP_SIGNAL=KILL
# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"

nf_lab_up "c$$" || fail "lab"

# start_sensor NAME: netflow on the client veth in the background; waits
# until it captures. Sets $sensor.
# No `timeout` wrapper here: kill -9 must hit netflow itself (the cleanup
# trap bounds its life instead).
start_sensor() {
    ip netns exec "$NF_CLI_NS" "$netflow" -i "$NF_CLI_IF" --backend xdp -v \
        -c "$work/$1.csv" 2>"$work/$1.log" &
    sensor=$!
    pids+=("$sensor")
    for _ in $(seq 100); do grep -qs 'capturing on' "$work/$1.log" && return 0; sleep 0.1; done
    fail "$1 did not start: $(cat "$work/$1.log")"
}
xdp_attached() { ip -n "$NF_CLI_NS" -d link show "$NF_CLI_IF" | grep -q 'prog/xdp'; }

start_sensor first
xdp_attached || fail "no XDP program on $NF_CLI_IF while the sensor runs"

# A second sensor on the same interface: refused, one clear line, exit 1.
ip netns exec "$NF_CLI_NS" timeout 20 "$netflow" -i "$NF_CLI_IF" --backend xdp \
    -c "$work/second.csv" 2>"$work/second.log"
rc=$?
[ "$rc" = 1 ] || fail "second sensor exited $rc: $(cat "$work/second.log")"
grep -q "already captured by another netflow" "$work/second.log" ||
    fail "second sensor's error is not clear: $(cat "$work/second.log")"
[ "$(grep -c '^netflow: error:' "$work/second.log")" = 1 ] || fail "more than one error line"

# kill -9: the links go with the process.
kill -9 "$sensor"
wait "$sensor" 2>/dev/null
for _ in $(seq 50); do xdp_attached || break; sleep 0.1; done
xdp_attached && fail "XDP still attached after kill -9"

# The next sensor starts on the same interface and stops cleanly on SIGTERM.
start_sensor third
nf_cli ping -c 2 -i 0.2 -q "$NF_SRV_IP4" >/dev/null || fail "ping"
kill -TERM "$sensor"
wait "$sensor"
rc=$?
[ "$rc" = 0 ] || fail "SIGTERM: exit $rc: $(cat "$work/third.log")"
xdp_attached && fail "XDP still attached after SIGTERM"
grep -q ',1,81.0,' "$work/third.csv" || fail "the ping flow was not written on SIGTERM: $(cat "$work/third.csv")"
# --max-flows: the sensor stops by itself once that many flows started and
# writes exactly that many.
ip netns exec "$NF_CLI_NS" timeout -s INT 30 "$netflow" -i "$NF_CLI_IF" --backend xdp -v \
    --max-flows 2 -c "$work/max.csv" 2>"$work/max.log" &
sensor=$!
pids+=("$sensor")
for _ in $(seq 100); do grep -qs 'capturing on' "$work/max.log" && break; sleep 0.1; done
nf_cli bash -c 'for p in $(seq 30001 30010); do echo x >/dev/udp/'"$NF_SRV_IP4"'/$p; done'
for _ in $(seq 100); do kill -0 "$sensor" 2>/dev/null || break; sleep 0.1; done
kill -0 "$sensor" 2>/dev/null && fail "--max-flows 2 did not stop the sensor"
wait "$sensor" || fail "--max-flows: exit $?: $(cat "$work/max.log")"
rows=$(($(wc -l <"$work/max.csv") - 1))
[ "$rows" = 2 ] || fail "--max-flows 2 wrote $rows flows"
echo "lifecycle: second sensor refused, kill -9 leaves nothing, SIGTERM detaches and writes, --max-flows stops"
