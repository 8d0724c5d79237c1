#!/usr/bin/env bash
# Issue 11, parts 3 and 5: several -f as one capture, and compressed CSV.
#  - a capture split into 3 files (editcap -c) gives byte-identical rows to
#    the whole, through repeated -f (any order), a directory and a glob,
#    as pcap and as pcapng parts, and from stdin;
#  - two captures of the same period, interleaved in time, give the rows of
#    their mergecap; with one of them as raw IP (another link type) too;
#  - a damaged file in the middle (not a capture; cut off in a record): one
#    line naming it, the others read, their rows written, exit 1;
#  - -c X.csv.gz / X.csv.zst read back (zcat, zstd -d, python) equal the
#    plain CSV; -c - stays plain.
#  - the progress bar (on a terminal) covers all files: it only goes up.
#  - with --threads 2 and 3 (flow workers fed by one reader): the split
#    capture, the interleaved files (two link types) and the damaged file
#    in the middle give the rows of --threads 1, byte for byte.
#   many_files.sh NETFLOW SOURCE_DIR WORKDIR GEN_SYNTHETIC_FLOWS
set -uo pipefail
netflow=$1
src=$2
work=$3/many_files
gen=$4
rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
for tool in editcap mergecap zstd python3; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (make deps)"; exit 1; }
done

http=$src/tests/golden/http.pcap
dns=$src/tests/golden/dns.pcap
fields=(--version 3)

# run NAME ARGS...: netflow ARGS -c WORK/NAME.csv; exit code in $rc, stderr in NAME.err
run() {
    local name=$1
    shift
    "$netflow" "$@" -c "$work/$name.csv" "${fields[@]}" 2>"$work/$name.err"
    rc=$?
}
expect_same() { # NAME REFERENCE
    if [ "$rc" != 0 ]; then
        fail "$1: exit $rc: $(cat "$work/$1.err")"
    elif ! cmp -s "$work/$1.csv" "$work/$2.csv"; then
        fail "$1: rows differ from $2"
        diff "$work/$2.csv" "$work/$1.csv" | head -5
    fi
}

