#!/usr/bin/env python3
"""An independent check of --labels and --anonymize over real conversions.

Usage: check_labels.py NETFLOW REPO [CORPUS_PCAP_DIR]

For each capture (the golden captures of tests/golden and a selection of the
nDPI corpus), netflow converts it once without labels (the rows: addresses,
ports, protocol, first/last millisecond), then with --labels RULES. This
script evaluates the same rules over the unlabelled rows with its own reading
of both rules formats (nothing shared with netflow's C++) and compares, row by
row, with netflow's Label and Attack, and the per-Attack flow counts with
netflow's summary line. The rules are:
  * tests/labels/cic_rules_sample.csv on the golden captures, with
    --labels-tz -03:00 (times without an offset), and its expected labels
    written out below as well (so a reading error shared by both sides
    would still show);
  * tests/labels/unsw_gt_sample.csv (--labels-format unsw-nb15) on them;
  * 300 rules generated per corpus capture from its own rows, seeded: exact
    hosts and CIDRs of every length (IPv4 and IPv6), either side of the
    flow, ports and ranges that hold the flow's or just miss it, protocols by
    name and number, time windows that end exactly at the flow's start or
    start exactly at its end (or miss it by one millisecond), in epoch, ISO
    with an offset and ISO without one (--labels-tz +05:30),
    direction=forward, Benign exceptions; first match wins.
Rule times are whole milliseconds, so the rows' millisecond times decide
exactly what netflow decided with microseconds (checked when reading).

-u: the same rules with -u to a local collector (tests/http/flow_server.py):
the JSON objects carry the CSV run's Label and Attack.

--export: with --labels and --anonymize, IPFIX to a UDP socket of this
script: the CSV of the run is that of a run without --export, and the
records carry the pseudonyms (not one real IPv6 address).

--anonymize: two runs with one key over two captures, one with another key:
the same address gets the same pseudonym in both runs and both files, the
mapping is one-to-one, the other key maps every address differently, every
pair of addresses of a capture shares as many leading bits after as before
(prefix-preserving), and Label/Attack are those of the run without it.

Exit status 0 when everything agrees, 1 otherwise (each difference printed).
"""

import csv
import datetime
import ipaddress
import os
import random
import re
import socket
import subprocess
import sys
import tempfile

FIELDS = ("IPV4_SRC_ADDR,L4_SRC_PORT,IPV4_DST_ADDR,L4_DST_PORT,PROTOCOL,"
          "FLOW_START_MILLISECONDS,FLOW_END_MILLISECONDS,Label,Attack")

CORPUS_FILES = [
    "lru_ipv6_caches.pcapng", "custom_rules_ipv6.pcapng", "WebattackSQLinj.pcap",
    "netbios.pcap", "dnscrypt-v1-and-resolver-pings.pcap", "dns_fragmented.pcap",
    "anyconnect-vpn.pcap", "teams.pcap", "wireguard.pcap",
]

# What tests/labels/cic_rules_sample.csv gives each golden flow, worked out
# by hand from the rule comments: (capture, src port, protocol) -> Attack.
SAMPLE_EXPECTED = {
    ("dns.pcap", 41002, 17): "Benign",
    ("dns.pcap", 41001, 17): "DNS-Recon",
    ("dns.pcap", 41003, 17): "DNS-Recon",
    ("dns.pcap", 41004, 17): "DNS-Recon",
    ("dns.pcap", 41006, 17): "Benign",
    ("dns.pcap", 41005, 6): "DNS-TCP",
    ("ftp.pcap", 32838, 6): "FTP-Patator",
    ("ftp.pcap", 47012, 6): "FTP-Data",
    ("ftp.pcap", 47014, 6): "FTP-Data",
    ("http.pcap", 40080, 6): "Benign",
    ("http.pcap", 40081, 6): "Web-Attack",
    ("http6.pcap", 40082, 6): "IPv6-Scan",
    ("ping.pcap", 0, 1): "Ping-Sweep",
    ("ping.pcap", 0, 58): "IPv6-Scan",
}
SAMPLE_UNMATCHED = {"Reverse-Only", "DoS-Hulk", "Typo"}

