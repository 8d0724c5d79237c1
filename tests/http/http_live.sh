#!/usr/bin/env bash
# Live capture (-i) delivers through the same HTTP sink as -f: in a private
# two-namespace lab, netflow captures on the client end with BACKEND (pcap:
# libpcap, xdp: the kernel path) and POSTs to flow_server.py on the client
# namespace's own 127.0.0.1; a ping crosses the veth pair; after SIGINT
# every flow netflow reports delivered is on the server, once, the ping's
# with 3 packets each way, and -v printed one verdict per flow.
#   http_live.sh NETFLOW REPO_ROOT BACKEND
# Needs root (network namespaces). Exit 77 (skip) only when not root.
set -uo pipefail
netflow=$1
root=$2
backend=$3

NF_STOP_SIGNAL=TERM
# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"
nf_test_cleanup() { wait 2>/dev/null; }

nf_lab_up "h$$" || fail "lab"
ip netns exec "$NF_CLI_NS" timeout 120 python3 "$root/tests/http/flow_server.py" \
    --port-file "$work/port" --log "$work/log" --requests "$work/requests" &
pids+=("$!")
nf_wait_for "flow_server" 100 test -s "$work/port" || fail "flow_server did not start"
url="http://127.0.0.1:$(cat "$work/port")/predict"

ip netns exec "$NF_CLI_NS" timeout -s INT 120 "$netflow" -i "$NF_CLI_IF" --backend "$backend" \
    -v -u "$url" --spool "$work/spool" >"$work/verdicts" 2>"$work/netflow.log" &
sensor=$!
pids+=("$sensor")
nf_wait_for "netflow" 50 grep -q 'capturing on' "$work/netflow.log" ||
    fail "netflow did not start: $(cat "$work/netflow.log")"

nf_cli ping -c 3 -i 0.2 -W 2 "$NF_SRV_IP4" >/dev/null || fail "ping"
sleep 0.5
kill -INT "$sensor"
wait "$sensor"
rc=$?
[ "$rc" = 0 ] || fail "netflow exited $rc: $(cat "$work/netflow.log")"

delivered=$(sed -n 's/^netflow: http: \([0-9]*\) flows\? delivered.*/\1/p' "$work/netflow.log")
[ -n "$delivered" ] && [ "$delivered" -ge 1 ] ||
    fail "no delivery summary: $(cat "$work/netflow.log")"
grep -q '; 0 flows left in the spool' "$work/netflow.log" || fail "flows left in the spool"
[ ! -e "$work/spool" ] || fail "spool file left"
[ "$(wc -l <"$work/verdicts")" = "$delivered" ] ||
    fail "-v printed $(wc -l <"$work/verdicts") verdicts for $delivered flows"
python3 - "$work/log" "$delivered" "$NF_CLI_IP4" "$NF_SRV_IP4" <<'PY' || fail "server side"
import json, sys
flows = [json.loads(l) for l in open(sys.argv[1])]
want, cli, srv = int(sys.argv[2]), sys.argv[3], sys.argv[4]
if len(flows) != want:
    sys.exit(f"server received {len(flows)} flows, netflow says {want} delivered")
keys = {json.dumps(f, sort_keys=True) for f in flows}
if len(keys) != len(flows):
    sys.exit("a flow arrived twice")
ping = [f for f in flows if f["PROTOCOL"] == 1 and f["IPV4_SRC_ADDR"] == cli
        and f["IPV4_DST_ADDR"] == srv]
if len(ping) != 1 or ping[0]["IN_PKTS"] != 3 or ping[0]["OUT_PKTS"] != 3:
    sys.exit(f"the ping's flow is missing or wrong: {ping}")
print(f"{want} flows delivered, the ping's with 3 packets each way")
PY
! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$work/netflow.log" ||
    fail "sanitizer report"
echo "http live ($backend): passed"
