#!/usr/bin/env bash
# Golden tests: captures of real traffic made by real programs in network
# namespaces (tools/lab/record_golden.sh) against
#   NAME.expected.csv  netflow's rows, every NF-v3 column plus the extras,
#                      reviewed by hand when recorded (README.md here), and
#   NAME.oracle.csv    tools/lab/golden_oracle.py's rows: an independent
#                      computation through tshark's dissectors.
# Either disagreeing fails the test. `--update` rewrites the expected files
# (after a new recording; review the diff by hand).
#   check_golden.sh NETFLOW REPO_ROOT [--update]
set -uo pipefail
netflow=$1
root=$2
update=${3:-}
here=$root/tests/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# Every column, so that every value is pinned.
fields=$("$netflow" -f "$here/dns.pcap" -c - --version 3 --no-label 2>/dev/null | head -1 | tr -d '\r')
fields="$fields,L7_PROTO_NAME,SERVER_NAME,Label,Attack"

# capture name and the filter it is converted with (the IPv6 ones need one:
# the default filter is IPv4 only).
declare -A filter=([http]="" [dns]="" [ftp]="" [ping]="ip or ip6" [http6]="ip or ip6")

for name in http dns ftp ping http6; do
    args=(-f "$here/$name.pcap" -c "$tmp/$name.csv" --fields "$fields")
    [ -n "${filter[$name]}" ] && args+=(--filter "${filter[$name]}")
    if ! "$netflow" "${args[@]}" 2>"$tmp/$name.err"; then
        echo "FAIL: $name: netflow exited non-zero: $(cat "$tmp/$name.err")"
        failures=$((failures + 1))
        continue
    fi
    if [ "$update" = --update ]; then
        cp "$tmp/$name.csv" "$here/$name.expected.csv"
    elif ! cmp -s "$tmp/$name.csv" "$here/$name.expected.csv"; then
        echo "FAIL: $name: output differs from $name.expected.csv:"
        diff <(tr -d '\r' <"$here/$name.expected.csv") <(tr -d '\r' <"$tmp/$name.csv") | head -20
        failures=$((failures + 1))
    fi
    # Every column the oracle computes must agree, row by row.
    if ! python3 - "$tmp/$name.csv" "$here/$name.oracle.csv" <<'PY'; then
import csv, sys
ours = list(csv.DictReader(open(sys.argv[1], newline="")))
oracle = list(csv.DictReader(open(sys.argv[2], newline="")))
bad = []
if len(ours) != len(oracle):
    bad.append(f"{len(ours)} rows, oracle has {len(oracle)}")
for i, (a, b) in enumerate(zip(ours, oracle)):
    for col, want in b.items():
        if a.get(col) != want:
            bad.append(f"row {i + 1} {col}: netflow {a.get(col)}, oracle {want}")
for line in bad[:20]:
    print("  " + line)
sys.exit(1 if bad else 0)
PY
        echo "FAIL: $name: netflow disagrees with the oracle ($name.oracle.csv)"
        failures=$((failures + 1))
    fi
done

# The committed oracle output must still be what the oracle computes.
if command -v tshark >/dev/null; then
    for name in http dns ftp ping http6; do
        mode=default
        [ -n "${filter[$name]}" ] && mode=ip
        python3 "$root/tools/lab/golden_oracle.py" --filter-mode $mode --columns full \
            "$here/$name.pcap" >"$tmp/$name.oracle" 2>"$tmp/$name.oracle.err" ||
            { echo "FAIL: oracle on $name: $(cat "$tmp/$name.oracle.err")"; failures=$((failures + 1)); continue; }
        cmp -s <(tr -d '\r' <"$tmp/$name.oracle") <(tr -d '\r' <"$here/$name.oracle.csv") ||
            { echo "FAIL: $name.oracle.csv is stale (rerun tools/lab/record_golden.sh)"; failures=$((failures + 1)); }
    done
else
    echo "FAIL: tshark is missing (make deps installs it); the oracle cannot be checked"
    failures=$((failures + 1))
fi

[ "$failures" -eq 0 ] || { echo "$failures golden check(s) failed"; exit 1; }
echo "golden: 5 captures match their expected rows and the oracle"
