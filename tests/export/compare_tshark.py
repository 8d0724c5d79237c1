#!/usr/bin/env python3
"""Compares what tshark decodes of a recorded export with netflow's CSV.

  compare_tshark.py PDML CSV [--v9]

PDML: `tshark -T pdml -d udp.port==P,cflow` of the datagrams. Every flow
record (in order: one exporter, one UDP stream on loopback) must carry every
column of the CSV row of the same rank, decoded by Wireshark's cflow
dissector: IANA elements by name, nProbe's (PEN 35632 / 57xxx) by name
where this Wireshark knows them, by their type number otherwise. L7_PROTO is
the most specific id of the CSV's "M.A"; with --v9 strings are compared to
the first 32 (L7_PROTO_NAME) or 64 (SERVER_NAME) characters. Exit 0 when
every value matches.
"""
import csv
import re
import struct
import sys
import xml.etree.ElementTree as ET

PIE = "cflow.pie.ntop."
# column -> (tshark field names (IPv4, IPv6), how to read it)
COLUMNS = {
    "IPV4_SRC_ADDR": (["cflow.srcaddr", "cflow.srcaddrv6"], "addr"),
    "L4_SRC_PORT": (["cflow.srcport"], "int"),
    "IPV4_DST_ADDR": (["cflow.dstaddr", "cflow.dstaddrv6"], "addr"),
    "L4_DST_PORT": (["cflow.dstport"], "int"),
    "PROTOCOL": (["cflow.protocol"], "int"),
    "L7_PROTO": ([PIE + "l7_proto"], "l7"),
    "IN_BYTES": (["cflow.octets"], "int"),
    "IN_PKTS": (["cflow.packets"], "int"),
    "OUT_BYTES": (["cflow.post_octets"], "int"),
    "OUT_PKTS": (["cflow.post_packets"], "int"),
    "TCP_FLAGS": (["cflow.tcpflags"], "hex"),
    "CLIENT_TCP_FLAGS": (["ntop:78"], "raw"),
    "SERVER_TCP_FLAGS": (["ntop:79"], "raw"),
    "FLOW_DURATION_MILLISECONDS": (["cflow.timedelta"], "raw"),
    "DURATION_IN": ([PIE + "duration_in"], "int"),
    "DURATION_OUT": ([PIE + "duration_out"], "int"),
    "MIN_TTL": (["cflow.ttl_min"], "int"),
    "MAX_TTL": (["cflow.ttl_max"], "int"),
    "LONGEST_FLOW_PKT": ([PIE + "longest_flow_pkt"], "int"),
    "SHORTEST_FLOW_PKT": ([PIE + "shortest_flow_pkt"], "int"),
    "MIN_IP_PKT_LEN": (["cflow.length_min"], "int"),
    "MAX_IP_PKT_LEN": (["cflow.length_max"], "int"),
    "SRC_TO_DST_SECOND_BYTES": (["ntop:472"], "double"),
    "DST_TO_SRC_SECOND_BYTES": (["ntop:473"], "double"),
    "RETRANSMITTED_IN_BYTES": ([PIE + "retransmitted_in_bytes"], "int"),
    "RETRANSMITTED_IN_PKTS": ([PIE + "retransmitted_in_pkts"], "int"),
    "RETRANSMITTED_OUT_BYTES": ([PIE + "retransmitted_out_bytes"], "int"),
    "RETRANSMITTED_OUT_PKTS": ([PIE + "retransmitted_out_pkts"], "int"),
    "SRC_TO_DST_AVG_THROUGHPUT": ([PIE + "src_to_dst_avg_throughput"], "raw"),
    "DST_TO_SRC_AVG_THROUGHPUT": ([PIE + "dst_to_src_avg_throughput"], "raw"),
    "NUM_PKTS_UP_TO_128_BYTES": ([PIE + "num_pkts_up_to_128_bytes"], "int"),
    "NUM_PKTS_128_TO_256_BYTES": ([PIE + "num_pkts_128_to_256_bytes"], "int"),
    "NUM_PKTS_256_TO_512_BYTES": ([PIE + "num_pkts_256_to_512_bytes"], "int"),
    "NUM_PKTS_512_TO_1024_BYTES": ([PIE + "num_pkts_512_to_1024_bytes"], "int"),
    "NUM_PKTS_1024_TO_1514_BYTES": ([PIE + "num_pkts_1024_to_1514_bytes"], "int"),
    "TCP_WIN_MAX_IN": ([PIE + "tcp_win_max_in"], "int"),
    "TCP_WIN_MAX_OUT": ([PIE + "tcp_win_max_out"], "int"),
    # IPv6 flows: icmpTypeCodeIPv6 shows as a type and a code, then icmpTypeIPv6.
    "ICMP_TYPE": (["cflow.icmp_type_code_ipv4"], "icmp_code"),
    "ICMP_IPV4_TYPE": (["cflow.icmp_ipv4_type"], "icmp_type"),
    "DNS_QUERY_ID": ([PIE + "dns_query_id"], "int"),
    "DNS_QUERY_TYPE": ([PIE + "dns_query_type"], "int"),
    "DNS_TTL_ANSWER": ([PIE + "dns_ttl_answer"], "int"),
    "FTP_COMMAND_RET_CODE": ([PIE + "ftp_command_ret_code"], "int"),
    "FLOW_START_MILLISECONDS": (["cflow.abstimestart"], "raw"),
    "FLOW_END_MILLISECONDS": (["cflow.abstimeend"], "raw"),
    "SRC_TO_DST_IAT_MIN": (["ntop:531"], "raw"),
    "SRC_TO_DST_IAT_MAX": (["ntop:532"], "raw"),
    "SRC_TO_DST_IAT_AVG": (["ntop:533"], "raw"),
    "SRC_TO_DST_IAT_STDDEV": (["ntop:534"], "raw"),
    "DST_TO_SRC_IAT_MIN": (["ntop:535"], "raw"),
    "DST_TO_SRC_IAT_MAX": (["ntop:536"], "raw"),
    "DST_TO_SRC_IAT_AVG": (["ntop:537"], "raw"),
    "DST_TO_SRC_IAT_STDDEV": (["ntop:538"], "raw"),
    "L7_PROTO_NAME": ([PIE + "l7_proto_name"], "text"),
    "SERVER_NAME": ([PIE + "flow_server_name"], "text"),
}
V9_LENGTH = {"L7_PROTO_NAME": 32, "SERVER_NAME": 64}
NTOP_RAW = re.compile(r"Type (\d+):")  # "(ntop) Type 78:" (IPFIX), "Type 57550:" (v9)


