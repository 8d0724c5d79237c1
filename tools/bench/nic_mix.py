#!/usr/bin/env python3
"""Builds the template of the NIC-like benchmark (tools/bench/nic_bench.sh).

    nic_mix.py --bulk BULK.pcap --short CORPUS.pcap --short-max N
               --bulk-share F -o OUT.pcap [--short-only OUT2.pcap]

BULK.pcap: long TCP transfers recorded in the lab (Ethernet, classic pcap).
CORPUS.pcap: the corpus template (tools/gen_bench_pcap, one round: IPv4 only,
Ethernet, classic pcap). Its flows (both directions of a 5-tuple; other IP
protocols by address pair and protocol) of at most N packets, none of them
longer than 1514 bytes, are the short flows; they are taken in order of
first packet until they hold (1 - F) / F times the bulk's packets (F = 0.75:
a third of them). OUT.pcap: every bulk packet with the short flows' packets
spread evenly between them (each flow keeps its order), timestamps 1 us
apart. --short-only also writes the chosen short flows alone. Both inputs
are read twice, streaming (memory: the corpus's flow keys, not its packets).

Prints one line: packets and flows of each part and of the mix.
"""
import argparse
import struct
import sys

PCAP_MAGIC = 0xA1B2C3D4


def read_pcap(path):
    """Yields (frame, wire length) of each record, streaming (the captures
    can be gigabytes)."""
    with open(path, "rb", buffering=1 << 20) as f:
        head = f.read(24)
        if len(head) < 24:
            sys.exit(f"nic_mix: {path}: not a pcap file")
        magic = struct.unpack("<I", head[:4])[0]
        if magic == PCAP_MAGIC:
            endian = "<"
        elif magic == 0xD4C3B2A1:
            endian = ">"
        else:
            sys.exit(f"nic_mix: {path}: not a classic microsecond pcap (magic {magic:#x})")
        linktype = struct.unpack(endian + "I", head[20:24])[0]
        if linktype != 1:
            sys.exit(f"nic_mix: {path}: link type {linktype}, not Ethernet")
        record = struct.Struct(endian + "IIII")
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                break
            _, _, caplen, wirelen = record.unpack(rec)
            data = f.read(caplen)
            if len(data) < caplen:
                break
            yield data, wirelen


def flow_key(frame):
    """Canonical flow key of an Ethernet/IPv4 frame, or None."""
    off = 12
    etype = struct.unpack("!H", frame[off:off + 2])[0]
    while etype in (0x8100, 0x88A8) and len(frame) >= off + 6:
        off += 4
        etype = struct.unpack("!H", frame[off:off + 2])[0]
    ip = off + 2
    if etype != 0x0800 or len(frame) < ip + 20:
        return None
    ihl = (frame[ip] & 0x0F) * 4
    proto = frame[ip + 9]
    src, dst = frame[ip + 12:ip + 16], frame[ip + 16:ip + 20]
    sport = dport = 0
    first_fragment = struct.unpack("!H", frame[ip + 6:ip + 8])[0] & 0x1FFF == 0
    if proto in (6, 17) and first_fragment and len(frame) >= ip + ihl + 4:
        sport, dport = struct.unpack("!HH", frame[ip + ihl:ip + ihl + 4])
    a, b = (src, sport), (dst, dport)
    return (proto,) + (a + b if a <= b else b + a)


class PcapWriter:
    """Writes frames with timestamps 1 us apart."""

    def __init__(self, path):
        self.f = open(path, "wb", buffering=1 << 20)
        self.f.write(struct.pack("<IHHiIII", PCAP_MAGIC, 2, 4, 0, 0, 65535, 1))
        self.t = 1700000000 * 1000000
        self.count = 0

    def write(self, data, wirelen):
        self.f.write(struct.pack("<IIII", self.t // 1000000, self.t % 1000000, len(data), wirelen))
        self.f.write(data)
        self.t += 1
        self.count += 1

    def close(self):
        self.f.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bulk", required=True)
    ap.add_argument("--short", required=True)
    ap.add_argument("--short-max", type=int, default=8)
    ap.add_argument("--bulk-share", type=float, default=0.75)
    ap.add_argument("-o", required=True)
    ap.add_argument("--short-only")
    args = ap.parse_args()
    if not 0 < args.bulk_share < 1:
        sys.exit("nic_mix: --bulk-share must lie between 0 and 1")

    # Pass 1: the bulk packets and flows, and the corpus flows (packet count,
    # whether each is short).
    bulk_packets, bulk_keys = 0, set()
    for data, _ in read_pcap(args.bulk):
        key = flow_key(data)
        if key is not None:
            bulk_packets += 1
            bulk_keys.add(key)
    flows = {}  # key -> [packets, eligible]; insertion order: first packet
    for data, wirelen in read_pcap(args.short):
        key = flow_key(data)
        if key is not None:
            flow = flows.setdefault(key, [0, True])
            flow[0] += 1
            if len(data) > 1514 or len(data) < wirelen:
                flow[1] = False
    want = round(bulk_packets * (1 - args.bulk_share) / args.bulk_share)
    chosen, short_packets = set(), 0
    for key, (count, eligible) in flows.items():
        if short_packets >= want:
            break
        if count > args.short_max or not eligible:
            continue
        chosen.add(key)
        short_packets += count
    del flows
    if not bulk_packets or not short_packets:
        sys.exit(f"nic_mix: nothing to mix ({bulk_packets} bulk packets, {short_packets} short)")

    # Pass 2: spread the short packets evenly through the bulk ones (each
    # keeps its order).
    def short_frames():
        for data, wirelen in read_pcap(args.short):
            if flow_key(data) in chosen:
                yield data, wirelen

    mix = PcapWriter(args.o)
    only = PcapWriter(args.short_only) if args.short_only else None
    shorts, j, i = short_frames(), 0, 0

    def put_short():
        data, wirelen = next(shorts)
        mix.write(data, wirelen)
        if only:
            only.write(data, wirelen)

    for data, wirelen in read_pcap(args.bulk):
        if flow_key(data) is None:
            continue
        mix.write(data, wirelen)
        i += 1
        while j < short_packets and j * bulk_packets <= i * short_packets:
            put_short()
            j += 1
    while j < short_packets:
        put_short()
        j += 1
    mix.close()
    if only:
        only.close()
    print(f"nic_mix: {mix.count} packets, {len(bulk_keys) + len(chosen)} flows: bulk {bulk_packets} "
          f"packets in {len(bulk_keys)} flows ({100 * bulk_packets / mix.count:.1f}%), short "
          f"{short_packets} packets in {len(chosen)} flows of at most {args.short_max} packets")


if __name__ == "__main__":
    main()
