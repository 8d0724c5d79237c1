#!/usr/bin/env bash
# pmacct's nfacctd as a second collector (issue 12): one nfacctd on
# 127.0.0.1 receives netflow's IPFIX export, another its NetFlow v9 export,
# of the largest captures of the nDPI corpus (with -c in the same runs). Each
# aggregates per flow key (print plugin, JSON lines) with custom primitives
# for the reverse counters and nProbe's L7_PROTO (IPFIX 35632/118, v9 57590);
# compare_nfacctd.py then checks endpoints, ports, protocol, TCP flags,
# first/last ms, packets and bytes per direction and L7_PROTO against the CSV.
#
#   export_nfacctd.sh NETFLOW REPO CORPUS_DIR [FILES]
set -uo pipefail
netflow=$1
root=$2
corpus=$3/pcap
nfiles=${4:-10}
work=$(mktemp -d /tmp/export_nfacctd.XXXXXX)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

command -v nfacctd >/dev/null || { echo "FAIL: nfacctd not installed (make deps)"; exit 1; }
[ -d "$corpus" ] || { echo "FAIL: no corpus at $corpus"; exit 1; }

free_udp_port() {
    python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

collector_pids=()
stop_collectors() {  # SIGINT: nfacctd's core stops its plugins and exits
    for pid in "${collector_pids[@]}"; do
        kill -INT "$pid" 2>/dev/null
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    collector_pids=()
}
trap 'stop_collectors; rm -rf "$work"' EXIT

start_nfacctd() {  # KIND PORT L7_FIELD_TYPE
    local dir=$work/$1
    mkdir -p "$dir"
    printf 'name=out_bytes\tfield_type=23\tlen=8\tsemantics=u_int\n' >"$dir/primitives"
    printf 'name=out_packets\tfield_type=24\tlen=8\tsemantics=u_int\n' >>"$dir/primitives"
    printf 'name=l7_proto\tfield_type=%s\tlen=2\tsemantics=u_int\n' "$3" >>"$dir/primitives"
    cat >"$dir/nfacctd.conf" <<CONF
daemonize: false
nfacctd_ip: 127.0.0.1
nfacctd_port: $2
aggregate_primitives: $dir/primitives
plugins: print[flows]
aggregate[flows]: src_host,dst_host,src_port,dst_port,proto,tcpflags,timestamp_start,timestamp_end,out_packets,out_bytes,l7_proto
print_output[flows]: json
print_output_file[flows]: $dir/flows.jsonl
print_output_file_append[flows]: true
print_refresh_time[flows]: 1
nfacctd_time_new: false
timestamps_secs: false
timestamps_utc: true
CONF
    # Not under timeout(1): its signal to the whole group leaves the core
    # waiting for a plugin that died first. The trap stops it.
    nfacctd -f "$dir/nfacctd.conf" >"$dir/log" 2>&1 &
    collector_pids+=($!)
}

ipfix_port=$(free_udp_port)
v9_port=$(free_udp_port)
start_nfacctd ipfix "$ipfix_port" 35632:118
start_nfacctd v9 "$v9_port" 57590
sleep 2
for kind in ipfix v9; do
    grep -aqi "waiting for NetFlow/IPFIX data" "$work/$kind/log" ||
        { echo "FAIL: nfacctd ($kind) did not start: $(tail -3 "$work/$kind/log")"; exit 1; }
done

mkdir -p "$work/csv"
runs=0 rows_total=0
# shellcheck disable=SC2012
for pcap in $(ls -S "$corpus" | head -n "$nfiles"); do
    name=${pcap%.*}
    "$netflow" -f "$corpus/$pcap" --version 3 -c "$work/csv/$name.csv" \
        --export "ipfix://127.0.0.1:$ipfix_port" --export "netflow9://127.0.0.1:$v9_port" \
        >/dev/null 2>"$work/$name.err"
    rc=$?
    [ $rc -eq 0 ] || grep -q "netflow: error: cannot read" "$work/$name.err" ||
        fail "$pcap: exit $rc: $(head -3 "$work/$name.err")"
    rows=$(($(wc -l <"$work/csv/$name.csv") - 1))
    for port in $ipfix_port $v9_port; do
        grep -q "export [a-z0-9]*://127.0.0.1:$port: $rows flows\? sent" "$work/$name.err" ||
            fail "$pcap: the summary does not say $rows flows were sent to port $port"
    done
    runs=$((runs + 1))
    rows_total=$((rows_total + rows))
    # nfacctd reads its socket as fast as one process can: one capture at a time.
    sleep 0.5
done
[ "$runs" -ge 5 ] && [ "$rows_total" -gt 0 ] || fail "only $runs corpus files, $rows_total flows"

# The print plugin writes its cache every second: wait until both files stop growing.
for kind in ipfix v9; do
    last=-1
    for _ in $(seq 30); do
        sleep 2
        now=$(cat "$work/$kind/flows.jsonl" 2>/dev/null | wc -l)
        [ "$now" -eq "$last" ] && [ "$now" -gt 0 ] && break
        last=$now
    done
done
stop_collectors
for kind in ipfix v9; do
    echo "$kind:"
    python3 "$root/tests/export/compare_nfacctd.py" "$work/$kind/flows.jsonl" "$work"/csv/*.csv ||
        fail "nfacctd over $kind did not decode the CSV's flows"
done

if [ "$failures" -ne 0 ]; then
    echo "export_nfacctd: $failures failure(s)"
    exit 1
fi
echo "export_nfacctd: $runs captures, $rows_total flows, the same at nfacctd over IPFIX and v9"
