// gen_bench_pcap: build one large Ethernet pcap for benchmarks from a few
// small captures, by replaying their IPv4 packets in rounds. `make bench`
// runs it (tools/bench/run_bench.sh holds the list of inputs).
//
//   gen_bench_pcap [-n PACKETS] [--round-gap-us US] [--max-gap-us US]
//                  [--start SECONDS] -o OUT.pcap INPUT...
//
// Template: the IPv4 packets of every input (pcap or pcapng, Ethernet link
// type only; other link types are skipped with a note). Each input keeps its
// own packet order and relative timing, except that a gap longer than
// --max-gap-us (default 1 s) is shortened to it (and a step back in time
// counts as 0), so no flow idles out. All inputs start together at time 0
// of the template.
//
// Output: round r (r = 0 .. R-1, R = round(PACKETS / template size)) is the
// whole template, starting r * --round-gap-us (default 5 ms) after round 0,
// with both IPv4 addresses of every packet shifted: the middle 16 bits
// (2nd and 3rd octets) get + r (mod 65536), the 1st and 4th octets are kept
// (so private, multicast and loopback ranges stay what they were). Both
// directions of a conversation get the same shift, so each round is a new
// set of flows. The IPv4 header checksum and the TCP/UDP checksum (first
// fragments whose checksum field is captured; a zero UDP checksum stays
// zero) are updated incrementally (RFC 1624): a correct checksum stays
// correct, a wrong one stays wrong. Anything else (ICMP error payloads,
// tunnelled inner headers) is copied unchanged. Non-IPv4 packets (IPv6,
// ARP, ...) and IPv4 packets whose header is not captured in full are
// skipped. The rounds are merged in time order (ties: lower round first),
// so the output is monotonic in time. Timestamps start at --start
// (default 1700000000, a fixed value: same inputs and flags give the same
// bytes).
#include <pcap/pcap.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <queue>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace {

struct Packet {
    uint64_t rel_us = 0;    // time since the template's start
    uint32_t wire_len = 0;  // original length on the wire
    size_t data = 0;        // offset of the captured bytes in Template::bytes
    uint32_t caplen = 0;
    uint32_t ip_off = 0;   // offset of the IPv4 header in the frame
    int32_t l4_csum = -1;  // offset of the TCP/UDP checksum, -1 if none
    bool udp = false;
};

struct Template {
    std::vector<Packet> packets;
    std::vector<uint8_t> bytes;
    size_t inputs = 0;      // inputs that were used
    size_t skipped_ip = 0;  // packets skipped (not IPv4 or truncated header)
};

uint16_t get16(const uint8_t *p) {
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
void put16(uint8_t *p, uint16_t v) {
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v);
}

// Where the IPv4 header and the TCP/UDP checksum are; false when the frame
// is not IPv4 (after any 802.1Q/802.1ad tags) or its header is cut short.
bool locate_ipv4(const uint8_t *f, uint32_t caplen, Packet &p) {
    uint32_t off = 12;
    if (caplen < off + 2)
        return false;
    uint16_t type = get16(f + off);
    while ((type == 0x8100 || type == 0x88a8 || type == 0x9100) && caplen >= off + 6) {
        off += 4;
        type = get16(f + off);
    }
    off += 2;
    if (type != 0x0800 || caplen < off + 20 || (f[off] >> 4) != 4)
        return false;
    const uint32_t ihl = (f[off] & 0x0f) * 4u;
    if (ihl < 20 || caplen < off + ihl)
        return false;
    p.ip_off = off;
    const bool first_fragment = (get16(f + off + 6) & 0x1fff) == 0;
    const uint8_t proto = f[off + 9];
    const uint32_t l4 = off + ihl;
    if (first_fragment && proto == 6 && caplen >= l4 + 18) {
        p.l4_csum = static_cast<int32_t>(l4 + 16);
    } else if (first_fragment && proto == 17 && caplen >= l4 + 8) {
        p.l4_csum = static_cast<int32_t>(l4 + 6);
        p.udp = true;
    }
    return true;
}

