#!/usr/bin/env bash
# Live capture against the offline path, in a private two-namespace lab:
# real traffic (curl against nginx: a small page and a 200 KiB transfer, dig
# against dnsmasq over UDP and TCP, ping) crosses a veth pair while netflow
# captures on the client end and tcpdump records the same end. The live rows
# must equal the offline rows of the recording in every column; the time
# columns may differ by at most TOLERANCE_MS. With FILTER, both the live and
# the offline run get --filter FILTER: live, it runs inside the kernel
# programs; the rows must still be equal, and only UDP port 53 flows may be
# left (the filter the test is meant for: 'udp port 53').
#   live_vs_offline.sh NETFLOW REPO_ROOT BACKEND [TOLERANCE_MS [FILTER]]
# Needs root (network namespaces). Exit 77 (skip) only when not root.
set -uo pipefail
netflow=$1
root=$2
backend=$3
tolerance_ms=${4:-0}
filter_args=()
[ $# -ge 5 ] && filter_args=(--filter "$5")

# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"

nf_lab_up "l$$" || fail "lab"
nf_http_server_start "$work/nginx" || fail "nginx"
nf_dns_server_start "$work/dns" || fail "dnsmasq"

fields=$("$netflow" -f "$root/tests/golden/dns.pcap" -c - --version 3 --no-label 2>/dev/null |
    head -1 | tr -d '\r'),L7_PROTO_NAME,SERVER_NAME

if [ ${#filter_args[@]} != 0 ]; then
    # A filter libpcap cannot compile: a usage error in one line, before
    # anything is attached (no fallback to libpcap, which fails the same way).
    nf_cli timeout 30 "$netflow" -i "$NF_CLI_IF" --backend "$backend" --filter 'tcp port' \
        -c "$work/bad.csv" 2>"$work/bad.log"
    rc=$?
    [ "$rc" = 2 ] || fail "a filter that does not compile exited $rc, not 2: $(cat "$work/bad.log")"
    [ "$(wc -l <"$work/bad.log")" = 1 ] && grep -q "filter 'tcp port'" "$work/bad.log" ||
        fail "not one line naming the filter: $(cat "$work/bad.log")"
    nf_cli ip link show "$NF_CLI_IF" | grep -q xdp && fail "XDP left attached after the error"
fi
nf_record_start
nf_sensor_start "$NF_CLI_NS" 50 "$work/netflow.log" -i "$NF_CLI_IF" --backend "$backend" \
    "${filter_args[@]}" -v -c "$work/live.csv" --fields "$fields"

# The traffic, by real programs; each must succeed (nothing taken from the host).
nf_mixed_traffic || fail "traffic"

nf_sensor_stop "$work/netflow.log"
nf_record_stop
pids=()

"$netflow" -f "$work/recorded.pcap" "${filter_args[@]}" -c "$work/offline.csv" --fields "$fields" \
    2>/dev/null ||
    fail "offline conversion of the recording failed"

python3 "$root/tests/live/compare_rows.py" "$work/live.csv" "$work/offline.csv" "$tolerance_ms" ||
    fail "live rows differ from offline rows"
if [ ${#filter_args[@]} = 0 ]; then
    grep -q 'HTTP' "$work/live.csv" && grep -q ',DNS,' "$work/live.csv" &&
        grep -q ',ICMP,' "$work/live.csv" || fail "expected HTTP, DNS and ICMP flows in the live rows"
    echo "live ($backend): rows equal the offline rows of the same traffic"
    exit 0
fi
# The filter ran in the kernel: DNS over UDP only, the rest filtered out
# there (the summary's "filtered out" is the statistics map's count).
python3 - "$work/live.csv" <<'PY' || fail "rows other than UDP port 53 passed --filter"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
bad = [r for r in rows if r["PROTOCOL"] != "17" or "53" not in (r["L4_SRC_PORT"], r["L4_DST_PORT"])]
for r in bad:
    print("unexpected row:", r["PROTOCOL"], r["L4_SRC_PORT"], r["L4_DST_PORT"], r["L7_PROTO_NAME"])
sys.exit(1 if bad or not rows else 0)
PY
grep -q ',DNS,' "$work/live.csv" || fail "expected the DNS flow in the live rows"
grep -Eq '[1-9][0-9]* filtered out' "$work/netflow.log" ||
    fail "no packet counted as filtered out: $(tail -3 "$work/netflow.log")"
echo "live ($backend, --filter '$5'): only its flows, rows equal the offline rows of the same traffic"
