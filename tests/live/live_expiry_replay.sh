#!/usr/bin/env bash
# Expiry driven by the kernel's flow timers (bpf/netflow_expiry.h) keeps
# the offline meaning of the timeouts. A capture built here (idle gaps,
# flows longer than the active timeout, TCP ends with and without a packet
# after the linger, a SYN on a reset flow, ICMP, 60 short UDP flows that
# come back after an idle gap) is replayed with its timing (tcpreplay) from
# the server namespace; netflow -i captures on the client end with
# --idle-timeout 1.5 --active-timeout 3 while tcpdump records it. The live
# rows must equal the offline rows of the recording with the same timeouts,
# most of them written while the sensor still ran (ended by their timer,
# not by the final drain).
#   live_expiry_replay.sh NETFLOW REPO_ROOT [TOLERANCE_MS]
set -uo pipefail
netflow=$1
root=$2
tolerance_ms=${3:-5}
# shellcheck source=tools/lab/live_test.sh
source "$root/tools/lab/live_test.sh"
command -v tcpreplay >/dev/null || fail "tcpreplay is not installed (make deps)"

nf_lab_up "e$$" || fail "lab"
timeouts=(--idle-timeout 1.5 --active-timeout 3)
fields=$("$netflow" -f "$root/tests/golden/dns.pcap" -c - --version 3 --no-label 2>/dev/null |
    head -1 | tr -d '\r')

# Times are chosen at least 0.2 s from every timeout boundary, so that replay
# jitter cannot move a packet across one.
python3 - "$work/replay.pcap" <<'PY' || fail "building the capture"
import struct, sys
CLI_MAC, SRV_MAC = bytes.fromhex("027700000001"), bytes.fromhex("027700000002")
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF
def ip(src, dst, proto, l4):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0, 64, proto, 0,
                    bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return CLI_MAC + SRV_MAC + b"\x08\x00" + h + l4
def udp(src, sp, dst, dp, data=b"x" * 20):
    return ip(src, dst, 17, struct.pack("!HHHH", sp, dp, 8 + len(data), 0) + data)
def tcp(src, sp, dst, dp, flags, seq, data=b""):
    return ip(src, dst, 6, struct.pack("!HHIIBBHHH", sp, dp, seq, 0, 5 << 4, flags, 64240, 0, 0) + data)
def icmp(src, dst, seq):
    return ip(src, dst, 1, struct.pack("!BBHHH", 8, 0, 0, 7, seq) + b"p" * 16)
S, A, F, R, P = 0x02, 0x10, 0x01, 0x04, 0x08
srv = "192.0.2.20"
pkts = []
# Idle gap: two flows.
pkts += [(t, udp("192.0.2.10", 4000, srv, 5000)) for t in (0.0, 0.3, 2.5, 2.8)]
# Longer than the active timeout: split at 3.5 and 7.0.
pkts += [(0.7 * i, udp("192.0.2.11", 4001, srv, 5001)) for i in range(11)]
# TCP end (FIN both ways), then a packet after the linger: a flow of its own.
c, s = "192.0.2.12", srv
pkts += [(0.0, tcp(c, 40000, s, 80, S, 100)), (0.05, tcp(s, 80, c, 40000, S | A, 900)),
         (0.1, tcp(c, 40000, s, 80, A, 101)), (0.2, tcp(c, 40000, s, 80, P | A, 101, b"GET / HTTP/1.0\r\n\r\n")),
         (0.5, tcp(c, 40000, s, 80, F | A, 119)), (0.55, tcp(s, 80, c, 40000, F | A, 901)),
         (0.6, tcp(c, 40000, s, 80, A, 120)), (2.2, tcp(c, 40000, s, 80, A, 120))]
# RST, then a SYN within the linger: the SYN starts a new flow.
c = "192.0.2.13"
pkts += [(0.0, tcp(c, 40001, s, 80, S, 200)), (0.05, tcp(s, 80, c, 40001, S | A, 700)),
         (0.1, tcp(c, 40001, s, 80, A, 201)), (0.3, tcp(c, 40001, s, 80, R | A, 201)),
         (0.8, tcp(c, 40001, s, 80, S, 300)), (0.85, tcp(s, 80, c, 40001, S | A, 800))]
# ICMP echo every 0.9 s: split by the active timeout at 3.6.
pkts += [(0.9 * i, icmp("192.0.2.14", srv, i)) for i in range(6)]
# 60 short flows, each back after an idle gap of 2 s.
for i in range(60):
    t = 0.1 + 0.01 * i
    for dt in (0.0, 0.1, 2.0, 2.1):
        pkts.append((t + dt, udp("192.0.2.30", 10000 + i, srv, 53)))
pkts.sort(key=lambda p: p[0])
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for t, frame in pkts:
        us = int(round((1_700_000_000 + t) * 1e6))
        f.write(struct.pack("<IIII", us // 1_000_000, us % 1_000_000, len(frame), len(frame)) + frame)
PY

nf_record_start
nf_sensor_start "$NF_CLI_NS" 100 "$work/netflow.log" -i "$NF_CLI_IF" --backend xdp -v \
    "${timeouts[@]}" -c "$work/live.csv" --fields "$fields"
ip netns exec "$NF_SRV_NS" timeout 60 tcpreplay -q -i nfs0 "$work/replay.pcap" \
    >"$work/tcpreplay.log" 2>&1 || fail "tcpreplay: $(cat "$work/tcpreplay.log")"
# Every flow's deadline is at most 1.5 s after its last packet: the timers
# have ended them by now (the rows leave within a round or two).
sleep 3
before_stop=$(($(wc -l <"$work/live.csv") - 1))
nf_sensor_stop "$work/netflow.log"
nf_record_stop
pids=()

"$netflow" -f "$work/recorded.pcap" "${timeouts[@]}" -c "$work/offline.csv" \
    --fields "$fields" 2>/dev/null || fail "offline conversion of the recording failed"
rows=$(($(wc -l <"$work/offline.csv") - 1))
echo "offline: $rows rows; live: $before_stop rows written before the stop"
[ "$rows" -ge 130 ] || fail "the recording gives only $rows rows"
python3 "$root/tests/live/compare_rows.py" "$work/live.csv" "$work/offline.csv" "$tolerance_ms" ||
    fail "live rows differ from offline rows"
# The timers did it, not the final drain at SIGINT: nearly all (a timer
# that could not be set up, NF_STAT_TIMER_FAILED, leaves its flow to the
# drain or the safety sweep; the -v line in the log says how many).
[ "$before_stop" -ge $((rows * 9 / 10)) ] ||
    fail "only $before_stop of $rows rows were written before the stop"
timer_ended=$(sed -n 's/.* \([0-9]*\) ended by their timer.*/\1/p' "$work/netflow.log")
[ "${timer_ended:-0}" -ge 60 ] || fail "the timers ended ${timer_ended:-no} flows: $(cat "$work/netflow.log")"
echo "expiry by timer: rows equal the offline rows with the same timeouts"