bool load(const std::vector<std::string> &files, uint64_t max_gap_us, Template &t) {
    for (const std::string &name : files) {
        char err[PCAP_ERRBUF_SIZE] = {};
        pcap_t *in = pcap_open_offline(name.c_str(), err);
        if (in == nullptr) {
            std::fprintf(stderr, "gen_bench_pcap: %s\n", err);
            return false;
        }
        if (pcap_datalink(in) != DLT_EN10MB) {
            std::fprintf(stderr, "gen_bench_pcap: skipping %s: link type %s, not Ethernet\n",
                         name.c_str(), pcap_datalink_val_to_name(pcap_datalink(in)));
            pcap_close(in);
            continue;
        }
        ++t.inputs;
        pcap_pkthdr *h = nullptr;
        const u_char *data = nullptr;
        bool first = true;
        int64_t last_us = 0;
        uint64_t rel = 0;
        int rc = 0;
        while ((rc = pcap_next_ex(in, &h, &data)) == 1) {
            const int64_t ts = int64_t{h->ts.tv_sec} * 1000000 + h->ts.tv_usec;
            if (!first && ts > last_us)
                rel += std::min<uint64_t>(static_cast<uint64_t>(ts - last_us), max_gap_us);
            if (first || ts > last_us)
                last_us = ts;
            first = false;
            Packet p;
            if (!locate_ipv4(data, h->caplen, p)) {
                ++t.skipped_ip;
                continue;
            }
            p.rel_us = rel;
            p.wire_len = h->len;
            p.caplen = h->caplen;
            p.data = t.bytes.size();
            t.bytes.insert(t.bytes.end(), data, data + h->caplen);
            t.packets.push_back(p);
        }
        if (rc == PCAP_ERROR) {
            std::fprintf(stderr, "gen_bench_pcap: %s: %s (using the packets before it)\n",
                         name.c_str(), pcap_geterr(in));
        }
        pcap_close(in);
    }
    // All inputs start at time 0; a stable sort keeps each input's own order
    // and puts earlier inputs first on equal times.
    std::stable_sort(t.packets.begin(), t.packets.end(),
                     [](const Packet &a, const Packet &b) { return a.rel_us < b.rel_us; });
    return true;
}

// RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m') for every changed 16-bit word m.
uint16_t csum_update(uint16_t hc, const uint8_t *before, const uint8_t *after, size_t words) {
    uint32_t sum = static_cast<uint16_t>(~hc);
    for (size_t i = 0; i < words; ++i) {
        sum += static_cast<uint16_t>(~get16(before + 2 * i));
        sum += get16(after + 2 * i);
    }
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(~sum);
}

// Shift both addresses of the copy in `f` by `round` and fix the checksums.
void shift(uint8_t *f, const Packet &p, uint32_t round) {
    uint8_t *addrs = f + p.ip_off + 12;  // source then destination, 8 bytes
    uint8_t before[8];
    std::memcpy(before, addrs, 8);
    for (uint8_t *a : {addrs, addrs + 4})
        put16(a + 1, static_cast<uint16_t>(get16(a + 1) + round));
    uint8_t *ip_csum = f + p.ip_off + 10;
    put16(ip_csum, csum_update(get16(ip_csum), before, addrs, 4));
    if (p.l4_csum >= 0) {
        uint8_t *c = f + p.l4_csum;
        const uint16_t old = get16(c);
        if (p.udp && old == 0)
            return;  // no UDP checksum
        uint16_t now = csum_update(old, before, addrs, 4);
        if (p.udp && now == 0)
            now = 0xffff;
        put16(c, now);
    }
}

bool write(const Template &t, uint64_t rounds, uint64_t round_gap_us, uint64_t start_s,
           const std::string &out_name) {
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);
    pcap_dumper_t *out = pcap_dump_open(dead, out_name.c_str());
    if (out == nullptr) {
        std::fprintf(stderr, "gen_bench_pcap: %s\n", pcap_geterr(dead));
        pcap_close(dead);
        return false;
    }
    // Next packet of every round, earliest first (ties: lower round first).
    using Next = std::tuple<uint64_t, uint64_t, size_t>;  // time, round, index
    std::priority_queue<Next, std::vector<Next>, std::greater<>> queue;
    for (uint64_t r = 0; r < rounds; ++r)
        queue.emplace(r * round_gap_us + t.packets[0].rel_us, r, 0);
    std::vector<uint8_t> frame;
    while (!queue.empty()) {
        const auto [when, r, i] = queue.top();
        queue.pop();
        const Packet &p = t.packets[i];
        const uint8_t *src = t.bytes.data() + p.data;
        frame.assign(src, src + p.caplen);
        shift(frame.data(), p, static_cast<uint32_t>(r));
        pcap_pkthdr h{};
        h.ts.tv_sec = static_cast<time_t>(start_s + when / 1000000);
        h.ts.tv_usec = static_cast<suseconds_t>(when % 1000000);
        h.caplen = p.caplen;
        h.len = p.wire_len;
        pcap_dump(reinterpret_cast<u_char *>(out), &h, frame.data());
        if (i + 1 < t.packets.size())
            queue.emplace(r * round_gap_us + t.packets[i + 1].rel_us, r, i + 1);
    }
    const bool ok = pcap_dump_flush(out) == 0 && !std::ferror(pcap_dump_file(out));
    pcap_dump_close(out);
    pcap_close(dead);
    if (!ok)
        std::fprintf(stderr, "gen_bench_pcap: error writing %s\n", out_name.c_str());
    return ok;
}