# ------------------------------------------------------------ split in 3
run whole -f "$http"
[ "$rc" = 0 ] && [ "$(wc -l <"$work/whole.csv")" -ge 3 ] || fail "whole: exit $rc"
packets=$(capinfos -c -M "$http" | awk '/Number of packets/ {print $NF}')
per=$(((packets + 2) / 3))
mkdir -p "$work/parts" "$work/ng"
editcap -F pcap -c "$per" "$http" "$work/parts/http.pcap" || fail "editcap -c"
editcap -c "$per" "$http" "$work/ng/http.pcapng" || fail "editcap -c (pcapng)"
mapfile -t parts < <(ls "$work/parts"/* | sort)
[ "${#parts[@]}" = 3 ] || fail "editcap made ${#parts[@]} parts, not 3"
run repeated -f "${parts[0]}" -f "${parts[1]}" -f "${parts[2]}"
expect_same repeated whole
run reversed -f "${parts[2]}" -f "${parts[0]}" -f "${parts[1]}"
expect_same reversed whole
run directory -f "$work/ng"
expect_same directory whole
run glob -f "$work/parts/http_*.pcap"
expect_same glob whole
run twice -f "$work/parts" -f "${parts[1]}" # a file named twice is read once
expect_same twice whole
"$netflow" -f - -c "$work/stdin.csv" "${fields[@]}" <"$http" 2>"$work/stdin.err"
rc=$?
expect_same stdin whole
# A file boundary inside a flow: the split files must not give more rows.
[ "$(wc -l <"$work/whole.csv")" = "$(wc -l <"$work/repeated.csv")" ] ||
    fail "a flow crossing a file boundary became two"

# ------------------------------------------------------------ interleaved
# dns.pcap moved to start 0.5 s after http.pcap: the same period.
t_http=$(capinfos -a -S -T -r "$http" | awk -F'\t' 'NR==1 {print $2}')
t_dns=$(capinfos -a -S -T -r "$dns" | awk -F'\t' 'NR==1 {print $2}')
shift_s=$(python3 -c "print(f'{$t_http - $t_dns + 0.5:.6f}')")
editcap -F pcap -t "$shift_s" "$dns" "$work/dns_shifted.pcap" || fail "editcap -t"
mergecap -F pcap -w "$work/merged.pcap" "$http" "$work/dns_shifted.pcap" || fail mergecap
run merged -f "$work/merged.pcap"
[ "$rc" = 0 ] || fail "merged: exit $rc"
run interleaved -f "$http" -f "$work/dns_shifted.pcap"
expect_same interleaved merged
# http.pcap as raw IP (link type 101): each packet keeps its file's link type.
python3 - "$http" "$work/http_raw.pcap" <<'PY' || fail "raw IP copy"
import struct, sys
data = open(sys.argv[1], "rb").read()
magic, vmaj, vmin, zone, sig, snap, link = struct.unpack("<IHHiIII", data[:24])
assert magic == 0xA1B2C3D4 and link == 1
out = [struct.pack("<IHHiIII", magic, vmaj, vmin, zone, sig, snap, 101)]
off = 24
while off < len(data):
    sec, usec, cap, length = struct.unpack("<IIII", data[off:off + 16])
    frame = data[off + 16:off + 16 + cap]
    assert frame[12:14] == b"\x08\x00"  # untagged IPv4
    out.append(struct.pack("<IIII", sec, usec, cap - 14, length - 14) + frame[14:])
    off += 16 + cap
open(sys.argv[2], "wb").write(b"".join(out))
PY
run mixed -f "$work/dns_shifted.pcap" -f "$work/http_raw.pcap"
expect_same mixed merged

# ------------------------------------------------------------ damaged file
echo "not a capture" >"$work/notes.pcap"
run two_of_three -f "${parts[0]}" -f "${parts[2]}"
[ "$rc" = 0 ] || fail "two_of_three: exit $rc"
check_damaged() { # NAME BAD_FILE REFERENCE
    local errors
    errors=$(grep -c '^netflow: error' "$work/$1.err")
    [ "$rc" = 1 ] || fail "$1: exit $rc, not 1"
    [ "$errors" = 1 ] && grep -q "^netflow: error: .*$2" "$work/$1.err" ||
        fail "$1: not one error line naming $2: $(cat "$work/$1.err")"
    cmp -s "$work/$1.csv" "$work/$3.csv" || fail "$1: rows differ from $3"
}
run notcapture -f "${parts[0]}" -f "$work/notes.pcap" -f "${parts[2]}"
check_damaged notcapture "$work/notes.pcap" two_of_three
# The middle part cut 30 bytes into its 6th record: its first 5 packets
# are read, then one error line, then the rest.
editcap -F pcap -r "${parts[1]}" "$work/good5.pcap" 1-5 || fail "editcap -r"
cmp -s "$work/good5.pcap" <(head -c "$(stat -c %s "$work/good5.pcap")" "${parts[1]}") ||
    fail "editcap -r did not keep the bytes of the first 5 packets"
head -c "$(($(stat -c %s "$work/good5.pcap") + 30))" "${parts[1]}" >"$work/cut.pcap"
run first5 -f "${parts[0]}" -f "$work/good5.pcap" -f "${parts[2]}"
[ "$rc" = 0 ] || fail "first5: exit $rc"
run cut -f "${parts[0]}" -f "$work/cut.pcap" -f "${parts[2]}"
check_damaged cut "$work/cut.pcap" first5
run missing -f "${parts[0]}" -f "$work/nope.pcap" -f "${parts[2]}"
check_damaged missing "$work/nope.pcap" two_of_three
run nomatch -f "$work/none_*.pcap"
[ "$rc" = 1 ] && grep -q "none_\*.pcap: no file matches" "$work/nomatch.err" ||
    fail "nomatch: exit $rc: $(cat "$work/nomatch.err")"

# ------------------------------------------------------------ threads
# The references above ran with the default workers (every core); each case
# again with one worker and with 2 and 3: the same bytes (and exit codes).
for n in 1 2 3; do
    fields=(--version 3 --threads "$n")
    run "repeated_t$n" -f "${parts[0]}" -f "${parts[1]}" -f "${parts[2]}"
    expect_same "repeated_t$n" whole
    run "glob_t$n" -f "$work/ng"
    expect_same "glob_t$n" whole
    run "interleaved_t$n" -f "$http" -f "$work/dns_shifted.pcap"
    expect_same "interleaved_t$n" merged
    run "mixed_t$n" -f "$work/dns_shifted.pcap" -f "$work/http_raw.pcap"
    expect_same "mixed_t$n" merged
    run "cut_t$n" -f "${parts[0]}" -f "$work/cut.pcap" -f "${parts[2]}"
    check_damaged "cut_t$n" "$work/cut.pcap" first5
    run "notcapture_t$n" -f "${parts[0]}" -f "$work/notes.pcap" -f "${parts[2]}"
    check_damaged "notcapture_t$n" "$work/notes.pcap" two_of_three
done
fields=(--version 3)

# ------------------------------------------------------------ progress bar
# Over 4 rotated files on a terminal (script(1)): the percentage drawn
# never goes back (a bar per file would restart at 0%) and passes 50%.
"$gen" "$work/big.pcap" 150000 150000 2>/dev/null || fail "generator"
mkdir -p "$work/four"
editcap -F pcap -c 75000 "$work/big.pcap" "$work/four/big.pcap" || fail "editcap -c (4 parts)"
if script -qec "$netflow -f $work/four -c /dev/null" /dev/null >"$work/tty.out" 2>&1; then
    tr '\r' '\n' <"$work/tty.out" | grep -o '\] *[0-9]*%' | tr -dc '0-9\n' >"$work/pct"
    awk 'NF { n++; if ($1 < last) back = 1; last = $1; if ($1 > max) max = $1 }
         END { exit !(n >= 2 && !back && max >= 50) }' "$work/pct" ||
        fail "progress bar over 4 files: $(paste -sd' ' "$work/pct")"
else
    fail "conversion under script(1) failed: $(tail -2 "$work/tty.out")"
fi
# The 4 parts with 3 workers: the rows of the whole capture on one thread.
"$netflow" -f "$work/big.pcap" -c "$work/big_t1.csv" --version 3 --threads 1 2>/dev/null ||
    fail "big.pcap --threads 1"
"$netflow" -f "$work/four" -c "$work/four_t3.csv" --version 3 --threads 3 2>"$work/four_t3.err" ||
    fail "4 parts --threads 3: $(cat "$work/four_t3.err")"
cmp -s "$work/big_t1.csv" "$work/four_t3.csv" || fail "4 parts --threads 3: rows differ from the whole"
rm -rf "$work/four" "$work/big.pcap" "$work"/big_t1.csv "$work"/four_t3.csv

# ------------------------------------------------------------ compressed
"$netflow" -f "$work/merged.pcap" -c "$work/plain.csv" "${fields[@]}" 2>/dev/null
for ext in gz zst; do
    "$netflow" -f "$work/merged.pcap" -c "$work/out.csv.$ext" "${fields[@]}" 2>"$work/$ext.err" ||
        fail "$ext: exit $?: $(cat "$work/$ext.err")"
    cmp -s "$work/out.csv.$ext" "$work/plain.csv" && fail "$ext: written plain"
done
cmp -s <(zcat "$work/out.csv.gz") "$work/plain.csv" || fail ".gz: zcat differs from the plain CSV"
cmp -s <(zstd -dc "$work/out.csv.zst") "$work/plain.csv" ||
    fail ".zst: zstd -d differs from the plain CSV"
python3 -c "import gzip,sys; sys.stdout.buffer.write(gzip.open(sys.argv[1]).read())" \
    "$work/out.csv.gz" | cmp -s - "$work/plain.csv" || fail ".gz: python's gzip differs"
# stdout stays plain whatever it is called.
"$netflow" -f "$work/merged.pcap" -c - "${fields[@]}" 2>/dev/null >"$work/stdout.gz"
cmp -s "$work/stdout.gz" "$work/plain.csv" || fail "-c - is not the plain CSV"
# A stalled FIFO among the inputs, compressed output: SIGTERM ends the run
# at once (exit 0) and every flow is in the file, the stream ended
# properly. --max-time likewise.
mkfifo "$work/fifo"
for how in term max-time; do
    { cat "$dns"; exec sleep 30; } >"$work/fifo" &
    writer=$!
    extra=()
    [ "$how" = max-time ] && extra=(--max-time 1)
    timeout -k 5 20 "$netflow" -f "$work/fifo" -f "$http" -c "$work/stall.csv.zst" \
        "${fields[@]}" "${extra[@]}" 2>"$work/stall.err" &
    sensor=$!
    [ "$how" = term ] && { sleep 1; kill -TERM "$sensor"; }
    wait "$sensor"
    rc=$?
    kill "$writer" 2>/dev/null
    wait "$writer" 2>/dev/null
    [ "$rc" = 0 ] || fail "stalled FIFO ($how), .zst: exit $rc: $(cat "$work/stall.err")"
    "$netflow" -f "$dns" -f "$http" -c "$work/both.csv" "${fields[@]}" 2>/dev/null
    cmp -s <(zstd -dc "$work/stall.csv.zst") "$work/both.csv" ||
        fail "stalled FIFO ($how), .zst: rows differ from the two files read whole"
done

# A compressed output that cannot be created: one line, exit 1.
"$netflow" -f "$http" -c "$work/no/such/dir.csv.gz" 2>"$work/nodir.err"
rc=$?
[ "$rc" = 1 ] && grep -q "cannot create $work/no/such/dir.csv.gz" "$work/nodir.err" ||
    fail "uncreatable .gz: exit $rc: $(cat "$work/nodir.err")"
# A full disk: the run stops with one line, exit 1.
if [ -w /dev/full ]; then
    ln -sf /dev/full "$work/full.csv.zst"
    "$netflow" -f "$work/merged.pcap" -c "$work/full.csv.zst" 2>"$work/full.err"
    rc=$?
    [ "$rc" = 1 ] && grep -q "cannot write $work/full.csv.zst" "$work/full.err" ||
        fail "full disk .zst: exit $rc: $(cat "$work/full.err")"
fi

if [ "$failures" -gt 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "many_files: all checks passed"
