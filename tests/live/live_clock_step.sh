#!/usr/bin/env bash
# The kernel backend's row times follow a wall clock stepped while it runs
# (NTP's first sync after boot, date -s): the kernel stamps flows with
# CLOCK_MONOTONIC, and the offset to wall-clock time is read again every
# export round, not once at start. The step is made for the sensor alone,
# never for the machine: libfaketime (LD_PRELOAD) moves its CLOCK_REALTIME
# by what a file says (+0, then +3600 s) and leaves CLOCK_MONOTONIC alone.
# A flow exported before the step keeps the real time; one after it is an
# hour later; -v says the clock moved.
#   live_clock_step.sh NETFLOW REPO_ROOT
set -uo pipefail
real_netflow=$1
root=$2
# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"

faketime_lib=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -r "$faketime_lib" ] || fail "no $faketime_lib (Debian package libfaketime; make deps)"
echo "+0" >"$work/faketime"
# exec: the wrapper's PID is netflow's, so nf_sensor_stop's SIGINT reaches it.
# An ASan build wants its runtime first in the library list; libfaketime
# comes first here on purpose (its clock_gettime must win), so ASan is told
# not to insist (it still checks everything else).
asan_options=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
cat >"$work/netflow" <<EOF
#!/bin/sh
exec env LD_PRELOAD=$faketime_lib FAKETIME_TIMESTAMP_FILE=$work/faketime FAKETIME_NO_CACHE=1 \\
    FAKETIME_DONT_FAKE_MONOTONIC=1 ASAN_OPTIONS='$asan_options' $real_netflow "\$@"
EOF
chmod 755 "$work/netflow"
netflow=$work/netflow

nf_lab_up "k$$" || fail "lab"
nf_sensor_start "$NF_CLI_NS" 100 "$work/netflow.log" -i "$NF_CLI_IF" --backend xdp -v \
    --idle-timeout 1 -c "$work/live.csv" \
    --fields L4_DST_PORT,FLOW_START_MILLISECONDS,FLOW_END_MILLISECONDS

now_ms() { date +%s%3N; }
datagram() { nf_cli bash -c "echo clock >/dev/udp/$NF_SRV_IP4/$1" || fail "datagram to port $1"; }
# The row of the flow to port $1 in the CSV, once it is there (tries x 0.1 s).
row_for() {
    local port=$1 i
    for ((i = 0; i < 80; i++)); do
        grep -q "^$port," "$work/live.csv" 2>/dev/null && { grep "^$port," "$work/live.csv"; return 0; }
        sleep 0.1
    done
    return 1
}

sent_before=$(now_ms)
datagram 40001
row_before=$(row_for 40001) || fail "the flow sent before the step was not exported: $(cat "$work/netflow.log")"

echo "+3600" >"$work/faketime"
nf_wait_for "the clock step" 50 grep -q 'wall clock moved' "$work/netflow.log" ||
    fail "-v did not say the wall clock moved: $(cat "$work/netflow.log")"
sent_after=$(now_ms)
datagram 40002
row_after=$(row_for 40002) || fail "the flow sent after the step was not exported"
nf_sensor_stop "$work/netflow.log"

grep 'wall clock moved' "$work/netflow.log"
python3 - "$sent_before" "$row_before" "$sent_after" "$row_after" <<'EOF' || fail "row times"
import sys
sent_before, row_before, sent_after, row_after = sys.argv[1:]
def start(row):
    return int(row.split(",")[1])
hour = 3600 * 1000
checks = [
    ("before the step", start(row_before) - int(sent_before), 0),
    ("after the step", start(row_after) - int(sent_after), hour),
]
bad = False
for what, got, want in checks:
    ok = abs(got - want) <= 2000
    print(f"{what}: row start - real send time = {got} ms, expected {want} +- 2000: {'ok' if ok else 'WRONG'}")
    bad |= not ok
sys.exit(1 if bad else 0)
EOF
echo "clock step: rows exported after it follow the stepped wall clock"