void usage() {
    std::fprintf(
        stderr,
        "usage: gen_bench_pcap [-n PACKETS] [--round-gap-us US] [--max-gap-us US]\n"
        "                      [--start SECONDS] -o OUT.pcap INPUT...\n"
        "  -n PACKETS         about this many packets: whole rounds of the IPv4\n"
        "                     packets of the inputs (default 1000000)\n"
        "  --round-gap-us US  each round starts US after the previous (default 5000)\n"
        "  --max-gap-us US    longer gaps within an input are cut to US (default 1000000)\n"
        "  --start SECONDS    time of the first packet, Unix seconds (default 1700000000)\n");
}

bool number(const char *s, uint64_t &v) {
    char *end = nullptr;
    if (s == nullptr || *s < '0' || *s > '9')
        return false;
    v = std::strtoull(s, &end, 10);
    return *end == '\0';
}

}  // namespace

int main(int argc, char **argv) {
    uint64_t packets = 1000000, round_gap_us = 5000, max_gap_us = 1000000, start_s = 1700000000;
    std::string out_name;
    std::vector<std::string> inputs;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : nullptr;
        uint64_t *target = a == "-n"               ? &packets
                           : a == "--round-gap-us" ? &round_gap_us
                           : a == "--max-gap-us"   ? &max_gap_us
                           : a == "--start"        ? &start_s
                                                   : nullptr;
        if (target != nullptr) {
            if (!number(v, *target)) {
                std::fprintf(stderr, "gen_bench_pcap: %s needs a non-negative integer\n", argv[i]);
                return 2;
            }
            ++i;
        } else if (a == "-o" && v != nullptr) {
            out_name = v;
            ++i;
        } else if (a == "-h" || a == "--help") {
            usage();
            return 0;
        } else if (a.starts_with("-") && a != "-") {
            usage();
            return 2;
        } else {
            inputs.emplace_back(a);
        }
    }
    if (out_name.empty() || inputs.empty() || packets == 0) {
        usage();
        return 2;
    }

    Template t;
    if (!load(inputs, max_gap_us, t))
        return 1;
    if (t.packets.empty()) {
        std::fprintf(stderr, "gen_bench_pcap: no IPv4 packets in the Ethernet inputs\n");
        return 1;
    }
    const uint64_t size = t.packets.size();
    const uint64_t rounds = std::max<uint64_t>(1, (packets + size / 2) / size);
    if (rounds > 65536) {
        std::fprintf(stderr, "gen_bench_pcap: %llu rounds needed, at most 65536 distinct shifts\n",
                     static_cast<unsigned long long>(rounds));
        return 1;
    }
    if (!write(t, rounds, round_gap_us, start_s, out_name))
        return 1;
    const uint64_t span_us = (rounds - 1) * round_gap_us + t.packets.back().rel_us;
    std::fprintf(stderr,
                 "gen_bench_pcap: %llu packets = %llu rounds x %llu IPv4 packets from %zu of %zu "
                 "inputs (%zu non-IPv4 skipped each round), %.3f s span -> %s\n",
                 static_cast<unsigned long long>(rounds * size),
                 static_cast<unsigned long long>(rounds), static_cast<unsigned long long>(size),
                 t.inputs, inputs.size(), t.skipped_ip, static_cast<double>(span_us) / 1e6,
                 out_name.c_str());
    return 0;
}
