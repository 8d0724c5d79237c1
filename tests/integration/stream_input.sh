#!/usr/bin/env bash
# Offline from a stream (docs/live-export.md): with -f naming a FIFO or
# stdin, each row reaches a reader of `-c -` as soon as the flow is
# exported, not when the input ends. A writer sends a capture's header and
# three packets (flow A at t=0, flow B at t=100 s: A is idle-expired by
# then, so B's packet exports it), then holds the stream open. While it
# holds, the reader must already have the header and A's row, and B's row
# must not be there yet; when the writer closes, B's row follows and
# netflow exits 0. A regular file is still written through the buffer
# (nothing to check there beyond the other tests' byte-identical output).
#   stream_input.sh NETFLOW WORKDIR
set -uo pipefail
netflow=$1
work=$2/stream_input
rm -rf "$work"
mkdir -p "$work"
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# writer.py FIFO HOLD_FILE: the capture, then waits until HOLD_FILE exists.
cat >"$work/writer.py" <<'PY'
import os, struct, sys, time
def frame(src, sport):
    udp = struct.pack("!HHHH", sport, 53, 12, 0) + b"abcd"
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                     bytes([10, 0, 0, src]), bytes([10, 0, 0, 9]))
    return b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + udp
def record(t, data):
    return struct.pack("<IIII", t, 0, len(data), len(data)) + data
out = open(sys.argv[1], "wb", buffering=0)
out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
out.write(record(1000, frame(1, 1111)) + record(1001, frame(1, 1111)))
out.write(record(1100, frame(2, 2222)))
for _ in range(300):  # 30 s at most
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.1)
out.close()
PY

# watch SOURCE OUT: each line of SOURCE appended to OUT as it comes.
watch() { while IFS= read -r line; do printf '%s\n' "$line" >>"$2"; done <"$1"; }

check_stream() {
    local how=$1 rc
    rm -f "$work/in.fifo" "$work/out.fifo" "$work/hold" "$work/seen"
    mkfifo "$work/in.fifo" "$work/out.fifo"
    touch "$work/seen"
    watch "$work/out.fifo" "$work/seen" &
    pids+=("$!")
    local watcher=$!
    timeout 40 python3 "$work/writer.py" "$work/in.fifo" "$work/hold" &
    pids+=("$!")
    if [ "$how" = stdin ]; then
        timeout 40 "$netflow" -f - -c - --fields 'Src IP, Src Port, IN_PKTS' \
            <"$work/in.fifo" >"$work/out.fifo" 2>"$work/err" &
    else
        timeout 40 "$netflow" -f "$work/in.fifo" -c - --fields 'Src IP, Src Port, IN_PKTS' \
            >"$work/out.fifo" 2>"$work/err" &
    fi
    local sensor=$!
    pids+=("$sensor")
    local i
    for ((i = 0; i < 50; i++)); do
        [ "$(wc -l <"$work/seen")" -ge 2 ] && break
        sleep 0.1
    done
    sleep 0.3 # would a row that should not be there yet show up?
    local held
    held=$(tr -d '\r' <"$work/seen" | paste -sd'|')
    [ "$held" = "Src IP,Src Port,IN_PKTS|10.0.0.1,1111,2" ] ||
        fail "$how: while the stream is open the reader has '$held', not the header and flow A"
    touch "$work/hold"
    wait "$sensor"
    rc=$?
    [ "$rc" = 0 ] || fail "$how: exit $rc: $(cat "$work/err")"
    wait "$watcher"
    local all
    all=$(tr -d '\r' <"$work/seen" | paste -sd'|')
    [ "$all" = "Src IP,Src Port,IN_PKTS|10.0.0.1,1111,2|10.0.0.2,2222,1" ] ||
        fail "$how: at the end the reader has '$all'"
}

check_stream fifo
check_stream stdin
[ "$failures" = 0 ] || exit 1
echo "stream input: rows reach the reader as their flows are exported (FIFO and stdin)"