PROTOCOLS = {"icmp": 1, "igmp": 2, "ipip": 4, "tcp": 6, "udp": 17, "ipv6": 41, "gre": 47,
             "esp": 50, "ah": 51, "icmpv6": 58, "ipv6-icmp": 58, "ospf": 89, "pim": 103,
             "sctp": 132, "udplite": 136}

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


# ------------------------------------------------------------------ rules

def parse_offset(text):
    if text in ("Z", "UTC"):
        return 0
    m = re.fullmatch(r"([+-])(\d\d):?(\d\d)?", text)
    if not m:
        raise ValueError("bad offset " + text)
    sign = -1 if m.group(1) == "-" else 1
    return sign * (int(m.group(2)) * 3600 + int(m.group(3) or 0) * 60)


def parse_time(text, tz_s):
    """[first_us, last_us] of a rule time (the whole unit written)."""
    if re.fullmatch(r"\d+(\.\d+)?", text):
        whole, _, frac = text.partition(".")
        unit = 10 ** (6 - len(frac)) if frac else 1000000
        first = int(whole) * 1000000 + (int(frac) * unit if frac else 0)
        return first, first + unit - 1
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d+))?)?"
                     r"(Z|[+-]\d\d(?::?\d\d)?)?)?", text)
    if not m:
        raise ValueError("bad time " + text)
    y, mo, d, hh, mi, ss, frac, off = m.groups()
    offset = parse_offset(off) if off else tz_s
    dt = datetime.datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0),
                           tzinfo=datetime.timezone(datetime.timedelta(seconds=offset)))
    first = int(dt.timestamp()) * 1000000
    if hh is None:
        unit = 86400 * 1000000
    elif ss is None:
        unit = 60 * 1000000
    elif frac:
        unit = 10 ** (6 - len(frac))
        first += int(frac) * unit
    else:
        unit = 1000000
    return first, first + unit - 1


def to_ms(span_us, which):
    first, last = span_us
    if which == "start":
        assert first % 1000 == 0, "rule start not a whole millisecond"
        return first // 1000
    assert last % 1000 == 999, "rule end not a whole millisecond"
    return last // 1000


def parse_net(text):
    if not text:
        return None
    return ipaddress.ip_network(text, strict=True)


def parse_ports(text):
    if not text or text == "-":
        return None
    lo, _, hi = text.partition("-")
    return int(lo), int(hi or lo)


def parse_proto(text):
    if not text:
        return None
    if text.isdigit():
        return int(text)
    name = text.lower()
    return PROTOCOLS[name] if name in PROTOCOLS else socket.getprotobyname(name)


def read_cic(path, tz_s):
    names = ["attack", "src", "dst", "sport", "dport", "proto", "start", "end", "options"]
    rules, header = [], None
    with open(path, newline="") as f:
        reader = csv.reader(f)
        for row in reader:
            if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                continue
            row = [c.strip() for c in row]
            if header is None:
                header = [c.lower() for c in row]
                if "options" not in header:
                    header.append("options")
                continue
            rec = dict.fromkeys(names, "")
            rec.update(zip(header, row))
            rules.append(make_rule(rec["attack"], rec["src"], rec["dst"], rec["sport"],
                                   rec["dport"], rec["proto"], rec["start"], rec["end"],
                                   rec["options"] == "direction=forward", tz_s))
            rules[-1]["line"] = reader.line_num
    return rules


def read_unsw(path):
    rules, seen = [], set()
    with open(path, newline="") as f:
        reader = csv.reader(f)
        for i, row in enumerate(reader):
            if i == 0 and not row[0].strip().isdigit():
                continue
            row = [c.strip() for c in row]
            start, last, cat, _sub, proto = row[:5]
            src, sport, dst, dport = row[5:9]
            if cat == "Backdoors":
                cat = "Backdoor"
            try:
                parse_proto(proto)
            except OSError:
                continue  # no IP protocol number: skipped
            key = (start, last, cat, proto, src, sport, dst, dport)
            if key in seen:
                continue
            seen.add(key)
            rules.append(make_rule(cat, src, dst, sport, dport, proto, start, last, False, 0))
            rules[-1]["line"] = reader.line_num
    return rules


