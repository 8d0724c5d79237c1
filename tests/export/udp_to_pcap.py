#!/usr/bin/env python3
"""A UDP collector that keeps every datagram in a pcap file (raw IPv4), for
tshark to decode: udp_to_pcap.py --port-file F --out OUT.pcap [--seconds S].
Stops on SIGTERM or after S seconds (default 120)."""
import argparse
import signal
import socket
import struct
import time


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def packet(src, dst, payload):
    udp = struct.pack("!HHHH", src[1], dst[1], 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                     socket.inet_aton(src[0]), socket.inet_aton(dst[0]))
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return ip + udp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=float, default=120)
    args = ap.parse_args()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind(("127.0.0.1", 0))
    s.settimeout(0.1)
    me = s.getsockname()
    with open(args.port_file, "w") as f:
        f.write(str(me[1]))
    end = time.time() + args.seconds
    with open(args.out, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))  # LINKTYPE_RAW
        while not stop and time.time() < end:
            try:
                data, peer = s.recvfrom(65535)
            except socket.timeout:
                continue
            except InterruptedError:
                continue
            p = packet(peer, me, data)
            t = time.time()
            out.write(struct.pack("<IIII", int(t), int(t % 1 * 1e6), len(p), len(p)) + p)


if __name__ == "__main__":
    main()
