#include "features/FlowFeatures.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

#include "labels/FlowLabeler.h"

namespace netflow {
namespace {

__extension__ typedef unsigned __int128 u128;

u128 isqrt(u128 x) {
    if (x == 0)
        return 0;
    auto r = static_cast<u128>(std::sqrt(static_cast<long double>(x)));
    while (r * r > x)
        r--;
    while ((r + 1) * (r + 1) <= x)
        r++;
    return r;
}

// Population standard deviation of n gaps, floor(µs / 1000). Exact integer
// arithmetic while n * sum of squares fits 128 bits, which holds unless gaps
// of hours come by the billion.
uint64_t stddevMillis(uint64_t n, uint64_t sum, uint64_t sumsq_lo, uint64_t sumsq_hi) {
    if (n < 2)
        return 0;
    if ((sumsq_hi >> 32) == 0) {
        u128 sumsq = (u128(sumsq_hi) << 64) | sumsq_lo;
        u128 variance_times_n2 = u128(n) * sumsq - u128(sum) * u128(sum);
        return static_cast<uint64_t>(isqrt(variance_times_n2) / (u128(n) * 1000));
    }
    long double sumsq = std::ldexp(static_cast<long double>(sumsq_hi), 64) + sumsq_lo;
    long double mean = static_cast<long double>(sum) / n;
    long double variance = std::max(0.0L, sumsq / n - mean * mean);
    return static_cast<uint64_t>(std::floor(std::sqrt(variance) / 1000));
}

uint64_t durationMillis(uint64_t first_us, uint64_t last_us) {
    return last_us > first_us ? (last_us - first_us) / 1000 : 0;
}

void appendUnsigned(std::string &out, uint64_t v) {
    char buf[24];
    auto res = std::to_chars(buf, buf + sizeof(buf), v);
    out.append(buf, res.ptr);
}

void appendAddressText(std::string &out, const uint8_t *addr, int ip_version) {
    if (ip_version == 6) {
        char buf[INET6_ADDRSTRLEN];  // glibc prints the RFC 5952 form
        inet_ntop(AF_INET6, addr, buf, sizeof(buf));
        out += buf;
        return;
    }
    // Dotted quad by hand: glibc's inet_ntop goes through sprintf.
    for (int i = 0; i < 4; i++) {
        if (i)
            out += '.';
        appendUnsigned(out, addr[i]);
    }
}

}  // namespace

void appendReal(std::string &out, double value) {
    // to_chars rounds exactly as printf's %.3f does, without its cost.
    char buf[384];
    auto res = std::to_chars(buf, buf + sizeof(buf), value, std::chars_format::fixed, 3);
    if (res.ec != std::errc()) {
        out += "0.0";
        return;
    }
    // Drop trailing zeros, keep one decimal: "1476.000" -> "1476.0".
    char *end = res.ptr;
    while (end - buf > 2 && end[-1] == '0' && end[-2] != '.')
        end--;
    out.append(buf, end);
}

IatMillis iatMillis(const nf_dir_state &dir) {
    if (dir.pkts < 2)
        return {};
    uint64_t gaps = dir.pkts - 1;
    return {dir.iat_min_us / 1000, dir.iat_max_us / 1000, dir.iat_sum_us / gaps / 1000,
            stddevMillis(gaps, dir.iat_sum_us, dir.iat_sumsq_lo, dir.iat_sumsq_hi)};
}

FlowFeatures::FlowFeatures(const FlowClassifier &classifier, LabelSpec label,
                           int64_t clock_offset_us)
    : classifier_(classifier), label_(std::move(label)), clock_offset_us_(clock_offset_us) {
    if (label_.rules)
        labeler_ = std::make_unique<FlowLabeler>(label_.rules, label_.name);
    if (label_.anonymize)
        anonymizer_ = std::make_unique<Anonymizer>(*label_.anonymize);
}

FlowFeatures::~FlowFeatures() = default;

void FlowFeatures::beginRow(const FlowRecord &flow) const {
    if (labeler_) {
        labeler_->prefetch(flow, clock_offset_us_);
        columns_to_advance_ = kAdvanceAfter;
    }
}

std::string FlowFeatures::labelSummary(bool verbose) const {
    return labeler_ ? labeler_->summary(verbose) : std::string();
}

void FlowFeatures::appendAddress(std::string &out, const uint8_t *addr, int ip_version) const {
    if (!anonymizer_)
        return appendAddressText(out, addr, ip_version);
    uint8_t pseudonym[16];
    std::memcpy(pseudonym, addr, ip_version == 6 ? 16 : 4);
    anonymizer_->anonymize(pseudonym, ip_version == 6 ? 6 : 4);
    appendAddressText(out, pseudonym, ip_version);
}

void FlowFeatures::addressBytes(bool source, const FlowRecord &flow, uint8_t *out) const {
    const nf_flow_key &key = flow.key;
    const uint8_t *addr =
        source == static_cast<bool>(flow.state.src_is_lo) ? key.addr_lo : key.addr_hi;
    const int n = key.ip_version == 6 ? 16 : 4;
    std::memcpy(out, addr, n);
    if (anonymizer_)
        anonymizer_->anonymize(out, key.ip_version == 6 ? 6 : 4);
}

std::optional<FieldLocation> FlowFeatures::fieldLocation(Column column) {
    static const FlowRecord sample{};
    const auto *base = reinterpret_cast<const uint8_t *>(&sample);
    auto at = [&](const auto &hi_src, const auto &lo_src) {
        static_assert(sizeof(hi_src) == 1 || sizeof(hi_src) == 2 || sizeof(hi_src) == 4 ||
                      sizeof(hi_src) == 8);
        return FieldLocation{
            {static_cast<uint16_t>(reinterpret_cast<const uint8_t *>(&hi_src) - base),
             static_cast<uint16_t>(reinterpret_cast<const uint8_t *>(&lo_src) - base)},
            static_cast<uint8_t>(sizeof(hi_src))};
    };
    auto plain = [&](const auto &field) { return at(field, field); };
    const nf_flow_key &key = sample.key;
    const nf_flow_state &st = sample.state;
    const nf_dir_state &in = st.dir[NF_DIR_IN];
    const nf_dir_state &outd = st.dir[NF_DIR_OUT];
    switch (column) {
        case Column::L4_SRC_PORT:
            return at(key.port_hi, key.port_lo);
        case Column::L4_DST_PORT:
            return at(key.port_lo, key.port_hi);
        case Column::PROTOCOL:
            return plain(key.proto);
        case Column::IN_BYTES:
            return plain(in.bytes);
        case Column::IN_PKTS:
            return plain(in.pkts);
        case Column::OUT_BYTES:
            return plain(outd.bytes);
        case Column::OUT_PKTS:
            return plain(outd.pkts);
        case Column::CLIENT_TCP_FLAGS:
            return plain(in.tcp_flags);
        case Column::SERVER_TCP_FLAGS:
            return plain(outd.tcp_flags);
        case Column::MIN_TTL:
            return plain(st.min_ttl);
        case Column::MAX_TTL:
            return plain(st.max_ttl);
        case Column::LONGEST_FLOW_PKT:
        case Column::MAX_IP_PKT_LEN:
            return plain(st.max_len);
        case Column::SHORTEST_FLOW_PKT:
        case Column::MIN_IP_PKT_LEN:
            return plain(st.min_len);
        case Column::RETRANSMITTED_IN_BYTES:
            return plain(in.retrans_bytes);
        case Column::RETRANSMITTED_IN_PKTS:
            return plain(in.retrans_pkts);
        case Column::RETRANSMITTED_OUT_BYTES:
            return plain(outd.retrans_bytes);
        case Column::RETRANSMITTED_OUT_PKTS:
            return plain(outd.retrans_pkts);
        case Column::NUM_PKTS_UP_TO_128_BYTES:
        case Column::NUM_PKTS_128_TO_256_BYTES:
        case Column::NUM_PKTS_256_TO_512_BYTES:
        case Column::NUM_PKTS_512_TO_1024_BYTES:
        case Column::NUM_PKTS_1024_TO_1514_BYTES:
            return plain(st.len_buckets[static_cast<int>(column) -
                                        static_cast<int>(Column::NUM_PKTS_UP_TO_128_BYTES)]);
        case Column::TCP_WIN_MAX_IN:
            return plain(in.win_max);
        case Column::TCP_WIN_MAX_OUT:
            return plain(outd.win_max);
        default:
            return std::nullopt;
    }
}

uint64_t FlowFeatures::plainValue(const FlowRecord &flow, const FieldLocation &where) {
    const uint8_t *at =
        reinterpret_cast<const uint8_t *>(&flow) + where.offset[flow.state.src_is_lo ? 1 : 0];
    auto load = [at](auto field) {
        std::memcpy(&field, at, sizeof(field));
        return static_cast<uint64_t>(field);
    };
    switch (where.width) {
        case 1:
            return *at;
        case 2:
            return load(uint16_t{});
        case 4:
            return load(uint32_t{});
        default:
            return load(uint64_t{});
    }
}

namespace {

// fieldLocation() of every column, looked up once.
const std::array<std::optional<FieldLocation>, kColumnCount> &plainColumns() {
    static const auto table = [] {
        std::array<std::optional<FieldLocation>, kColumnCount> t;
        for (size_t i = 0; i < kColumnCount; i++)
            t[i] = FlowFeatures::fieldLocation(static_cast<Column>(i));
        return t;
    }();
    return table;
}

}  // namespace

const IatMillis &FlowFeatures::iat(const FlowRecord &flow, int dir) const {
    if (iat_cache_.flow != &flow || iat_cache_.first_seen != flow.first_seen) {
        iat_cache_.flow = &flow;
        iat_cache_.first_seen = flow.first_seen;
        iat_cache_.dir[NF_DIR_IN] = iatMillis(flow.state.dir[NF_DIR_IN]);
        iat_cache_.dir[NF_DIR_OUT] = iatMillis(flow.state.dir[NF_DIR_OUT]);
    }
    return iat_cache_.dir[dir];
}

void FlowFeatures::compute(Column column, const FlowRecord &flow, FeatureValue &out) const {
    if (columns_to_advance_ && --columns_to_advance_ == 0)
        labeler_->advance();
    const nf_flow_key &key = flow.key;
    const nf_flow_state &st = flow.state;
    const nf_dir_state &in = st.dir[NF_DIR_IN];
    const nf_dir_state &outd = st.dir[NF_DIR_OUT];
    const bool src_lo = st.src_is_lo;
    const uint64_t duration_ms = durationMillis(st.first_us, st.last_us);
    auto wallMillis = [&](uint64_t us) {
        return static_cast<uint64_t>(static_cast<int64_t>(us) + clock_offset_us_) / 1000;
    };
    auto bytesPerSecond = [&](uint64_t bytes) {
        return static_cast<double>(bytes) /
               std::max(1.0, static_cast<double>(duration_ms) / 1000.0);
    };
    auto bitsPerSecond = [&](uint64_t bytes) {
        return bytes * 8000 / std::max<uint64_t>(1, duration_ms);
    };

    // The columns that are a field of the record as it is: one table says
    // where (fieldLocation), for this and for the binary exporters.
    if (const std::optional<FieldLocation> &where = plainColumns()[static_cast<size_t>(column)])
        return out.setInteger(plainValue(flow, *where));

    switch (column) {
        case Column::IPV4_SRC_ADDR:
            appendAddress(out.setText(), src_lo ? key.addr_lo : key.addr_hi, key.ip_version);
            return;
        case Column::IPV4_DST_ADDR:
            appendAddress(out.setText(), src_lo ? key.addr_hi : key.addr_lo, key.ip_version);
            return;
        case Column::L7_PROTO: {
            // "M.A" when both are known and differ, else "P.0".
            std::string &text = out.setText();
            const L7Protocol &l7 = flow.cls.l7;
            bool both = l7.master && l7.app && l7.master != l7.app;
            appendUnsigned(text, both ? l7.master : (l7.app ? l7.app : l7.master));
            text += '.';
            appendUnsigned(text, both ? l7.app : 0);
            return;
        }
        case Column::TCP_FLAGS:
            return out.setInteger(in.tcp_flags | outd.tcp_flags);
        case Column::FLOW_DURATION_MILLISECONDS:
            return out.setInteger(duration_ms);
        case Column::DURATION_IN:
            return out.setInteger(in.pkts >= 2 ? durationMillis(in.first_us, in.last_us) : 0);
        case Column::DURATION_OUT:
            return out.setInteger(outd.pkts >= 2 ? durationMillis(outd.first_us, outd.last_us) : 0);
        case Column::SRC_TO_DST_SECOND_BYTES:
            return out.setReal(bytesPerSecond(in.bytes));
        case Column::DST_TO_SRC_SECOND_BYTES:
            return out.setReal(bytesPerSecond(outd.bytes));
        case Column::SRC_TO_DST_AVG_THROUGHPUT:
            return out.setInteger(bitsPerSecond(in.bytes));
        case Column::DST_TO_SRC_AVG_THROUGHPUT:
            return out.setInteger(bitsPerSecond(outd.bytes));
        case Column::L4_SRC_PORT:
        case Column::L4_DST_PORT:
        case Column::PROTOCOL:
        case Column::IN_BYTES:
        case Column::IN_PKTS:
        case Column::OUT_BYTES:
        case Column::OUT_PKTS:
        case Column::CLIENT_TCP_FLAGS:
        case Column::SERVER_TCP_FLAGS:
        case Column::MIN_TTL:
        case Column::MAX_TTL:
        case Column::LONGEST_FLOW_PKT:
        case Column::MAX_IP_PKT_LEN:
        case Column::SHORTEST_FLOW_PKT:
        case Column::MIN_IP_PKT_LEN:
        case Column::RETRANSMITTED_IN_BYTES:
        case Column::RETRANSMITTED_IN_PKTS:
        case Column::RETRANSMITTED_OUT_BYTES:
        case Column::RETRANSMITTED_OUT_PKTS:
        case Column::NUM_PKTS_UP_TO_128_BYTES:
        case Column::NUM_PKTS_128_TO_256_BYTES:
        case Column::NUM_PKTS_256_TO_512_BYTES:
        case Column::NUM_PKTS_512_TO_1024_BYTES:
        case Column::NUM_PKTS_1024_TO_1514_BYTES:
        case Column::TCP_WIN_MAX_IN:
        case Column::TCP_WIN_MAX_OUT:
            return;  // plain fields: read above
        case Column::ICMP_TYPE:
            return out.setInteger(st.icmp_seen ? st.icmp_type * 256u + st.icmp_code : 0);
        case Column::ICMP_IPV4_TYPE:
            return out.setInteger(st.icmp_seen ? st.icmp_type : 0);
        case Column::DNS_QUERY_ID:
            return out.setInteger(flow.cls.dns.query_id);
        case Column::DNS_QUERY_TYPE:
            return out.setInteger(flow.cls.dns.query_type);
        case Column::DNS_TTL_ANSWER:
            return out.setInteger(flow.cls.dns.ttl_answer);
        case Column::FTP_COMMAND_RET_CODE:
            return out.setInteger(flow.cls.ftp.lastCode());
        case Column::FLOW_START_MILLISECONDS:
            return out.setInteger(wallMillis(st.first_us));
        case Column::FLOW_END_MILLISECONDS:
            return out.setInteger(wallMillis(st.last_us));
        case Column::SRC_TO_DST_IAT_MIN:
            return out.setInteger(iat(flow, NF_DIR_IN).min);
        case Column::SRC_TO_DST_IAT_MAX:
            return out.setInteger(iat(flow, NF_DIR_IN).max);
        case Column::SRC_TO_DST_IAT_AVG:
            return out.setInteger(iat(flow, NF_DIR_IN).avg);
        case Column::SRC_TO_DST_IAT_STDDEV:
            return out.setInteger(iat(flow, NF_DIR_IN).stddev);
        case Column::DST_TO_SRC_IAT_MIN:
            return out.setInteger(iat(flow, NF_DIR_OUT).min);
        case Column::DST_TO_SRC_IAT_MAX:
            return out.setInteger(iat(flow, NF_DIR_OUT).max);
        case Column::DST_TO_SRC_IAT_AVG:
            return out.setInteger(iat(flow, NF_DIR_OUT).avg);
        case Column::DST_TO_SRC_IAT_STDDEV:
            return out.setInteger(iat(flow, NF_DIR_OUT).stddev);
        case Column::L7_PROTO_NAME:
            out.setText() = classifier_.protocolName(flow.cls.l7);
            return;
        case Column::SERVER_NAME:
            out.setText() = flow.cls.server_name ? *flow.cls.server_name : std::string();
            return;
        case Column::Label:
            if (labeler_)
                return out.setInteger(labeler_->label(flow, clock_offset_us_).attack ? 1 : 0);
            return out.setInteger(label_.attack ? 1 : 0);
        case Column::Attack:
            out.setText() = labeler_ ? *labeler_->label(flow, clock_offset_us_).name : label_.name;
            return;
    }
}

}  // namespace netflow
