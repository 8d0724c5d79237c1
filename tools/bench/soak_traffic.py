#!/usr/bin/env python3
"""Continuous lab traffic for the soak (tools/bench/soak.sh).

    soak_traffic.py sink PORT_SHORT PORT_LONG SECONDS
        in the server namespace: reads and drops what arrives on both UDP
        ports (so no ICMP unreachable comes back), for at most SECONDS.
    soak_traffic.py send SERVER_IP PORT_SHORT PORT_LONG SECONDS NEW_PER_S LONG OUT.json
        in the client namespace: every second NEW_PER_S new short UDP flows
        (each its own source port, 5 datagrams 0.2 s apart), and LONG flows
        sending 4 datagrams a second for the whole run. Writes OUT.json:
        every flow's source port, destination port and datagrams sent.
"""
import heapq
import json
import select
import socket
import sys
import time


def sink(port_short, port_long, seconds):
    socks = []
    for port in (port_short, port_long):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", port))
        s.setblocking(False)
        socks.append(s)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        ready, _, _ = select.select(socks, [], [], 0.5)
        for s in ready:
            try:
                while True:
                    s.recv(65536)
            except BlockingIOError:
                pass


def send(server, port_short, port_long, seconds, new_per_s, long_count, out):
    start = time.monotonic()
    events = []  # (time, seq, flow index)
    flows = []   # [socket, sport, dport, left, sent]
    seq = 0
    next_port = 20000

    def open_flow(dport, count):
        nonlocal next_port
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", next_port))
        next_port += 1
        flows.append([s, s.getsockname()[1], dport, count, 0])
        return len(flows) - 1

    for _ in range(long_count):
        i = open_flow(port_long, int(seconds * 4))
        heapq.heappush(events, (start, seq, i))
        seq += 1
    for second in range(int(seconds)):
        for k in range(new_per_s):
            at = start + second + k / new_per_s
            heapq.heappush(events, (at, seq, -1))  # -1: open a short flow then
            seq += 1
    payload = b"x" * 64
    while events:
        at, _, i = heapq.heappop(events)
        delay = at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if i == -1:
            i = open_flow(port_short, 5)
        f = flows[i]
        f[0].sendto(payload, (server, f[2]))
        f[4] += 1
        f[3] -= 1
        if f[3] > 0:
            step = 0.2 if f[2] == port_short else 0.25
            heapq.heappush(events, (at + step, seq, i))
            seq += 1
        else:
            f[0].close()
    with open(out, "w") as fh:
        json.dump({"flows": [[f[1], f[2], f[4]] for f in flows]}, fh)


if __name__ == "__main__":
    if sys.argv[1] == "sink":
        sink(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
    else:
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]),
             int(sys.argv[6]), int(sys.argv[7]), sys.argv[8])
