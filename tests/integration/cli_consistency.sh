#!/usr/bin/env bash
# The command line's edge cases as a user meets them (issue 14, items 7 and
# 9): the same error and exit code for an unsupported link type with or
# without --filter; each doubtful value a usage error (exit 2, one line) or
# its documented meaning (docs/decisions.md, "Hardening").
#   cli_consistency.sh NETFLOW REPO_ROOT WORKDIR
set -uo pipefail
netflow=$1
root=$2
work=$3/cli_consistency
cap=$root/tests/golden/dns.pcap
rm -rf "$work" && mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect CODE PATTERN ARGS...: exit CODE, one stderr line matching PATTERN.
expect() {
    local code=$1 pattern=$2
    shift 2
    "$netflow" "$@" >"$work/out" 2>"$work/err"
    local rc=$?
    if [ "$rc" != "$code" ]; then
        fail "netflow $* exited $rc, want $code: $(head -c 300 "$work/err")"
    elif [ "$(wc -l <"$work/err")" != 1 ] || ! grep -q -- "$pattern" "$work/err"; then
        fail "netflow $*: want one line matching '$pattern': $(cat "$work/err")"
    fi
}

# An unsupported link type (DLT 147, USER0): exit 1, the same line, with or
# without a filter (not the filter's fault).
python3 - "$work/dlt147.pcap" <<'PY'
import struct, sys
frame = bytes(40)
open(sys.argv[1], "wb").write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 147) +
                              struct.pack("<IIII", 1, 0, len(frame), len(frame)) + frame)
PY
expect 1 "unsupported link type DLT 147" -f "$work/dlt147.pcap" -c "$work/o.csv"
cp "$work/err" "$work/nofilter.err"
expect 1 "unsupported link type DLT 147" -f "$work/dlt147.pcap" -c "$work/o.csv" --filter tcp
cmp -s "$work/err" "$work/nofilter.err" || fail "DLT 147: another error with --filter: $(cat "$work/err")"

o=(-f "$cap" -c "$work/o.csv")
for n in -1 -5 0 18446744073709551616 2.5 ''; do
    expect 2 "error: --max-flows" "${o[@]}" --max-flows "$n"
done
expect 2 "max-flows must be at least 1" "${o[@]}" --max-flows=-1
expect 2 "dpi-packets needs a value" "${o[@]}" --dpi-packets ''
expect 2 "attack needs a value" "${o[@]}" --attack ''
expect 2 "attack needs a value" "${o[@]}" --attack=
expect 2 "no-label contradicts --fields" "${o[@]}" --fields IN_BYTES,Label,Attack --no-label
expect 2 "attack sets Label and Attack" "${o[@]}" --fields IN_BYTES --attack x
expect 2 "selects IN_BYTES twice" "${o[@]}" --fields IN_BYTES,OUT_BYTES,in_bytes
expect 2 "selects IN_BYTES twice" -f "$cap" -u http://127.0.0.1:9/ --spool "$work/s.jsonl" --fields IN_BYTES,IN_BYTES
[ -e "$work/o.csv" ] && fail "a usage error created the output"

# --filter= and --filter '' are the same: libpcap's empty filter, every
# packet (not the default IPv4 TCP/UDP/ICMP filter).
"$netflow" "${o[@]}" --filter= 2>"$work/eq.err" || fail "--filter= exited $?: $(cat "$work/eq.err")"
"$netflow" -f "$cap" -c "$work/space.csv" --filter '' 2>/dev/null || fail "--filter '' exited $?"
cmp -s "$work/o.csv" "$work/space.csv" || fail "--filter= and --filter '' differ"
# The largest count is a limit like any other.
"$netflow" -f "$cap" -c "$work/max.csv" --max-flows 18446744073709551615 2>/dev/null ||
    fail "--max-flows 18446744073709551615 exited $?"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "cli consistency: all checks passed"
