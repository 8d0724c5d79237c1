#!/usr/bin/env bash
# --metrics during a live lab run: scraped with curl while the sensor runs
# (before and after traffic), the exposition valid for promtool, the values
# equal to the run's own summary once the traffic is over (packets seen and
# counted, flows exported = CSV rows = the csv output's delivered count), and
# a real Prometheus server, in the same namespace, scraping it and answering
# a query with the same flow count. Bad --metrics values: usage errors.
#   live_metrics.sh NETFLOW REPO_ROOT BACKEND
set -uo pipefail
netflow=$1
root=$2
backend=$3
NF_STOP_SIGNAL=TERM

# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"

for bad in 127.0.0.1 127.0.0.1:0 127.0.0.1:70000 ::1:9100 "[::1:9100" :9100; do
    out=$("$netflow" -i lo -c /dev/null --metrics "$bad" 2>&1)
    rc=$?
    [ "$rc" = 2 ] && [ "$(echo "$out" | wc -l)" = 1 ] && [[ "$out" == netflow:\ error:* ]] ||
        fail "--metrics '$bad': exit $rc, not a one-line usage error: $out"
done
out=$("$netflow" -f "$root/tests/golden/http.pcap" -c /dev/null --metrics 127.0.0.1:9464 2>&1)
[ $? = 2 ] || fail "--metrics with -f accepted: $out"

nf_lab_up "m$$" || fail "lab"
nf_http_server_start "$work/nginx" || fail "nginx"
nf_dns_server_start "$work/dns" || fail "dnsmasq"
port=9464
url=http://127.0.0.1:$port/metrics
scrape() { nf_cli curl -sS --fail --max-time 5 "$url"; }
# value NAME [LABELS]: a sample's value in $work/last.prom.
value() {
    awk -v m="netflow_$1${2:-}" '$1 == m { print $2 }' "$work/last.prom"
}

# A port already taken is a runtime error naming it, before any capture.
nf_cli python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1", 9465)); s.listen(); time.sleep(30)' &
blocker=$!
pids+=("$blocker")
nf_wait_for "blocker" 50 nf_cli sh -c "ss -ltn | grep -q 127.0.0.1:9465" || fail "blocker"
out=$(nf_cli timeout 20 "$netflow" -i "$NF_CLI_IF" --backend "$backend" -c "$work/x.csv" \
    --metrics 127.0.0.1:9465 2>&1)
rc=$?
[ "$rc" = 1 ] && grep -q 'metrics 127.0.0.1:9465: cannot listen' <<<"$out" ||
    fail "--metrics on a taken port: exit $rc: $out"
kill "$blocker"

nf_sensor_start "$NF_CLI_NS" 100 "$work/netflow.log" -i "$NF_CLI_IF" --backend "$backend" \
    -c "$work/live.csv" --idle-timeout 2 --active-timeout 60 --metrics "127.0.0.1:$port" -v

# Prometheus in the sensor's namespace, scraping every second.
cat >"$work/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: netflow
    static_configs:
      - targets: ['127.0.0.1:$port']
YML
nf_cli timeout -s TERM 120 prometheus --config.file="$work/prometheus.yml" \
    --storage.tsdb.path="$work/prom" --web.listen-address=127.0.0.1:9090 \
    >"$work/prometheus.log" 2>&1 &
pids+=("$!")

nf_wait_for "first metrics" 50 sh -c "ip netns exec $NF_CLI_NS curl -sf $url | grep -q '^netflow_packets_seen_total'" ||
    fail "no metrics while the sensor runs: $(cat "$work/netflow.log")"
scrape >"$work/last.prom" || fail "scrape"
grep -q "^netflow_info{version=\"[0-9.]*\",interface=\"$NF_CLI_IF\",backend=\"$backend\"} 1$" \
    "$work/last.prom" || fail "no netflow_info: $(head -5 "$work/last.prom")"
promtool check metrics <"$work/last.prom" || fail "promtool: the exposition is not valid"
[ "$(value flows_exported_total)" = 0 ] || fail "flows exported before any traffic"

nf_mixed_traffic || fail "traffic"
# The flows end (idle 2 s) and are exported while the sensor runs: the
# metrics follow, without a restart.
settled=0
for _ in $(seq 1 150); do
    scrape >"$work/last.prom" 2>/dev/null || true
    if [ "$(value flows_active)" = 0 ] && [ "${flows:-x}" = "$(value flows_exported_total)" ] &&
        [ "$(value flows_exported_total)" -gt 0 ]; then
        settled=1
        break
    fi
    flows=$(value flows_exported_total)
    sleep 0.2
done
[ "$settled" = 1 ] || fail "flows never all exported: $(grep -E '^netflow_flows' "$work/last.prom")"
promtool check metrics <"$work/last.prom" || fail "promtool after traffic"
seen=$(value packets_seen_total)
counted=$(value packets_counted_total)
exported=$(value flows_exported_total)
delivered=$(value output_delivered_total '{output="csv"}')
[ "$seen" -gt 20 ] || fail "packets seen $seen after the traffic"
[ "$delivered" = "$exported" ] || fail "csv delivered $delivered, flows exported $exported"
if [ "$backend" = xdp ]; then
    [ "$(value flow_map_capacity)" = 1048576 ] || fail "flow map capacity $(value flow_map_capacity)"
    [ "$(value flow_map_entries)" = 0 ] || fail "flow map entries $(value flow_map_entries) after the sweep"
fi

# Prometheus itself scraped the same count.
query="$work/query.json"
answered=0
for _ in $(seq 1 200); do
    if nf_cli curl -sf --max-time 2 -o "$query" \
        "http://127.0.0.1:9090/api/v1/query?query=netflow_flows_exported_total" 2>/dev/null &&
        python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))['data']['result']
sys.exit(0 if r and r[0]['value'][1] == sys.argv[2] else 1)" "$query" "$exported"; then
        answered=1
        break
    fi
    sleep 0.2
done
[ "$answered" = 1 ] || fail "Prometheus did not answer netflow_flows_exported_total = $exported: $(cat "$query" 2>/dev/null) $(tail -3 "$work/prometheus.log")"

# SIGTERM, as systemctl stop sends it: exit 0, and the summary agrees.
kill -TERM "$sensor"
wait "$sensor"
rc=$?
[ "$rc" = 0 ] || fail "netflow exited $rc on SIGTERM: $(cat "$work/netflow.log")"
summary=$(grep -E '^netflow: [0-9]+ packets, [0-9]+ flows' "$work/netflow.log")
[ -n "$summary" ] || fail "no summary: $(cat "$work/netflow.log")"
sum_packets=$(sed -E 's/^netflow: ([0-9]+) packets.*/\1/' <<<"$summary")
sum_flows=$(sed -E 's/^netflow: [0-9]+ packets, ([0-9]+) flows.*/\1/' <<<"$summary")
rows=$(($(wc -l <"$work/live.csv") - 1))
[ "$sum_packets" = "$seen" ] || fail "summary $sum_packets packets, metrics $seen seen"
[ "$sum_flows" = "$exported" ] || fail "summary $sum_flows flows, metrics $exported exported"
[ "$rows" = "$exported" ] || fail "$rows CSV rows, metrics $exported flows exported"
# Every packet seen was counted (the lab has no other traffic) and the
# summary names none that was not.
[ "$counted" = "$seen" ] || grep -q 'not counted' <<<"$summary" ||
    fail "metrics: $seen seen, $counted counted, but the summary names no reason: $summary"
echo "metrics ($backend): $seen packets, $exported flows; curl, promtool and Prometheus agree with the summary"
