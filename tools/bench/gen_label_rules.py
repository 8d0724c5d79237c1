#!/usr/bin/env python3
"""gen_label_rules.py ROWS.csv N OUT.csv: N labelling rules (CIC-IDS style,
netflow --labels) for a benchmark, seeded, from the rows of a conversion
(columns IPV4_SRC_ADDR, L4_SRC_PORT, IPV4_DST_ADDR, L4_DST_PORT, PROTOCOL,
FLOW_START_MILLISECONDS, FLOW_END_MILLISECONDS). The mix is what ground
truth looks like: mostly exact 5-tuples with a time window (UNSW-NB15 style),
about half of them around a flow of the capture and half around no flow;
attacker hosts with a window; victim networks (mostly /24 and /16, some
/17-/28) with port ranges;
IPv6 rules; a few rules with only a port or a protocol. Broad rules come
last, so most flows are looked up through every shape rather than stopped
by an early wildcard."""

import csv
import ipaddress
import random
import sys


def main():
    rows_path, count, out_path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(rows_path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        sys.exit("gen_label_rules: no rows in " + rows_path)
    rng = random.Random(100000)

    def window(row, hit):
        first, last = int(row["FLOW_START_MILLISECONDS"]), int(row["FLOW_END_MILLISECONDS"])
        if not hit:
            first, last = first + 3600000, last + 3600000  # an hour later: no flow
        start, end = first - rng.randrange(2000), last + rng.randrange(2000)
        return f"{start // 1000}.{start % 1000:03d}", f"{end // 1000}.{end % 1000:03d}"

    def random_v4():
        return str(ipaddress.IPv4Address(rng.getrandbits(32)))

    lines = ["attack,src,dst,sport,dport,proto,start,end"]
    broad = []
    for i in range(count):
        row = rng.choice(rows)
        kind = rng.random()
        attack = f"Attack-{i % 13}"
        if kind < 0.70:  # one exact conversation and its time
            start, end = window(row, rng.random() < 0.5)
            lines.append(",".join([attack, row["IPV4_SRC_ADDR"], row["IPV4_DST_ADDR"],
                                   row["L4_SRC_PORT"], row["L4_DST_PORT"], row["PROTOCOL"],
                                   start, end]))
        elif kind < 0.82:  # an attacker host in a window
            start, end = window(row, rng.random() < 0.5)
            lines.append(",".join([attack, row["IPV4_SRC_ADDR"], "", "", "", "", start, end]))
        elif kind < 0.92:  # a victim network, a port range
            length = rng.choice([16, 24, 24, 24, rng.randrange(17, 29)])
            net = ipaddress.ip_network(f"{random_v4()}/{length}", strict=False)
            lo = rng.randrange(1, 60000)
            lines.append(",".join([attack, "", str(net), "", f"{lo}-{lo + rng.randrange(100)}",
                                   "tcp", "", ""]))
        elif kind < 0.99:  # IPv6
            a = ipaddress.IPv6Address(rng.getrandbits(128))
            net = ipaddress.ip_network(f"{a}/{rng.randrange(32, 129)}", strict=False)
            lines.append(",".join([attack, str(net), "", "", "", "", "", ""]))
        else:
            broad.append(",".join([attack, "", "", "", str(rng.randrange(1, 65536)),
                                   rng.choice(["tcp", "udp"]), "", ""]))
    with open(out_path, "w") as f:
        f.write("\n".join(lines + broad) + "\n")


if __name__ == "__main__":
    main()
