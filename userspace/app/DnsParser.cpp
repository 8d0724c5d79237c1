#include "app/DnsParser.h"

#include <cstddef>
#include <optional>

namespace netflow {
namespace {

constexpr size_t kHeaderLen = 12;
constexpr uint16_t kTypeA = 1;
// Labels plus pointer hops allowed in one name. A legitimate name has at most 127 labels, so this
// only cuts off pointer loops, which would otherwise never reach the terminating zero label.
constexpr int kMaxNameSteps = 256;

uint16_t be16(std::span<const uint8_t> m, size_t off) {
    return static_cast<uint16_t>((m[off] << 8) | m[off + 1]);
}

uint32_t be32(std::span<const uint8_t> m, size_t off) {
    return (uint32_t{be16(m, off)} << 16) | be16(m, off + 2);
}

// Returns the offset just past the name as it sits at `off`, or nullopt if the name cannot be
// fully decoded from the captured bytes. Pointers are followed (not merely skipped) so that a
// name whose target is missing or loops counts as "not captured", as the question rule requires.
std::optional<size_t> skipName(std::span<const uint8_t> m, size_t off) {
    std::optional<size_t> end;  // set at the first pointer: the name's wire extent ends there
    size_t pos = off;
    for (int step = 0; step < kMaxNameSteps; ++step) {
        if (pos >= m.size()) {
            return std::nullopt;
        }
        const uint8_t len = m[pos];
        if (len == 0) {
            return end ? *end : pos + 1;
        }
        switch (len & 0xC0) {
            case 0x00:
                pos += 1 + len;  // bounds are checked when the next length byte is read
                break;
            case 0xC0:
                if (pos + 1 >= m.size()) {
                    return std::nullopt;
                }
                if (!end) {
                    end = pos + 2;
                }
                pos = be16(m, pos) & 0x3FFF;
                break;
            default:  // 0x40 extended and 0x80 reserved label types are undecodable
                return std::nullopt;
        }
    }
    return std::nullopt;
}

void parseQuestion(std::span<const uint8_t> m, DnsFields &f) {
    // Only QTYPE must be captured, not QCLASS: the rule asks for the name and QTYPE.
    const auto end = skipName(m, kHeaderLen);
    if (!end || *end + 2 > m.size()) {
        return;  // a later message may still supply the question
    }
    f.query_id = be16(m, 0);
    f.query_type = be16(m, *end);
    f.have_query = true;
}

// The TTL of the first A record in the answer section, 0 if none is decidable. Parsing stops at
// the first undecodable name or truncated record: records after it cannot be located.
uint32_t firstATtl(std::span<const uint8_t> m) {
    const uint16_t qdcount = be16(m, 4);
    const uint16_t ancount = be16(m, 6);
    size_t pos = kHeaderLen;
    for (uint16_t i = 0; i < qdcount; ++i) {
        const auto end = skipName(m, pos);
        if (!end || *end + 4 > m.size()) {
            return 0;
        }
        pos = *end + 4;
    }
    for (uint16_t i = 0; i < ancount; ++i) {
        const auto end = skipName(m, pos);
        // TYPE, CLASS, TTL: enough to decide an A record even if RDLENGTH/RDATA were cut off.
        if (!end || *end + 8 > m.size()) {
            return 0;
        }
        if (be16(m, *end) == kTypeA) {
            return be32(m, *end + 4);
        }
        if (*end + 10 > m.size()) {
            return 0;
        }
        pos = *end + 10 + be16(m, *end + 8);
    }
    return 0;
}

}  // namespace

void parseDnsMessage(std::span<const uint8_t> payload, bool over_tcp, DnsFields &fields) {
    std::span<const uint8_t> m = payload;
    if (over_tcp) {
        if (m.size() < 2) {
            return;
        }
        // Bytes past the announced length belong to a following message; compression offsets
        // are relative to the message start, hence the rebased span.
        const size_t len = be16(m, 0);
        m = m.subspan(2);
        if (len < m.size()) {
            m = m.first(len);
        }
    }
    // Without the full header neither QDCOUNT nor QR/ANCOUNT is known, so nothing is decidable;
    // the message is ignored rather than taken as deciding anything.
    if (m.size() < kHeaderLen) {
        return;
    }
    if (!fields.have_query && be16(m, 4) > 0) {
        parseQuestion(m, fields);
    }
    const bool is_response = (m[2] & 0x80) != 0;
    if (!fields.have_answer && is_response && be16(m, 6) > 0) {
        // The header alone makes this "the first response with answers", so it decides even if
        // the A record is truncated away (TTL 0): a later response must not override it.
        fields.ttl_answer = firstATtl(m);
        fields.have_answer = true;
    }
}

}  // namespace netflow
