#!/usr/bin/env python3
"""gen_label_rules.py ROWS.csv N CIC_OUT.csv UNSW_OUT.csv: N labelling rules
in each of the two ground-truth formats --labels reads, for a benchmark,
seeded, from the rows of a conversion (columns IPV4_SRC_ADDR, L4_SRC_PORT,
IPV4_DST_ADDR, L4_DST_PORT, PROTOCOL, FLOW_START_MILLISECONDS,
FLOW_END_MILLISECONDS).

CIC_OUT (--labels-format cic-ids, the default): rules as CIC-IDS2017's
labelling scripts apply them, times in ISO-8601 with the lab's offset
(-03:00) and protocol names: mostly one conversation (addresses, the
server's port, protocol) in a time window, about half of them around a flow
of the capture and half around none; attacker hosts in a window; victim
networks (mostly /24 and /16, some /17-/28) with port ranges; IPv6 hosts
and networks (/128, /64, /56, /48 as allocated); a few rules with only a
port or a protocol. Broad rules come last, so most flows are looked up
through every shape rather than stopped by an early wildcard.

UNSW_OUT (--labels-format unsw-nb15): the UNSW-NB15 ground-truth table
(NUSW-NB15_GT.csv's columns): exact 5-tuples with epoch start/last seconds
and an attack category, half of them a flow of the capture and half a
flow an hour later (none), 1% repeated lines as in the published file."""

import datetime
import ipaddress
import random
import sys

CATEGORIES = ["Exploits", "Fuzzers", "DoS", "Reconnaissance", "Generic", "Backdoors",
              "Analysis", "Shellcode", "Worms"]
PROTO_NAMES = {"6": "tcp", "17": "udp", "1": "icmp"}
CIC_TZ = datetime.timezone(datetime.timedelta(hours=-3))


def read_rows(path):
    import csv
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    rows_path, count, cic_path, unsw_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    rows = read_rows(rows_path)
    if not rows:
        sys.exit("gen_label_rules: no rows in " + rows_path)
    rng = random.Random(100000)

    def span(row, hit):
        first, last = int(row["FLOW_START_MILLISECONDS"]), int(row["FLOW_END_MILLISECONDS"])
        if not hit:
            first, last = first + 3600000, last + 3600000  # an hour later: no flow
        return first, last

    def iso(ms):
        t = datetime.datetime.fromtimestamp(ms // 1000, CIC_TZ)
        return t.isoformat()  # 2023-11-14T19:13:20-03:00

    def window(row, hit):
        first, last = span(row, hit)
        return iso(first - rng.randrange(2000)), iso(last + rng.randrange(2000) + 999)

    def proto_name(number):
        return PROTO_NAMES.get(number, number)

    def random_v4():
        return str(ipaddress.IPv4Address(rng.getrandbits(32)))

    cic = ["attack,src,dst,sport,dport,proto,start,end"]
    broad = []
    for i in range(count):
        row = rng.choice(rows)
        kind = rng.random()
        attack = f"Attack-{i % 13}"
        if kind < 0.70:  # one conversation: both hosts, the server's port, a window
            start, end = window(row, rng.random() < 0.5)
            cic.append(",".join([attack, row["IPV4_SRC_ADDR"], row["IPV4_DST_ADDR"], "",
                                 row["L4_DST_PORT"], proto_name(row["PROTOCOL"]), start, end]))
        elif kind < 0.82:  # an attacker host in a window
            start, end = window(row, rng.random() < 0.5)
            cic.append(",".join([attack, row["IPV4_SRC_ADDR"], "", "", "", "", start, end]))
        elif kind < 0.92:  # a victim network, a port range
            length = rng.choice([16, 24, 24, 24, rng.randrange(17, 29)])
            net = ipaddress.ip_network(f"{random_v4()}/{length}", strict=False)
            lo = rng.randrange(1, 60000)
            cic.append(",".join([attack, "", str(net), "", f"{lo}-{lo + rng.randrange(100)}",
                                 "tcp", "", ""]))
        elif kind < 0.99:  # IPv6 hosts and networks as allocated
            a = ipaddress.IPv6Address(rng.getrandbits(128))
            length = rng.choice([128, 128, 64, 64, 56, 48])
            net = ipaddress.ip_network(f"{a}/{length}", strict=False)
            cic.append(",".join([attack, str(net) if length < 128 else str(a), "", "", "", "",
                                 "", ""]))
        else:
            broad.append(",".join([attack, "", "", "", str(rng.randrange(1, 65536)),
                                   rng.choice(["tcp", "udp"]), "", ""]))
    with open(cic_path, "w") as f:
        f.write("\n".join(cic + broad) + "\n")

    unsw = ["Start time,Last time,Attack category,Attack subcategory,Protocol,Source IP,"
            "Source Port,Destination IP,Destination Port,Attack Name,Attack Reference,."]
    while len(unsw) <= count:
        if len(unsw) > 1 and rng.random() < 0.01:
            unsw.append(rng.choice(unsw[1:]))  # the published file repeats lines
            continue
        row = rng.choice(rows)
        first, last = span(row, rng.random() < 0.5)
        category = rng.choice(CATEGORIES)
        sport, dport = row["L4_SRC_PORT"], row["L4_DST_PORT"]
        if row["PROTOCOL"] not in ("6", "17"):
            sport = dport = "0"
        unsw.append(",".join([str(first // 1000), str(last // 1000), category, "",
                              proto_name(row["PROTOCOL"]), row["IPV4_SRC_ADDR"], sport,
                              row["IPV4_DST_ADDR"], dport, f"{category} {len(unsw)}", "-", ""]))
    with open(unsw_path, "w") as f:
        f.write("\n".join(unsw) + "\n")


if __name__ == "__main__":
    main()