def make_rule(attack, src, dst, sport, dport, proto, start, end, forward, tz_s):
    return {
        "attack": attack, "src": parse_net(src), "dst": parse_net(dst),
        "sport": parse_ports(sport), "dport": parse_ports(dport), "proto": parse_proto(proto),
        "start": to_ms(parse_time(start, tz_s), "start") if start else None,
        "end": to_ms(parse_time(end, tz_s), "end") if end else None,
        "forward": forward,
    }


def side_matches(rule, flow, reverse):
    s, d = (flow["dst"], flow["src"]) if reverse else (flow["src"], flow["dst"])
    sp, dp = (flow["dport"], flow["sport"]) if reverse else (flow["sport"], flow["dport"])
    for net, addr in ((rule["src"], s), (rule["dst"], d)):
        if net is not None and (net.version != addr.version or addr not in net):
            return False
    for rng, port in ((rule["sport"], sp), (rule["dport"], dp)):
        if rng is not None and not rng[0] <= port <= rng[1]:
            return False
    return True


def evaluate(rules, flow, default="Benign", matched=None):
    """The Attack of the first rule matching flow; adds that rule's line to
    matched (a set) when given."""
    for r in rules:
        if r["proto"] is not None and r["proto"] != flow["proto"]:
            continue
        if r["start"] is not None and r["start"] > flow["last"]:
            continue
        if r["end"] is not None and r["end"] < flow["first"]:
            continue
        if side_matches(r, flow, False) or (not r["forward"] and side_matches(r, flow, True)):
            if matched is not None:
                matched.add(r["line"])
            return r["attack"]
    return default


def unmatched_listed(stderr, rules_path):
    """The lines of the rules -v lists as having matched no flow, and
    whether the list was cut short."""
    pattern = re.compile(r"^netflow: labels: rule " + re.escape(rules_path) +
                         r":(\d+) \(.*\) matched no flow$")
    lines = {int(m.group(1)) for m in map(pattern.match, stderr.splitlines()) if m}
    return lines, " more rule" in stderr


# ------------------------------------------------------------------ netflow

def run(netflow, pcap, out, extra):
    cmd = [netflow, "-f", pcap, "-c", out, "--filter", "", "--fields", FIELDS] + extra
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {p.returncode}: {p.stderr.strip()}")
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    flows = [{
        "src": ipaddress.ip_address(r["IPV4_SRC_ADDR"]), "dst": ipaddress.ip_address(r["IPV4_DST_ADDR"]),
        "sport": int(r["L4_SRC_PORT"]), "dport": int(r["L4_DST_PORT"]), "proto": int(r["PROTOCOL"]),
        "first": int(r["FLOW_START_MILLISECONDS"]), "last": int(r["FLOW_END_MILLISECONDS"]),
        "label": r["Label"], "attack": r["Attack"],
    } for r in rows]
    return flows, p.stderr


def summary_counts(stderr):
    line = next((l for l in stderr.splitlines() if l.startswith("netflow: labels: ")
                 and " matched a flow " in l), None)
    if line is None:
        return None
    counts = {}
    body = line[len("netflow: labels: "):].split(";")[0]
    if body != "no flows":
        for part in body.split(", "):
            n, _, name = part.partition(" ")
            counts[name] = int(n)
    return counts


def check_labelled(netflow, pcap, rules_path, rules, extra, work, tag, default="Benign"):
    plain, _ = run(netflow, pcap, os.path.join(work, "plain.csv"), [])
    labelled, stderr = run(netflow, pcap, os.path.join(work, "labelled.csv"),
                           ["--labels", rules_path, "-v"] + extra)
    name = f"{tag} {os.path.basename(pcap)}"
    if len(plain) != len(labelled):
        fail(f"{name}: {len(plain)} rows without labels, {len(labelled)} with")
        return []
    expected_counts, got, matched = {}, [], set()
    for i, (p, l) in enumerate(zip(plain, labelled)):
        ident = ("src", "dst", "sport", "dport", "proto", "first", "last")
        if any(p[k] != l[k] for k in ident):
            fail(f"{name} row {i + 2}: the rows differ apart from the labels")
            continue
        want = evaluate(rules, p, default, matched)
        want_label = "0" if want.lower() == "benign" else "1"
        if (l["attack"], l["label"]) != (want, want_label):
            fail(f"{name} row {i + 2} ({p['src']}:{p['sport']} -> {p['dst']}:{p['dport']} "
                 f"proto {p['proto']}, {p['first']}-{p['last']} ms): netflow says "
                 f"{l['label']},{l['attack']}; the rules say {want_label},{want}")
        expected_counts[want] = expected_counts.get(want, 0) + 1
        got.append(l["attack"])
    counts = summary_counts(stderr)
    if counts != expected_counts:
        fail(f"{name}: summary counts {counts}, rows give {expected_counts}")
    # -v: every rule that matched no flow is listed (a typo shows), no other.
    listed, cut = unmatched_listed(stderr, rules_path)
    unmatched = {r["line"] for r in rules} - matched
    if (listed != unmatched and not cut) or not listed <= unmatched:
        fail(f"{name}: -v lists rules {sorted(listed)[:10]} as matching no flow; the rules "
             f"say {sorted(unmatched)[:10]}")
    return got


