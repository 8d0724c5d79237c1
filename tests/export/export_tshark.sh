#!/usr/bin/env bash
# tshark (Wireshark's cflow dissector, which knows ntop's elements) decodes
# every exported column of a recorded export, IPFIX and NetFlow v9: each
# must equal netflow's CSV of the same run (compare_tshark.py), L7 names and
# server names included. The datagrams are recorded by udp_to_pcap.py, a
# UDP collector on 127.0.0.1 (nothing is captured from an interface).
#
#   export_tshark.sh NETFLOW REPO CORPUS_DIR
set -uo pipefail
netflow=$1
root=$2
corpus=$3/pcap
here=$root/tests/export
work=$(mktemp -d /tmp/export_tshark.XXXXXX)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
listener=
stop_listener() {
    [ -n "$listener" ] && { kill -TERM "$listener" 2>/dev/null; wait "$listener" 2>/dev/null; }
    listener=
}
trap 'stop_listener; rm -rf "$work"' EXIT
command -v tshark >/dev/null || { echo "FAIL: tshark not installed (make deps)"; exit 1; }

# Every NF-v3 column and the two text extras (Label/Attack have no element).
fields=$("$netflow" -f "$root/tests/golden/http.pcap" -c - --version 3 --no-label 2>/dev/null |
    head -1 | tr -d '\r')
fields="$fields,L7_PROTO_NAME,SERVER_NAME"

captures="teams.pcap dns.pcap ftp.pcap icmp-tunnel.pcap custom_rules_ipv6.pcapng"
for scheme in ipfix netflow9; do
    for pcap in $captures; do
        [ -f "$corpus/$pcap" ] || { fail "no $corpus/$pcap"; continue; }
        dir=$work/$scheme-$pcap
        mkdir -p "$dir"
        python3 "$here/udp_to_pcap.py" --port-file "$dir/port" --out "$dir/export.pcap" \
            --seconds 120 &
        listener=$!
        for _ in $(seq 50); do [ -s "$dir/port" ] && break; sleep 0.1; done
        port=$(cat "$dir/port")
        "$netflow" -f "$corpus/$pcap" --filter "" -c "$dir/flows.csv" --fields "$fields" \
            --export "$scheme://127.0.0.1:$port" 2>"$dir/err" ||
            fail "$scheme $pcap: netflow failed: $(cat "$dir/err")"
        sleep 0.5
        stop_listener
        tshark -r "$dir/export.pcap" -d "udp.port==$port,cflow" -T pdml >"$dir/export.pdml" \
            2>"$dir/tshark.err" || fail "$scheme $pcap: tshark: $(head -3 "$dir/tshark.err")"
        if grep -q '_ws.malformed' "$dir/export.pdml"; then
            fail "$scheme $pcap: tshark finds malformed messages"
        fi
        echo "$scheme $pcap:"
        python3 "$here/compare_tshark.py" "$dir/export.pdml" "$dir/flows.csv" \
            $([ $scheme = netflow9 ] && echo --v9) || fail "$scheme $pcap: tshark disagrees with the CSV"
        # The options data: each L7_PROTO id's name (HTTP is nDPI's 7).
        grep -q -e 'show="HTTP"' -e '00074854545000' "$dir/export.pdml" ||
            fail "$scheme $pcap: no L7_PROTO name table (options data) decoded"
    done
done
[ "$failures" -eq 0 ] || { echo "export_tshark: $failures failure(s)"; exit 1; }
echo "export_tshark: every exported column decoded by tshark equals the CSV"
