#!/usr/bin/env bash
# The command line's contract (docs/spec/CLI.md) as a user meets it: exit codes, one
# clear error line, flows written before a runtime error, determinism.
#   cli_contract.sh NETFLOW REPO_ROOT
set -uo pipefail
netflow=$1
root=$2
golden=$root/tests/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect CODE PATTERN -- ARGS...: exit code CODE and exactly one stderr line
# "netflow: error: ..." matching PATTERN (for usage and runtime errors).
expect_error() {
    local code=$1 pattern=$2
    shift 3
    "$netflow" "$@" >"$tmp/out" 2>"$tmp/err"
    local rc=$?
    local errors
    errors=$(grep -c '^netflow: error: ' "$tmp/err")
    if [ "$rc" != "$code" ]; then
        fail "netflow $* exited $rc, expected $code: $(head -c 300 "$tmp/err")"
    elif [ "$errors" != 1 ]; then
        fail "netflow $* printed $errors error lines, expected 1: $(cat "$tmp/err")"
    elif ! grep -q -- "$pattern" "$tmp/err"; then
        fail "netflow $* error does not mention '$pattern': $(cat "$tmp/err")"
    fi
}

cap=$golden/http.pcap

# Usage errors: exit 2, before any capture starts.
expect_error 2 "not expected" -- -f "$cap" -c "$tmp/o.csv" --bogus
expect_error 2 "output is required" -- -f "$cap" -c
expect_error 2 "not both" -- -f "$cap" -i veth0 -c "$tmp/o.csv"
expect_error 2 "is required" -- -c "$tmp/o.csv"
expect_error 2 "not both" -- -f "$cap" -c -u "$tmp/o.csv"
expect_error 2 "one of -c/--csv or -u/--url" -- -f "$cap" "$tmp/o.csv"
expect_error 2 "unknown field 'NOPE'" -- -f "$cap" -c "$tmp/o.csv" --fields "IN_BYTES, NOPE"
expect_error 2 "IPV4_SRC_ADDR" -- -f "$cap" -c "$tmp/o.csv" --fields "NOPE"
expect_error 2 "cannot be used together" -- -f "$cap" -c "$tmp/o.csv" --fields IN_BYTES --version 3
expect_error 2 "must be 1, 2 or 3" -- -f "$cap" -c "$tmp/o.csv" --version 4
expect_error 2 "cannot be used together" -- -f "$cap" -c "$tmp/o.csv" --label --no-label
expect_error 2 "no-label" -- -f "$cap" -c "$tmp/o.csv" --no-label --attack dos
expect_error 2 "syntax error" -- -f "$cap" -c "$tmp/o.csv" --filter "tcp port"
expect_error 2 "ambiguous option --ma" -- -f "$cap" -c "$tmp/o.csv" --ma 3
expect_error 2 "max-flows must be at least 1" -- -f "$cap" -c "$tmp/o.csv" --max-flows 0
expect_error 2 "apply to -i only" -- -f "$cap" -c "$tmp/o.csv" --capture tap
expect_error 2 "apply to -i only" -- -f "$cap" -c "$tmp/o.csv" --flow-map-size 4
expect_error 2 "file needs a value" -- -f "" -c "$tmp/o.csv"
expect_error 2 "interface needs a value" -- -i "" -c "$tmp/o.csv"
expect_error 2 "--user applies to -i only" -- -f "$cap" -c "$tmp/o.csv" --user nobody
expect_error 2 "no such user" -- -i lo -c "$tmp/o.csv" --user no-such-user-here
[ -e "$tmp/o.csv" ] && fail "a usage error created the output file"

# The output must never be the capture being read (creating it truncates it).
cp "$cap" "$tmp/self.pcap"
expect_error 2 "is the input capture itself" -- -f "$tmp/self.pcap" -c "$tmp/self.pcap"
cmp -s "$cap" "$tmp/self.pcap" || fail "converting a capture onto itself damaged it"

# Runtime errors: exit 1 with one clear line.
expect_error 1 "No such file" -- -f "$tmp/missing.pcap" -c "$tmp/o.csv"
echo "this is not a capture" >"$tmp/text.pcap"
expect_error 1 "cannot read capture" -- -f "$tmp/text.pcap" -c "$tmp/o.csv"
expect_error 1 "unknown file format (not a pcap or pcapng capture)" -- -f "$tmp/text.pcap" -c "$tmp/o.csv"
expect_error 1 "cannot create" -- -f "$cap" -c "$tmp/no/such/dir/o.csv"

# A capture cut in the middle of a record: the flows so far are written.
size=$(stat -c %s "$cap")
head -c $((size / 2)) "$cap" >"$tmp/cut.pcap"
expect_error 1 "truncated" -- -f "$tmp/cut.pcap" -c "$tmp/cut.csv"
rows=$(($(wc -l <"$tmp/cut.csv") - 1))
[ "$rows" -ge 1 ] || fail "truncated capture: no flow written ($rows rows)"