# ------------------------------------------------------------------ generated rules

def gen_rules(flows, rng, count=300):
    tz = 5 * 3600 + 30 * 60  # --labels-tz +05:30

    def time_text(ms, end):
        form = rng.randrange(4)
        sec, milli = divmod(ms, 1000)
        if form == 0:
            return f"{sec}.{milli:03d}"
        if form == 1 and (milli == 0 if not end else milli == 999):
            return str(sec)  # whole second
        offset = rng.choice([0, tz, -3 * 3600]) if form != 3 else tz
        dt = datetime.datetime.fromtimestamp(sec, datetime.timezone(datetime.timedelta(seconds=offset)))
        text = dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{milli:03d}"
        if form == 3:
            return text  # no offset: --labels-tz
        return text + ("Z" if offset == 0 else dt.strftime("%z")[:3] + ":" + dt.strftime("%z")[3:])

    def address(addr):
        form = rng.randrange(3)
        if form == 0:
            return ""
        if form == 1:
            return str(addr)
        bits = addr.max_prefixlen
        length = rng.randrange(8 if bits == 32 else 16, bits + 1)
        return str(ipaddress.ip_network(f"{addr}/{length}", strict=False))

    def ports(p):
        form = rng.randrange(5)
        if form <= 1:
            return ""
        if form == 2:
            return str(p)
        if form == 3:
            lo, hi = max(0, p - rng.randrange(4)), min(65535, p + rng.randrange(4))
        else:  # just misses
            lo, hi = (p + 1, min(65535, p + 5)) if p < 65535 else (p - 5, p - 1)
        return f"{lo}-{hi}"

    lines = ["attack,src,dst,sport,dport,proto,start,end,options"]
    for i in range(count):
        f = rng.choice(flows)
        reverse = rng.random() < 0.4
        a, b = (f["dst"], f["src"]) if reverse else (f["src"], f["dst"])
        pa, pb = (f["dport"], f["sport"]) if reverse else (f["sport"], f["dport"])
        src, dst = address(a), address(b)
        sport, dport = ports(pa), ports(pb)
        proto = ""
        if rng.random() < 0.5:
            names = {v: k for k, v in PROTOCOLS.items() if k not in ("ipv6-icmp",)}
            proto = names.get(f["proto"], str(f["proto"])) if rng.random() < 0.5 else str(f["proto"])
        start = end = ""
        t = rng.randrange(6)
        if t == 1:  # ends exactly at the rule's start
            start = time_text(f["last"], False)
        elif t == 2:  # starts exactly at the rule's end
            end = time_text(f["first"], True)
        elif t == 3:  # misses by a millisecond
            if rng.random() < 0.5:
                start = time_text(f["last"] + 1, False)
            else:
                end = time_text(f["first"] - 1, True)
        elif t == 4:
            start = time_text(f["first"] - rng.randrange(5000), False)
            end = time_text(f["last"] + rng.randrange(5000), True)
        attack = "Benign" if rng.random() < 0.05 else f"Attack-{i % 9}"
        options = "direction=forward" if rng.random() < 0.25 else ""
        lines.append(",".join([attack, src, dst, sport, dport, proto, start, end, options]))
    return "\n".join(lines) + "\n", tz


# ------------------------------------------------------------------ anonymisation

