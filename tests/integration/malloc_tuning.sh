#!/usr/bin/env bash
# The allocator on 2 MB pages (userspace/launcher/launcher.c): the entry
# users run executes the program with GLIBC_TUNABLES set, the process keeps
# its name (ps, pgrep), and glibc then marks its heap for huge pages
# (THPeligible in /proc/PID/smaps); a GLIBC_TUNABLES of the user's (empty:
# off) is left as it is; the rows are the same either way. A sanitizer
# build (MODE sanitized) keeps its own allocator: not set, checked as well.
# The entry without its program: one line naming it, exit 1.
#   malloc_tuning.sh NETFLOW WORKDIR CAPTURE [MODE]
set -uo pipefail
netflow=$1
work=$2/malloc_tuning
capture=$3
mode=${4:-tuned}
rm -rf "$work"
mkdir -p "$work"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expected="glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864"
thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo "[never]")

# A capture's header, then the stream held open: the sensor waits for
# packets while it is looked at.
python3 -c 'import struct, sys; sys.stdout.buffer.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))' >"$work/header.pcap"

# look [ENV...]: starts netflow on the held stream with ENV, prints its
# /proc/PID/environ's GLIBC_TUNABLES line (or "unset"; glibc cuts it at the
# first ':' as it parses it), its comm, whether a [heap] mapping is
# THP-eligible (yes/no) and the heap's size in MB, then stops it.
look() {
    rm -f "$work/in.fifo" && mkfifo "$work/in.fifo"
    (cat "$work/header.pcap"; exec sleep 20) >"$work/in.fifo" 2>/dev/null &
    pids+=("$!")
    env "$@" timeout 30 "$netflow" -f "$work/in.fifo" -c "$work/held.csv" 2>"$work/err" &
    local sensor=$! pid="" i
    pids+=("$sensor")
    for i in $(seq 100); do
        pid=$(pgrep -P "$sensor" | head -1)
        [ -n "$pid" ] && grep -q 'netflow' "/proc/$pid/comm" 2>/dev/null && break
        sleep 0.1
    done
    # The re-execution is the first thing a run does: a second later the
    # process looked at is the re-executed one, waiting for packets.
    sleep 1
    if [ -z "$pid" ]; then
        echo "none none none 0"
    else
        local env comm heap=no
        env=$(tr '\0' '\n' <"/proc/$pid/environ" | grep '^GLIBC_TUNABLES=' || echo unset)
        comm=$(cat "/proc/$pid/comm")
        awk '/\[heap\]/ {h = 1; next} /^[0-9a-f]+-/ {h = 0} h && /^THPeligible: *1/ {f = 1}
             END {exit !f}' "/proc/$pid/smaps" && heap=yes
        local mb=0 range lo hi
        while read -r range _; do
            lo=${range%-*} hi=${range#*-}
            mb=$((mb + (0x$hi - 0x$lo) / 1048576))
        done < <(grep '\[heap\]' "/proc/$pid/maps")
        echo "$env $comm $heap $mb"
    fi
    kill "$sensor" 2>/dev/null
    wait "$sensor" 2>/dev/null
}

read -r env comm heap mb < <(look X=1)
if [[ $thp == *"[never]"* || $mode = sanitized ]]; then
    [ "$env" = unset ] || fail "huge pages off or a sanitizer build ($mode), yet re-executed: $env"
else
    [[ "GLIBC_TUNABLES=$expected" == "$env"* && $env == *hugetlb=1 ]] ||
        fail "not re-executed with the tunables: $env"
    [ "$heap" = yes ] || fail "the heap is not marked for huge pages (THPeligible)"
    [ "$mb" -ge 64 ] || fail "the heap grew by $mb MB, not 64 MB at once (top_pad)"
fi
[ "$comm" = netflow ] || fail "the process is named '$comm', not netflow"

read -r env comm heap mb < <(look GLIBC_TUNABLES=)
[ "$env" = "GLIBC_TUNABLES=" ] || fail "an empty GLIBC_TUNABLES was changed: $env"
[ "$heap" = no ] || fail "huge pages with the tuning turned off"
[ "$mb" -lt 64 ] || fail "a 64 MB heap with the tuning turned off"
read -r env comm heap mb < <(look GLIBC_TUNABLES=glibc.malloc.check=0)
[ "$env" = "GLIBC_TUNABLES=glibc.malloc.check=0" ] || fail "the user's GLIBC_TUNABLES was changed: $env"

# The same rows either way.
"$netflow" -f "$capture" -c "$work/tuned.csv" 2>"$work/err" || fail "tuned run: $(tail -n1 "$work/err")"
GLIBC_TUNABLES= "$netflow" -f "$capture" -c "$work/plain.csv" 2>"$work/err" ||
    fail "plain run: $(tail -n1 "$work/err")"
cmp -s "$work/tuned.csv" "$work/plain.csv" || fail "rows differ with and without the tuning"
[ -s "$work/tuned.csv" ] || fail "no rows"

# The entry alone (the program not next to it): one line, exit 1.
mkdir -p "$work/alone"
cp "$netflow" "$work/alone/netflow"
"$work/alone/netflow" -f "$capture" -c "$work/alone.csv" 2>"$work/err"
rc=$?
[ "$rc" = 1 ] || fail "the entry without its program exited $rc, not 1"
[ "$(wc -l <"$work/err")" = 1 ] && grep -q "^netflow: cannot run $work/alone/.*/netflow: No such file" "$work/err" ||
    fail "the entry without its program said: $(cat "$work/err")"

[ "$failures" = 0 ] && echo "malloc_tuning: ok"
exit $((failures > 0))