# Help goes to stdout with exit 0 and names every flag of docs/spec/CLI.md.
"$netflow" --help >"$tmp/help" 2>&1 || fail "--help exited $?"
for flag in --interface --file --csv --url --fields --version --max-flows --max-time --label \
    --no-label --attack --filter --verbose --idle-timeout --active-timeout --dpi-packets \
    --app-packets --backend --capture --xdp-mode --stats --batch --flush-interval --spool \
    --timeout --header --queue-size --cacert; do
    grep -q -- "$flag" "$tmp/help" || fail "--help does not mention $flag"
done

# argparse-style unique prefixes and --flag=value keep working.
"$netflow" -f "$cap" -c "$tmp/prefix.csv" --vers=1 --no-lab 2>/dev/null ||
    fail "prefix options were refused"
head -1 "$tmp/prefix.csv" | grep -q $'^IPV4_SRC_ADDR,L4_SRC_PORT,IPV4_DST_ADDR,L4_DST_PORT,PROTOCOL,L7_PROTO,IN_BYTES,IN_PKTS,OUT_BYTES,OUT_PKTS,TCP_FLAGS,FLOW_DURATION_MILLISECONDS\r$' ||
    fail "--version 1 --no-label header: $(head -1 "$tmp/prefix.csv")"

# The header repeats --fields names as given; Label/Attack from --attack.
"$netflow" -f "$cap" -c "$tmp/fields.csv" --fields "src ip, Dst Port ,label,Attack" --attack dos 2>/dev/null
head -1 "$tmp/fields.csv" | grep -q $'^src ip,Dst Port,label,Attack\r$' ||
    fail "--fields header: $(head -1 "$tmp/fields.csv")"
sed -n 2p "$tmp/fields.csv" | grep -q $',80,1,dos\r$' || fail "--attack row: $(sed -n 2p "$tmp/fields.csv")"

# --max-flows N writes exactly N flows.
"$netflow" -f "$golden/dns.pcap" -c "$tmp/max.csv" --max-flows 2 2>/dev/null || fail "--max-flows exited $?"
[ "$(($(wc -l <"$tmp/max.csv") - 1))" = 2 ] || fail "--max-flows 2 wrote $(($(wc -l <"$tmp/max.csv") - 1)) flows"

# Output to stdout with -, and the summary line on stderr.
"$netflow" -f "$cap" -c - >"$tmp/stdout.csv" 2>"$tmp/summary" || fail "-c - exited $?"
[ "$(wc -l <"$tmp/stdout.csv")" -ge 2 ] || fail "-c - wrote nothing to stdout"
grep -q '^netflow: [0-9]* packets, [0-9]* flows' "$tmp/summary" || fail "no summary: $(cat "$tmp/summary")"

# Determinism: the same input twice gives byte-identical output.
for f in "$golden"/*.pcap; do
    "$netflow" -f "$f" -c "$tmp/a.csv" --version 3 2>/dev/null
    "$netflow" -f "$f" -c "$tmp/b.csv" --version 3 2>/dev/null
    cmp -s "$tmp/a.csv" "$tmp/b.csv" || fail "two conversions of $f differ"
done

# A live interface that does not exist: a runtime error naming it.
expect_error 1 "nf-none0 does not exist" -- -i nf-none0 --backend pcap -c "$tmp/o.csv"
# -u: a URL that does not parse or is not http(s) is a usage error, before
# anything is read or created; the delivery flags belong to -u.
expect_error 2 "not an http or https URL" -- -f "$cap" -u ftp://127.0.0.1/x
expect_error 2 "not a valid URL" -- -f "$cap" -u "http://exa mple/"
expect_error 2 "no scheme\|not a valid URL" -- -f "$cap" -u "127.0.0.1:8080/predict"
expect_error 2 "apply to -u only" -- -f "$cap" -c "$tmp/o.csv" --batch 10
expect_error 2 "Name: value" -- -f "$cap" -u http://127.0.0.1:9/ --header nocolon
expect_error 2 "--timeout" -- -f "$cap" -u http://127.0.0.1:9/ --timeout 0
# A port where nothing listens: the flows stay in the spool, exit 1 after
# --timeout, and the error says how many and where.
expect_error 1 "not delivered.*$tmp/refused.spool" -- -f "$cap" -u http://127.0.0.1:9/ \
    --timeout 1 --spool "$tmp/refused.spool"
[ -s "$tmp/refused.spool" ] || fail "-u to a closed port: no spool"
# A spool that is not JSON lines is refused and left as it is; one locked by
# another process is refused; the capture itself is never the spool.
cp "$golden/dns.pcap" "$tmp/notspool"
expect_error 1 "is not a netflow spool" -- -f "$cap" -u http://127.0.0.1:9/ --spool "$tmp/notspool"
cmp -s "$golden/dns.pcap" "$tmp/notspool" || fail "a file that is not a spool was changed"
flock "$tmp/refused.spool" sleep 4 </dev/null >/dev/null 2>&1 &
locker=$!
sleep 0.5
expect_error 1 "in use by another netflow" -- -f "$cap" -u http://127.0.0.1:9/ \
    --spool "$tmp/refused.spool"
wait "$locker"
expect_error 2 "is the input capture itself" -- -f "$cap" -u http://127.0.0.1:9/ --spool "$cap"

if [ "$failures" -gt 0 ]; then
    echo "$failures check(s) failed"
    exit 1
fi
echo "cli contract: all checks passed"
