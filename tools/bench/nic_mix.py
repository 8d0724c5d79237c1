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
apart. --short-only also writes the chosen short flows alone.

Prints one line: packets and flows of each part and of the mix.
"""
import argparse
import struct
import sys

PCAP_MAGIC = 0xA1B2C3D4


def read_pcap(path):
    with open(path, "rb") as f:
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
        frames = []
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                break
            _, _, caplen, wirelen = struct.unpack(endian + "IIII", rec)
            data = f.read(caplen)
            if len(data) < caplen:
                break
            frames.append((data, wirelen))
        return frames


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


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", PCAP_MAGIC, 2, 4, 0, 0, 65535, 1))
        base = 1700000000 * 1000000
        for i, (data, wirelen) in enumerate(frames):
            t = base + i
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(data), wirelen))
            f.write(data)


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

    bulk = [fr for fr in read_pcap(args.bulk) if flow_key(fr[0]) is not None]
    bulk_flows = len({flow_key(fr[0]) for fr in bulk})
    corpus = read_pcap(args.short)
    flows = {}
    for data, wirelen in corpus:
        key = flow_key(data)
        if key is not None:
            flows.setdefault(key, []).append((data, wirelen))
    want = round(len(bulk) * (1 - args.bulk_share) / args.bulk_share)
    chosen, packets = set(), 0
    for key, frames in flows.items():  # insertion order: first packet
        if packets >= want:
            break
        if len(frames) > args.short_max or any(len(d) > 1514 or len(d) < w for d, w in frames):
            continue
        chosen.add(key)
        packets += len(frames)
    short = [(d, w) for d, w in corpus if flow_key(d) in chosen]
    if not bulk or not short:
        sys.exit(f"nic_mix: nothing to mix ({len(bulk)} bulk packets, {len(short)} short)")

    # Spread the short packets evenly through the bulk ones.
    mix, j = [], 0
    for i, fr in enumerate(bulk):
        mix.append(fr)
        while j < len(short) and j * len(bulk) <= (i + 1) * len(short):
            mix.append(short[j])
            j += 1
    mix.extend(short[j:])
    write_pcap(args.o, mix)
    if args.short_only:
        write_pcap(args.short_only, short)
    print(f"nic_mix: {len(mix)} packets, {bulk_flows + len(chosen)} flows: bulk {len(bulk)} "
          f"packets in {bulk_flows} flows ({100 * len(bulk) / len(mix):.1f}%), short "
          f"{len(short)} packets in {len(chosen)} flows of at most {args.short_max} packets")


if __name__ == "__main__":
    main()