def check_anonymize(netflow, pcaps, work):
    def mapping(pcap, key):
        plain, _ = run(netflow, pcap, os.path.join(work, "a_plain.csv"), [])
        anon, _ = run(netflow, pcap, os.path.join(work, "a_anon.csv"), ["--anonymize", key])
        m = {}
        for p, a in zip(plain, anon):
            if (p["label"], p["attack"]) != (a["label"], a["attack"]):
                fail(f"anonymize {os.path.basename(pcap)}: labels changed")
            for side in ("src", "dst"):
                if m.setdefault(p[side], a[side]) != a[side]:
                    fail(f"anonymize: {p[side]} has two pseudonyms in one run")
        return m

    k1, k2 = "first key", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
    total = {}
    for pcap in pcaps:
        m1, m1_again, m2 = mapping(pcap, k1), mapping(pcap, k1), mapping(pcap, k2)
        name = os.path.basename(pcap)
        if m1 != m1_again:
            fail(f"anonymize {name}: two runs with one key differ")
        for addr, pseudo in m1.items():
            if total.setdefault(addr, pseudo) != pseudo:
                fail(f"anonymize: {addr} maps differently in {name} than in an earlier file")
            if pseudo.version != addr.version:
                fail(f"anonymize: {addr} changed IP version")
            if m2[addr] == pseudo:
                fail(f"anonymize {name}: {addr} maps to {pseudo} under both keys")
        if len(set(m1.values())) != len(m1):
            fail(f"anonymize {name}: two addresses share a pseudonym")
        addrs = list(m1)
        pairs = 0
        for i, x in enumerate(addrs):
            for y in addrs[i + 1:]:
                if x.version != y.version:
                    continue
                bits = x.max_prefixlen
                before = bits - (int(x) ^ int(y)).bit_length()
                after = bits - (int(m1[x]) ^ int(m1[y])).bit_length()
                pairs += 1
                if before != after:
                    fail(f"anonymize {name}: {x} and {y} share {before} bits, "
                         f"{m1[x]} and {m1[y]} {after}")
        print(f"anonymize {name}: {len(addrs)} addresses, {pairs} pairs prefix-preserved")
    if len(total) < 10:
        fail(f"anonymize: only {len(total)} addresses seen")


# ------------------------------------------------------------------ -u

def check_http(netflow, repo, pcaps, rules_path, work):
    """-u: the JSON objects a server receives carry the CSV's Label/Attack."""
    import json
    import time
    server = os.path.join(repo, "tests", "http", "flow_server.py")
    port_file, log, requests = (os.path.join(work, n) for n in ("port", "log", "req"))
    for f in (port_file, log):
        if os.path.exists(f):
            os.unlink(f)
    proc = subprocess.Popen([sys.executable, server, "--port-file", port_file, "--log", log,
                             "--requests", requests])
    try:
        for _ in range(100):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.05)
        url = f"http://127.0.0.1:{open(port_file).read().strip()}/flows"
        for pcap in pcaps:
            csv_rows, _ = run(netflow, pcap, os.path.join(work, "h.csv"), ["--labels", rules_path])
            before = sum(1 for _ in open(log)) if os.path.exists(log) else 0
            p = subprocess.run([netflow, "-f", pcap, "-u", url, "--filter", "", "--fields", FIELDS,
                                "--labels", rules_path, "--spool", os.path.join(work, "spool")],
                               capture_output=True, text=True, timeout=120)
            lines = open(log).read().splitlines()[before:] if os.path.exists(log) else []
            got = [(str(o["Label"]), o["Attack"]) for o in map(json.loads, lines)]
            want = [(r["label"], r["attack"]) for r in csv_rows]
            name = os.path.basename(pcap)
            if p.returncode != 0 or got != want:
                fail(f"-u {name}: exit {p.returncode}, JSON labels {got}, CSV {want}")
            elif not any(label == "1" for label, _ in got):
                fail(f"-u {name}: no flow labelled: the check is too weak")
        print(f"-u: {len(pcaps)} captures, labels as in the CSV")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# ------------------------------------------------------------------ --export

