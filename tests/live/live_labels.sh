#!/usr/bin/env bash
# --labels and --anonymize on a live capture: the kernel path (XDP + TC,
# whose flow times are monotonic and made wall-clock for the rules) or
# libpcap, against the offline conversion of a recording of the same
# traffic with the same rules. Rules with a time window around now must
# match live as offline; a window years ago must match nothing; the
# pseudonyms must be the offline run's.
#   live_labels.sh NETFLOW REPO_ROOT BACKEND TOLERANCE_MS
# Needs root (network namespaces). Exit 77 (skip) only when not root.
set -uo pipefail
netflow=$1
root=$2
backend=$3
tolerance_ms=$4

# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"

nf_lab_up "b$$" || fail "lab"
nf_http_server_start "$work/nginx" || fail "nginx"
nf_dns_server_start "$work/dns" || fail "dnsmasq"

now=$(date +%s)
cat >"$work/rules.csv" <<RULES
attack,src,dst,sport,dport,proto,start,end,options
Old-Window,$NF_CLI_IP4,,,,,2001-01-01T00:00:00Z,2001-01-02T00:00:00Z,
Web,$NF_SRV_IP4,,80,,tcp,$((now - 3600)),$((now + 3600)),
Dns-Tcp,,${NF_SRV_IP4%.*}.0/24,,53,tcp,$(date -u -d @$((now - 3600)) +%Y-%m-%dT%H:%M:%S),,
Dns,,,,53,udp,,,direction=forward
Ping,10.77.0.0/16,,,,icmp,,,
RULES
fields="IPV4_SRC_ADDR,L4_SRC_PORT,IPV4_DST_ADDR,L4_DST_PORT,PROTOCOL,FLOW_START_MILLISECONDS,FLOW_END_MILLISECONDS,IN_PKTS,OUT_PKTS,Label,Attack"
label_args=(--labels "$work/rules.csv" --anonymize "live test key")

nf_record_start
nf_sensor_start "$NF_CLI_NS" 50 "$work/netflow.log" -i "$NF_CLI_IF" --backend "$backend" \
    -v -c "$work/live.csv" --fields "$fields" "${label_args[@]}"
nf_mixed_traffic || fail "traffic"
nf_sensor_stop "$work/netflow.log"
nf_record_stop
pids=()

"$netflow" -f "$work/recorded.pcap" -c "$work/offline.csv" --fields "$fields" "${label_args[@]}" \
    2>/dev/null || fail "offline conversion of the recording failed"
python3 "$root/tests/live/compare_rows.py" "$work/live.csv" "$work/offline.csv" "$tolerance_ms" ||
    fail "live rows (labels, pseudonyms) differ from offline rows"

python3 - "$work/live.csv" "$NF_CLI_IP4" "$NF_SRV_IP4" <<'PY' || fail "labels"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
want = {("6", "80"): "Web", ("6", "53"): "Dns-Tcp", ("17", "53"): "Dns", ("1", "0"): "Ping"}
seen = set()
for r in rows:
    if r["IPV4_SRC_ADDR"] in sys.argv[2:] or r["IPV4_DST_ADDR"] in sys.argv[2:]:
        sys.exit(f"a real address in an --anonymize row: {r}")
    attack = want.get((r["PROTOCOL"], r["L4_DST_PORT"]), "Benign")
    if (r["Attack"], r["Label"]) != (attack, "0" if attack == "Benign" else "1"):
        sys.exit(f"row {r}: expected {attack}")
    seen.add(attack)
missing = set(want.values()) - seen
sys.exit(f"no flow labelled {missing}" if missing else 0)
PY
grep -q '^netflow: labels: .* 4 of 5 rules matched a flow' "$work/netflow.log" ||
    fail "summary: $(grep 'labels:' "$work/netflow.log")"
grep -q 'rule .*rules.csv:2 (Old-Window) matched no flow' "$work/netflow.log" ||
    fail "-v does not list the rule that matched nothing: $(grep 'labels:' "$work/netflow.log")"
echo "live labels ($backend): wall-clock windows match as offline; pseudonyms as offline"
