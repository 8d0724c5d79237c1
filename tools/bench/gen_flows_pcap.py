#!/usr/bin/env python3
"""Writes a capture of N distinct short IPv4 UDP flows, all within one
second (no flow expires before the end of the capture), for the per-flow
memory bench (tools/bench/flow_mem_bench.sh).

  gen_flows_pcap.py KIND N OUT
  KIND dns:     a DNS query to port 53 and its answer (nDPI is done after
                the answer: DPI finished, its state freed)
  KIND payload: 32 bytes nDPI cannot place, high ports (detection still
                running at the end: nDPI's state is held until export)
"""
import struct
import sys


def checksum16(data):
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("dns", "payload"):
        sys.exit("usage: gen_flows_pcap.py dns|payload N OUT")
    kind, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if n <= 0 or n > 16_000_000:
        sys.exit("gen_flows_pcap.py: N must be in 1..16000000")
    question = b"\x07example\x03com\x00" + struct.pack("!HH", 1, 1)  # example.com A IN
    if kind == "dns":
        bodies = [
            struct.pack("!HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + question,
            struct.pack("!HHHHHH", 0x1234, 0x8180, 1, 1, 0, 0) + question
            + struct.pack("!HHHIH", 0xC00C, 1, 1, 300, 4) + bytes([93, 184, 216, 34]),
        ]
    else:
        bodies = [bytes((i * 37 + 11) & 0xFF for i in range(32))]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        buf = []
        for i in range(n):
            src = 0x0A000000 | (i >> 8 & 0xFFFF) << 8 | 1
            dst = 0xAC100000 | (i & 0xFF)
            sport = 1024 + (i % 60000)
            dport = 53 if kind == "dns" else 40000 + (i // 60000) % 20000
            usec = i * 999_999 // n
            for k, body in enumerate(bodies):  # the answer goes the other way
                a, b, pa, pb = (src, dst, sport, dport) if k == 0 else (dst, src, dport, sport)
                ip_len = 20 + 8 + len(body)
                iph = struct.pack("!BBHHHBBHII", 0x45, 0, ip_len, i & 0xFFFF, 0, 64, 17, 0, a, b)
                iph = iph[:10] + struct.pack("!H", checksum16(iph)) + iph[12:]
                udp = struct.pack("!HHHH", pa, pb, 8 + len(body), 0)
                frame = eth + iph + udp + body
                buf.append(struct.pack("<IIII", 1_700_000_000, usec, len(frame), len(frame)) + frame)
            if len(buf) >= 65536:
                f.write(b"".join(buf))
                buf.clear()
        f.write(b"".join(buf))


if __name__ == "__main__":
    main()