def check_export(netflow, pcaps, rules_path, work):
    """--export next to -c with --labels and --anonymize: the CSV of the same
    run has the labels of a run without --export; the IPFIX records reach a
    collector (a UDP socket here), as many data records as CSV rows, and
    carry the pseudonyms, never a real address (Label/Attack have no
    element: docs/export.md)."""
    import select
    import struct
    key = "export key"
    for pcap in pcaps:
        name = os.path.basename(pcap)
        want, _ = run(netflow, pcap, os.path.join(work, "e_want.csv"),
                      ["--labels", rules_path, "--anonymize", key])
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        try:
            got, _ = run(netflow, pcap, os.path.join(work, "e_got.csv"),
                         ["--labels", rules_path, "--anonymize", key,
                          "--export", f"ipfix://127.0.0.1:{port}"])
            data = []
            while select.select([sock], [], [], 0.5)[0]:
                data.append(sock.recv(65535))
        finally:
            sock.close()
        if [(r["label"], r["attack"], r["src"], r["dst"]) for r in got] != \
                [(r["label"], r["attack"], r["src"], r["dst"]) for r in want]:
            fail(f"--export {name}: the CSV differs from the run without --export")
        # Data records: sets with an id >= 256 (templates are 2, options 3);
        # each holds whole records of its template's length, which the
        # record count is read by: the CSV rows' pseudonyms must all appear.
        payload = b"".join(data)
        records = 0
        for msg in data:
            pos = 16
            while pos + 4 <= len(msg):
                set_id, length = struct.unpack("!HH", msg[pos:pos + 4])
                if length < 4:
                    break
                if set_id >= 256:
                    records += 1  # at least one record a data set
                pos += length
        if not data or records == 0:
            fail(f"--export {name}: no data records received ({len(data)} messages)")
        for r in got:
            for side in ("src", "dst"):
                if r[side].packed not in payload:
                    fail(f"--export {name}: pseudonym {r[side]} not exported")
                    break
        real = {p[side] for p in run(netflow, pcap, os.path.join(work, "e_real.csv"), [])[0]
                for side in ("src", "dst")}
        leaked = [str(a) for a in real if a.version == 6 and a.packed in payload]
        if leaked:
            fail(f"--export {name}: real IPv6 addresses exported: {leaked[:3]}")
    print(f"--export: {len(pcaps)} captures, labels as without it, pseudonyms exported")


# ------------------------------------------------------------------ usage errors

