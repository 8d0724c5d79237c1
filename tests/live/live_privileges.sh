#!/usr/bin/env bash
# Least privilege live: once it captures, the sensor holds no capability
# (CapEff, CapPrm, CapInh, CapAmb and CapBnd 0 in /proc/PID/status, no new
# privileges, a seccomp filter), and with --user nobody runs as nobody
# (uid, gid, no other groups); it still writes the same rows as the
# offline path on a recording of the same traffic, and exits 0 on SIGINT. Then once without --user:
# root's uid, still no capability. An unknown user is a usage error.
#   live_privileges.sh NETFLOW REPO_ROOT BACKEND [TOLERANCE_MS]
set -uo pipefail
netflow=$1
root=$2
backend=$3
tolerance_ms=${4:-0}

# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"

nf_cli_err=$("$netflow" -i lo --user no-such-user-here -c /dev/null 2>&1)
rc=$?
[ "$rc" = 2 ] && [ "$(echo "$nf_cli_err" | wc -l)" = 1 ] ||
    fail "--user with an unknown user: exit $rc, not a one-line usage error: $nf_cli_err"

nf_lab_up "p$$" || fail "lab"
nf_http_server_start "$work/nginx" || fail "nginx"
nf_dns_server_start "$work/dns" || fail "dnsmasq"

# status_of FIELD [TASK]: the line of the running sensor's /proc/PID/status
# (or of one of its threads). $sensor is `timeout`; netflow is its child.
sensor_pid() {
    local pid
    pid=$(pgrep -P "$sensor" -x netflow | head -1)
    [ -n "$pid" ] || fail "no netflow process under $sensor"
    echo "$pid"
}
status_of() {
    local pid
    pid=$(sensor_pid)
    grep "^$1:" "/proc/$pid/task/${2:-$pid}/status" | tr -s '\t ' ' '
}

# Capabilities are per thread: every thread of the sensor (the outputs'
# own threads, librdkafka's, the compressor's) holds none, not only the
# capture thread.
check_status() {
    local want_uid=$1 f line task tasks
    tasks=$(ls "/proc/$(sensor_pid)/task")
    for task in $tasks; do
        for f in CapInh CapPrm CapEff CapBnd CapAmb; do
            line=$(status_of "$f" "$task")
            [ "$line" = "$f: 0000000000000000" ] ||
                fail "$f not empty while capturing (thread $task of $(echo $tasks | wc -w)): $line"
        done
    done
    line=$(status_of NoNewPrivs)
    [ "$line" = "NoNewPrivs: 1" ] || fail "no_new_privs not set: $line"
    line=$(status_of Seccomp)
    [ "$line" = "Seccomp: 2" ] || fail "no seccomp filter: $line"
    line=$(status_of Uid)
    [ "$line" = "Uid: $want_uid $want_uid $want_uid $want_uid" ] || fail "wrong user: $line"
    if [ "$want_uid" != 0 ]; then
        local gid
        gid=$(id -g "$(id -nu "$want_uid")")
        line=$(status_of Gid)
        [ "$line" = "Gid: $gid $gid $gid $gid" ] || fail "wrong group: $line"
        line=$(status_of Groups)
        [ "$line" = "Groups: $gid" ] || [ "$line" = "Groups: $gid " ] ||
            fail "supplementary groups kept: $line"
    fi
}

fields=$("$netflow" -f "$root/tests/golden/dns.pcap" -c - --version 3 --no-label 2>/dev/null |
    head -1 | tr -d '\r'),L7_PROTO_NAME,SERVER_NAME

nf_record_start
nf_sensor_start "$NF_CLI_NS" 50 "$work/netflow.log" -i "$NF_CLI_IF" --backend "$backend" \
    --user nobody -v -c "$work/live.csv" --fields "$fields"
check_status "$(id -u nobody)"
# The traffic runs while the sensor is nobody: nDPI, the parsers and the
# output work without privileges.
nf_mixed_traffic || fail "traffic"
check_status "$(id -u nobody)"
nf_sensor_stop "$work/netflow.log"
nf_record_stop
pids=()
"$netflow" -f "$work/recorded.pcap" -c "$work/offline.csv" --fields "$fields" 2>/dev/null ||
    fail "offline conversion of the recording failed"
python3 "$root/tests/live/compare_rows.py" "$work/live.csv" "$work/offline.csv" "$tolerance_ms" ||
    fail "live rows (as nobody) differ from offline rows"
grep -q 'HTTP' "$work/live.csv" && grep -q ',DNS,' "$work/live.csv" ||
    fail "expected HTTP and DNS flows in the live rows"
[ "$backend" = xdp ] && nf_cli ip link show "$NF_CLI_IF" | grep -q xdp &&
    fail "XDP left attached after the unprivileged sensor exited"

# Without --user: still root, still no capability, in any thread: the
# compressed CSV and the IPFIX-over-TCP export each run their own thread,
# started before the capture opened. A collector in the server namespace
# takes the export.
nf_srv timeout 60 python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 4739)); s.listen(1); c, _ = s.accept()
while c.recv(65536): pass' &
collector=$!
pids+=("$collector")
for _ in $(seq 50); do nf_srv ss -ltn | grep -q ':4739 ' && break; sleep 0.1; done
nf_sensor_start "$NF_CLI_NS" 50 "$work/root.log" -i "$NF_CLI_IF" --backend "$backend" -v \
    -c "$work/root.csv.gz" --export "ipfix+tcp://$NF_SRV_IP4:4739"
check_status 0
nf_cli ping -c 2 -i 0.2 -q "$NF_SRV_IP4" >/dev/null || fail "ping"
nf_sensor_stop "$work/root.log"
zcat "$work/root.csv.gz" | grep -q ',1,' || fail "no ICMP flow written: $(zcat "$work/root.csv.gz")"
echo "privileges ($backend): no capability once capturing, runs as nobody with --user, rows equal offline"