def real(v):
    """The CSV's float text: 3 decimals, trailing zeros dropped, one kept."""
    text = f"{v:.3f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def records(pdml):
    """Each flow record: {name: [(show, value hex)]} over all its descendants."""
    out = []
    for field in ET.parse(pdml).getroot().iter("field"):
        children = list(field)
        if not any(c.get("name", "").startswith(("cflow.srcaddr", "cflow.dstaddr"))
                   for c in children):
            continue
        rec = {}
        for f in field.iter("field"):
            if f is field:
                continue
            name = f.get("name", "")
            m = NTOP_RAW.search(f.get("showname", "") or "")
            if name in ("cflow.enterprise_private_entry", "cflow.unknown_field_type") and m:
                element = int(m.group(1))
                name = "ntop:" + str(element - 57472 if element >= 57472 else element)
            rec.setdefault(name, []).append((f.get("show"), f.get("value")))
        out.append(rec)
    return out


def decode(rec, names, how):
    if how in ("icmp_code", "icmp_type") and "cflow.icmp_ipv6_type" in rec:
        types = rec["cflow.icmp_ipv6_type"]
        if how == "icmp_type":
            return str(int(types[-1][1], 16))
        return str(int(types[0][1], 16) * 256 + int(rec["cflow.icmp_ipv6_code"][0][1], 16))
    if how in ("icmp_code", "icmp_type"):
        how = "raw"
    for name in names:
        for show, value in rec.get(name, []):
            if how == "raw":
                if value:
                    return str(int(value, 16))
                continue
            if how in ("int", "l7"):
                return str(int(show))
            if how == "hex":
                return str(int(show, 16))
            if how == "addr":
                return show
            if how == "double":
                return real(struct.unpack("!d", bytes.fromhex(value))[0])
            if how == "text":
                return show
    return "" if how == "text" else None  # an empty string is not shown


def main():
    args = [a for a in sys.argv[1:] if a != "--v9"]
    v9 = "--v9" in sys.argv
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    recs = records(args[0])
    with open(args[1], newline="") as f:
        rows = list(csv.DictReader(f))
    bad = 0
    if len(recs) != len(rows):
        print(f"compare_tshark: {len(rows)} CSV rows but {len(recs)} flow records decoded")
        bad += 1
    columns = [c for c in (rows[0].keys() if rows else []) if c in COLUMNS]
    missing_cols = [c for c in (rows[0].keys() if rows else []) if c not in COLUMNS
                    and c not in ("Label", "Attack")]
    if missing_cols:
        print(f"compare_tshark: columns with no decoder here: {missing_cols}")
        bad += 1
    for i, (row, rec) in enumerate(zip(rows, recs)):
        for col in columns:
            names, how = COLUMNS[col]
            want = row[col]
            if how == "l7":
                master, app = want.split(".")
                want = app if app != "0" else master
            if how == "text" and v9:
                want = want.encode()[:V9_LENGTH[col]].decode(errors="ignore")
            got = decode(rec, names, how)
            if how == "text" and v9 and got is not None:
                got = got.rstrip("\0")
            if got != want:
                if bad < 20:
                    print(f"  row {i + 1} {col}: CSV {want!r}, tshark {got!r}")
                bad += 1
    print(f"compare_tshark: {len(rows)} rows x {len(columns)} columns, {bad} differences")
    return 0 if bad == 0 and rows else 1


if __name__ == "__main__":
    sys.exit(main())