def check_cli_errors(netflow, pcap, work):
    """Bad rules and label options: exit 2, one line naming file:line:column,
    before any packet (a missing capture is not what is reported, the output
    is not created)."""
    bad = os.path.join(work, "bad.csv")
    with open(bad, "w") as f:
        f.write("attack,src,dst,sport,dport\nok,10.0.0.1,,,80\nbad,10.0.0.1,,,8o\n")
    bad_unsw = os.path.join(work, "bad_gt.csv")
    with open(bad_unsw, "w") as f:
        f.write("1421927414,1421927416,Exploits,,udp,175.45.176.0,1,149.171.126.16,53\n"
                "1421927414,1421927416,Exploits,,udp,175.45.176.0,1,149.171.126.16\n")
    out = os.path.join(work, "never.csv")
    cases = [
        (["-f", "/nonexistent.pcap", "--labels", bad_unsw, "--labels-format", "unsw-nb15"],
         f"netflow: error: --labels: {bad_unsw}:2:66: a ground-truth line has at least 9 "
         "fields, this one 8"),
        (["-f", "/nonexistent.pcap", "--labels", work],
         f"netflow: error: --labels: {work}: read error: Is a directory"),
        (["-f", "/nonexistent.pcap", "--labels", bad],
         f"netflow: error: --labels: {bad}:3:16: '8o' is not a port or a range a-b of ports 0-65535"),
        (["-f", pcap, "--labels", "/nonexistent/rules.csv"],
         "netflow: error: --labels: /nonexistent/rules.csv: cannot open: No such file or directory"),
        (["-f", pcap, "--labels-tz", "+01:00"], None),
        (["-f", pcap, "--labels", bad, "--labels-tz", "1"], None),
        (["-f", pcap, "--labels", bad, "--labels-format", "unsw"], None),
        (["-f", pcap, "--labels", bad, "--no-label"], None),
        (["-f", pcap, "--labels", bad, "--fields", "IPV4_SRC_ADDR"], None),
        (["-f", pcap, "--anonymize", "@/nonexistent/key"],
         "netflow: error: --anonymize: cannot read a key from /nonexistent/key (see netflow --help)"),
    ]
    for args, want in cases:
        if os.path.exists(out):
            os.unlink(out)
        p = subprocess.run([netflow] + args + ["-c", out], capture_output=True, text=True,
                           timeout=60)
        lines = p.stderr.splitlines()
        what = " ".join(args)
        if p.returncode != 2 or len(lines) != 1 or not lines[0].startswith("netflow: error: "):
            fail(f"{what}: exit {p.returncode}, stderr {p.stderr!r} (want exit 2, one line)")
        elif want is not None and lines[0] != want:
            fail(f"{what}: {lines[0]!r}, want {want!r}")
        if os.path.exists(out):
            fail(f"{what}: the output was created")
    print(f"usage errors: {len(cases)} cases")


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__)
        return 2
    netflow, repo = sys.argv[1], sys.argv[2]
    corpus = sys.argv[3] if len(sys.argv) == 4 else os.path.join(repo, "..", "shared", "pcaps",
                                                                  "ndpi", "pcap")
    golden = sorted(os.path.join(repo, "tests", "golden", f)
                    for f in os.listdir(os.path.join(repo, "tests", "golden"))
                    if f.endswith(".pcap"))
    corpus_files = [os.path.join(corpus, f) for f in CORPUS_FILES]
    for f in corpus_files:
        if not os.path.isfile(f):
            fail(f"missing corpus capture {f}")
            return 1
    sample = os.path.join(repo, "tests", "labels", "cic_rules_sample.csv")
    unsw = os.path.join(repo, "tests", "labels", "unsw_gt_sample.csv")
    with tempfile.TemporaryDirectory() as work:
        # The sample rules on the golden captures, against the table above too.
        rules = read_cic(sample, -3 * 3600)
        seen = set()
        for pcap in golden:
            plain, _ = run(netflow, pcap, os.path.join(work, "p.csv"), [])
            got = check_labelled(netflow, pcap, sample, rules, ["--labels-tz", "-03:00"], work,
                                 "cic sample")
            for flow, attack in zip(plain, got):
                key = (os.path.basename(pcap), flow["sport"], flow["proto"])
                seen.add(attack)
                if SAMPLE_EXPECTED.get(key) != attack:
                    fail(f"cic sample {key}: netflow says {attack}, "
                         f"expected by hand {SAMPLE_EXPECTED.get(key)}")
        if seen & SAMPLE_UNMATCHED:
            fail(f"rules meant to match nothing matched: {seen & SAMPLE_UNMATCHED}")
        print(f"cic sample: {len(rules)} rules on {len(golden)} golden captures")

        # The UNSW-NB15 sample, and --attack as the default.
        rules = read_unsw(unsw)
        for pcap in golden:
            check_labelled(netflow, pcap, unsw, rules, ["--labels-format", "unsw-nb15"], work,
                           "unsw sample")
            check_labelled(netflow, pcap, unsw, rules,
                           ["--labels-format", "unsw-nb15", "--attack", "Unlisted"], work,
                           "unsw sample --attack", default="Unlisted")
        print(f"unsw sample: {len(rules)} rules on {len(golden)} golden captures")

        # Generated rules on the corpus selection and the golden captures.
        rng = random.Random(13)
        matched = 0
        for pcap in golden + corpus_files:
            plain, _ = run(netflow, pcap, os.path.join(work, "p.csv"), [])
            if not plain:
                fail(f"{pcap}: no flows")
                continue
            text, tz = gen_rules(plain, rng)
            path = os.path.join(work, "generated.csv")
            with open(path, "w") as f:
                f.write(text)
            rules = read_cic(path, tz)
            got = check_labelled(netflow, pcap, path, rules, ["--labels-tz", "+05:30"], work,
                                 "generated")
            matched += sum(1 for a in got if a.startswith("Attack-"))
        print(f"generated rules: {matched} flows labelled by them")
        if matched < 100:
            fail(f"generated rules matched only {matched} flows: the check is too weak")

        check_http(netflow, repo, golden, sample, work)
        check_export(netflow, golden + [corpus_files[0]], sample, work)
        check_cli_errors(netflow, golden[0], work)
        check_anonymize(netflow, [corpus_files[0], corpus_files[4], corpus_files[7]] + golden[:1],
                        work)
    if failures:
        print(f"{len(failures)} failures")
        return 1
    print("labels: all checks agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
