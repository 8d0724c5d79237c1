#include "app/DnsParser.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace netflow {
namespace {

constexpr uint16_t kA = 1;
constexpr uint16_t kCname = 5;
constexpr uint16_t kAaaa = 28;

// Builds DNS messages byte by byte so that tests can also produce malformed wire data.
struct Msg {
    std::vector<uint8_t> b;

    Msg &u8(uint8_t v) {
        b.push_back(v);
        return *this;
    }
    Msg &u16(uint16_t v) { return u8(static_cast<uint8_t>(v >> 8)).u8(static_cast<uint8_t>(v)); }
    Msg &u32(uint32_t v) {
        return u16(static_cast<uint16_t>(v >> 16)).u16(static_cast<uint16_t>(v));
    }
    Msg &header(uint16_t id, bool response, uint16_t qd, uint16_t an) {
        return u16(id).u16(response ? 0x8180 : 0x0100).u16(qd).u16(an).u16(0).u16(0);
    }
    // Labels only, terminated by the root label unless a pointer follows.
    Msg &labels(const std::vector<std::string> &parts) {
        for (const auto &p : parts) {
            u8(static_cast<uint8_t>(p.size()));
            b.insert(b.end(), p.begin(), p.end());
        }
        return *this;
    }
    Msg &name(const std::vector<std::string> &parts) { return labels(parts).u8(0); }
    Msg &ptr(uint16_t off) { return u16(static_cast<uint16_t>(0xC000 | off)); }
    Msg &question(uint16_t qtype) { return name({"example", "com"}).u16(qtype).u16(1); }
    // Fixed part of a resource record after its name.
    Msg &rr(uint16_t type, uint32_t ttl, const std::vector<uint8_t> &rdata) {
        u16(type).u16(1).u32(ttl).u16(static_cast<uint16_t>(rdata.size()));
        b.insert(b.end(), rdata.begin(), rdata.end());
        return *this;
    }
    std::vector<uint8_t> tcp() const {
        std::vector<uint8_t> out{static_cast<uint8_t>(b.size() >> 8),
                                 static_cast<uint8_t>(b.size())};
        out.insert(out.end(), b.begin(), b.end());
        return out;
    }
};

const std::vector<uint8_t> kIpv4{10, 0, 0, 1};
constexpr uint16_t kQname = 12;  // offset of the first question's name

DnsFields parse(const std::vector<std::vector<uint8_t>> &msgs, bool tcp = false) {
    DnsFields f;
    for (const auto &m : msgs) {
        parseDnsMessage(m, tcp, f);
    }
    return f;
}

TEST(DnsParser, QueryThenResponse) {
    auto q = Msg{}.header(0x1234, false, 1, 0).question(kA).b;
    auto r = Msg{}.header(0x1234, true, 1, 1).question(kA).ptr(kQname).rr(kA, 300, kIpv4).b;
    const auto f = parse({q, r});
    EXPECT_TRUE(f.have_query);
    EXPECT_EQ(f.query_id, 0x1234);
    EXPECT_EQ(f.query_type, kA);
    EXPECT_TRUE(f.have_answer);
    EXPECT_EQ(f.ttl_answer, 300u);
}

TEST(DnsParser, LaterMessagesDoNotChangeQuestion) {
    auto q1 = Msg{}.header(1, false, 1, 0).question(kAaaa).b;
    auto q2 = Msg{}.header(2, false, 1, 0).question(kA).b;
    const auto f = parse({q1, q2});
    EXPECT_EQ(f.query_id, 1);
    EXPECT_EQ(f.query_type, kAaaa);
}

TEST(DnsParser, MessageWithoutQuestionDoesNotDecideQuestion) {
    auto empty = Msg{}.header(1, false, 0, 0).b;
    auto q = Msg{}.header(2, false, 1, 0).question(kA).b;
    EXPECT_FALSE(parse({empty}).have_query);
    EXPECT_EQ(parse({empty, q}).query_id, 2);
}

TEST(DnsParser, FieldsStaySmall) {
    EXPECT_LE(sizeof(DnsFields), 12u);
}

TEST(DnsParser, QueryAloneDecidesNoTtl) {
    const auto f = parse({Msg{}.header(7, false, 1, 0).question(kA).b});
    EXPECT_TRUE(f.have_query);
    EXPECT_FALSE(f.have_answer);
    EXPECT_EQ(f.ttl_answer, 0u);
}

TEST(DnsParser, CnameBeforeAUsesATtl) {
    Msg r;
    r.header(5, true, 1, 2).question(kA);
    const auto cname_target = static_cast<uint16_t>(r.b.size() + 12);
    r.ptr(kQname).rr(kCname, 3600, Msg{}.labels({"www"}).ptr(kQname).b);
    r.ptr(cname_target).rr(kA, 42, kIpv4);
    const auto f = parse({r.b});
    EXPECT_EQ(f.ttl_answer, 42u);
}

TEST(DnsParser, OnlyAaaaGivesZeroAndStillDecides) {
    auto r1 = Msg{}
                  .header(1, true, 1, 1)
                  .question(kAaaa)
                  .ptr(kQname)
                  .rr(kAaaa, 60, std::vector<uint8_t>(16));
    auto r2 = Msg{}.header(2, true, 1, 1).question(kA).ptr(kQname).rr(kA, 99, kIpv4);
    const auto f = parse({r1.b, r2.b});
    EXPECT_TRUE(f.have_answer);
    EXPECT_EQ(f.ttl_answer, 0u);
}

TEST(DnsParser, ResponseWithoutAnswersDoesNotDecide) {
    auto nx = Msg{}.header(1, true, 1, 0).question(kA).b;
    auto r = Msg{}.header(1, true, 1, 1).question(kA).ptr(kQname).rr(kA, 77, kIpv4).b;
    const auto f = parse({nx, r});
    EXPECT_EQ(f.ttl_answer, 77u);
}

TEST(DnsParser, ResponseSeenFirstSetsQuestion) {
    auto r = Msg{}.header(0xBEEF, true, 1, 1).question(kAaaa).ptr(kQname).rr(kA, 5, kIpv4).b;
    auto q = Msg{}.header(0x0001, false, 1, 0).question(kA).b;
    const auto f = parse({r, q});
    EXPECT_EQ(f.query_id, 0xBEEF);
    EXPECT_EQ(f.query_type, kAaaa);
    EXPECT_EQ(f.ttl_answer, 5u);
}

TEST(DnsParser, CompressedAnswerNamesAreSkipped) {
    // Answer names are a pointer, labels then a pointer, and a pointer to a pointer.
    Msg r;
    r.header(9, true, 1, 3).question(kA);
    const auto first_answer = static_cast<uint16_t>(r.b.size());
    r.ptr(kQname).rr(kCname, 1, Msg{}.ptr(kQname).b);
    r.labels({"a", "b"}).ptr(kQname).rr(kCname, 2, Msg{}.ptr(kQname).b);
    r.ptr(first_answer).rr(kA, 3, kIpv4);
    EXPECT_EQ(parse({r.b}).ttl_answer, 3u);
}

TEST(DnsParser, CompressedQuestionName) {
    // A pointer in the question to labels stored (unusually) inside the header region still
    // decodes; what matters is that the target is captured.
    Msg q;
    q.header(3, false, 1, 0);
    q.b[10] = 0;  // ARCOUNT high byte doubles as the root label of the pointed-to name
    q.ptr(10).u16(kAaaa).u16(1);
    const auto f = parse({q.b});
    EXPECT_TRUE(f.have_query);
    EXPECT_EQ(f.query_type, kAaaa);
}

TEST(DnsParser, PointerLoopInQuestionTerminatesWithoutQuestion) {
    auto self = Msg{}.header(1, false, 1, 0).ptr(kQname).u16(kA).u16(1).b;
    auto pair = Msg{}.header(1, false, 1, 0).labels({"x"}).ptr(kQname).u16(kA).u16(1).b;
    EXPECT_FALSE(parse({self}).have_query);
    EXPECT_FALSE(parse({pair}).have_query);
}

TEST(DnsParser, PointerLoopInAnswerTerminatesWithZeroTtl) {
    Msg r;
    r.header(1, true, 1, 2).question(kA);
    const auto loop = static_cast<uint16_t>(r.b.size());
    r.ptr(loop).rr(kCname, 1, {});
    r.ptr(kQname).rr(kA, 50, kIpv4);
    const auto f = parse({r.b});
    EXPECT_TRUE(f.have_query);  // the question itself is fine
    EXPECT_TRUE(f.have_answer);
    EXPECT_EQ(f.ttl_answer, 0u);
}

TEST(DnsParser, PointerOutOfCapture) {
    auto q = Msg{}.header(1, false, 1, 0).ptr(0x3FFF).u16(kA).u16(1).b;
    EXPECT_FALSE(parse({q}).have_query);
}

TEST(DnsParser, TruncatedHeaderIsIgnored) {
    auto r = Msg{}.header(1, true, 1, 1).question(kA).ptr(kQname).rr(kA, 8, kIpv4).b;
    for (size_t n = 0; n < 12; ++n) {
        const auto f = parse({std::vector<uint8_t>(r.begin(), r.begin() + n)});
        EXPECT_FALSE(f.have_query) << n;
        EXPECT_FALSE(f.have_answer) << n;
    }
    // Ignoring it leaves both decisions open for the next message.
    const auto f = parse({std::vector<uint8_t>(r.begin(), r.begin() + 11), r});
    EXPECT_EQ(f.ttl_answer, 8u);
}

TEST(DnsParser, TruncatedQuestionSetsNothing) {
    auto q = Msg{}.header(1, false, 1, 0).question(kAaaa).b;
    const size_t qtype_end = 12 + 13 + 2;  // "example.com" is 13 bytes on the wire
    for (size_t n = 12; n < qtype_end; ++n) {
        const auto f = parse({std::vector<uint8_t>(q.begin(), q.begin() + n)});
        EXPECT_FALSE(f.have_query) << n;
        EXPECT_EQ(f.query_id, 0) << n;
        EXPECT_EQ(f.query_type, 0) << n;
    }
    // QCLASS is not needed for the question fields.
    const auto f = parse({std::vector<uint8_t>(q.begin(), q.begin() + qtype_end)});
    EXPECT_TRUE(f.have_query);
    EXPECT_EQ(f.query_type, kAaaa);
}

TEST(DnsParser, EveryTruncationIsSafe) {
    Msg r;
    r.header(1, true, 1, 2).question(kA);
    r.ptr(kQname).rr(kCname, 1, Msg{}.labels({"w"}).ptr(kQname).b);
    r.ptr(kQname).rr(kA, 1234, kIpv4);
    const size_t ttl_end = r.b.size() - 6;  // RDLENGTH and RDATA are not needed
    for (size_t n = 0; n <= r.b.size(); ++n) {
        const auto f = parse({std::vector<uint8_t>(r.b.begin(), r.b.begin() + n)});
        EXPECT_EQ(f.have_answer, n >= 12) << n;
        EXPECT_EQ(f.ttl_answer, n >= ttl_end ? 1234u : 0u) << n;
    }
}

TEST(DnsParser, TruncatedResponseStillDecides) {
    auto full = Msg{}.header(1, true, 1, 1).question(kA).ptr(kQname).rr(kA, 10, kIpv4).b;
    auto cut = std::vector<uint8_t>(full.begin(), full.end() - 8);
    const auto f = parse({cut, full});
    EXPECT_TRUE(f.have_answer);
    EXPECT_EQ(f.ttl_answer, 0u);
}

TEST(DnsParser, TcpWithLengthPrefix) {
    auto q = Msg{}.header(0x4242, false, 1, 0).question(kAaaa).tcp();
    auto r = Msg{}.header(0x4242, true, 1, 2).question(kAaaa);
    r.ptr(kQname).rr(kAaaa, 1, std::vector<uint8_t>(16)).ptr(kQname).rr(kA, 600, kIpv4);
    const auto f = parse({q, r.tcp()}, true);
    EXPECT_EQ(f.query_id, 0x4242);
    EXPECT_EQ(f.query_type, kAaaa);
    EXPECT_EQ(f.ttl_answer, 600u);
}

TEST(DnsParser, TcpMessageBoundedByLengthPrefix) {
    // The A record lies beyond the announced length, so it belongs to another message.
    auto r = Msg{}.header(1, true, 1, 1).question(kA).ptr(kQname).rr(kA, 600, kIpv4).tcp();
    r[1] = static_cast<uint8_t>(r[1] - 10);
    EXPECT_EQ(parse({r}, true).ttl_answer, 0u);
}

TEST(DnsParser, TcpShortSegments) {
    EXPECT_FALSE(parse({{}, {0x00}, {0x00, 0x20}}, true).have_query);
    // Without the prefix being skipped, the header would be misread.
    auto q = Msg{}.header(0x0102, false, 1, 0).question(kA).b;
    EXPECT_FALSE(parse({q}, true).have_query);
}

}  // namespace
}  // namespace netflow
