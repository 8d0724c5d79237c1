// IPFIX / NetFlow v9 messages (export/MessageEncoder, export/CollectorSink):
// decoded here by a small independent reader, every exported column must
// equal what the CSV writer prints for the same flow.
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <bit>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../support/FlowHarness.h"
#include "export/CollectorSink.h"
#include "export/FieldTable.h"
#include "export/MessageEncoder.h"

using namespace netflow;

namespace {

uint16_t get16(const uint8_t *p) {
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
uint32_t get32(const uint8_t *p) {
    return uint32_t{get16(p)} << 16 | get16(p + 2);
}
uint64_t getN(const uint8_t *p, size_t n) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

struct FieldSpec {
    uint16_t id;
    uint16_t length;
    uint32_t pen;
};

// Element key: "pen.id" (pen 0 for IANA / v9).
std::string key(uint32_t pen, uint16_t id) {
    return std::to_string(pen) + "." + std::to_string(id);
}

struct Decoded {
    uint16_t version = 0;
    uint32_t sequence = 0;
    uint32_t domain = 0;
    uint16_t count = 0;  // v9 header
    size_t length = 0;
    std::map<uint16_t, std::vector<FieldSpec>> templates;
    std::map<uint16_t, uint16_t> scope_counts;  // options templates
    std::vector<std::pair<uint16_t, std::map<std::string, std::vector<uint8_t>>>> records;
    int template_records = 0;
};

// A reader written from RFC 7011 / RFC 3954, templates kept across messages.
class Reader {
  public:
    Decoded read(std::span<const uint8_t> m) {
        Decoded d;
        d.version = get16(m.data());
        const bool ipfix = d.version == 10;
        const size_t header = ipfix ? 16 : 20;
        if (ipfix) {
            d.length = get16(m.data() + 2);
            d.sequence = get32(m.data() + 8);
            d.domain = get32(m.data() + 12);
            EXPECT_EQ(d.length, m.size());
        } else {
            d.count = get16(m.data() + 2);
            d.sequence = get32(m.data() + 12);
            d.domain = get32(m.data() + 16);
        }
        size_t off = header;
        while (off + 4 <= m.size()) {
            const uint16_t set_id = get16(&m[off]);
            const uint16_t set_len = get16(&m[off + 2]);
            EXPECT_GE(set_len, 4);
            EXPECT_LE(off + set_len, m.size());
            const uint8_t *p = &m[off + 4];
            const uint8_t *end = &m[off] + set_len;
            if (set_id == (ipfix ? 2 : 0) || set_id == (ipfix ? 3 : 1)) {
                const bool options = set_id == (ipfix ? 3 : 1);
                while (end - p >= 4) {
                    const uint16_t tid = get16(p);
                    std::vector<FieldSpec> fields;
                    if (!ipfix && options) {
                        const uint16_t scope_len = get16(p + 2), opt_len = get16(p + 4);
                        p += 6;
                        for (int i = 0; i < (scope_len + opt_len) / 4; i++, p += 4)
                            fields.push_back({get16(p), get16(p + 2), 0});
                        scope_counts_[tid] = scope_len / 4;
                    } else {
                        const uint16_t n = get16(p + 2);
                        p += 4;
                        if (options) {
                            scope_counts_[tid] = get16(p);
                            p += 2;
                        }
                        for (int i = 0; i < n; i++) {
                            FieldSpec f{get16(p), get16(p + 2), 0};
                            p += 4;
                            if (ipfix && (f.id & 0x8000)) {
                                f.id &= 0x7fff;
                                f.pen = get32(p);
                                p += 4;
                            }
                            fields.push_back(f);
                        }
                    }
                    templates_[tid] = fields;
                    d.template_records++;
                }
            } else {
                auto it = templates_.find(set_id);
                EXPECT_NE(it, templates_.end()) << "data before its template";
                if (it == templates_.end())
                    return d;
                while (p < end) {
                    size_t fixed = 0;
                    for (const FieldSpec &f : it->second)
                        fixed += f.length == 65535 ? 1 : f.length;
                    if (static_cast<size_t>(end - p) < fixed)
                        break;  // v9 padding
                    std::map<std::string, std::vector<uint8_t>> rec;
                    for (const FieldSpec &f : it->second) {
                        size_t n = f.length;
                        if (n == 65535) {
                            n = *p++;
                            if (n == 255) {
                                n = get16(p);
                                p += 2;
                            }
                        }
                        rec[key(f.pen, f.id)] = std::vector<uint8_t>(p, p + n);
                        p += n;
                    }
                    d.records.emplace_back(set_id, std::move(rec));
                }
            }
            off += set_len;
        }
        EXPECT_EQ(off, m.size());
        d.templates = templates_;
        d.scope_counts = scope_counts_;
        return d;
    }

  private:
    std::map<uint16_t, std::vector<FieldSpec>> templates_;
    std::map<uint16_t, uint16_t> scope_counts_;
};

FlowRecord makeFlow(int ip_version, uint16_t sport, uint64_t bytes) {
    FlowRecord f{};
    f.key.ip_version = static_cast<uint8_t>(ip_version);
    f.key.proto = 6;
    if (ip_version == 4) {
        const uint8_t lo[4] = {10, 0, 0, 1}, hi[4] = {192, 168, 7, 200};
        std::memcpy(f.key.addr_lo, lo, 4);
        std::memcpy(f.key.addr_hi, hi, 4);
    } else {
        inet_pton(AF_INET6, "2001:db8::1", f.key.addr_lo);
        inet_pton(AF_INET6, "2001:db8::ff:2", f.key.addr_hi);
    }
    f.key.port_lo = sport;
    f.key.port_hi = 443;
    f.state.src_is_lo = 1;
    f.state.first_us = nftest::kT0;
    f.state.last_us = nftest::kT0 + 1234567;
    auto &in = f.state.dir[NF_DIR_IN];
    auto &out = f.state.dir[NF_DIR_OUT];
    in.bytes = bytes;
    in.pkts = 7;
    in.tcp_flags = 0x02 | 0x10;
    in.first_us = f.state.first_us;
    in.last_us = f.state.last_us;
    in.iat_min_us = 1000;
    in.iat_max_us = 900000;
    in.iat_sum_us = 1233000;
    in.iat_sumsq_lo = 1233000ULL * 1233000ULL;  // >= sum^2 / gaps
    in.win_max = 64240;
    out.bytes = 5000000000ULL;  // more than 32 bits
    out.pkts = 5;
    out.tcp_flags = 0x12;
    out.retrans_pkts = 1;
    out.retrans_bytes = 1460;
    f.state.min_ttl = 52;
    f.state.max_ttl = 64;
    f.state.min_len = 40;
    f.state.max_len = 1500;
    f.state.len_buckets[0] = 9;
    f.state.len_buckets[4] = 3;
    f.cls.l7 = L7Protocol{91, 178};
    f.cls.server_name = std::make_unique<std::string>(std::string(300, 'a') + ".example");
    f.cls.dns.query_id = 4321;
    return f;
}

std::vector<SelectedColumn> allColumns() {
    std::vector<SelectedColumn> cols;
    for (size_t i = 0; i < kColumnCount; i++) {
        auto c = static_cast<Column>(i);
        cols.push_back({c, std::string(columnName(c))});
    }
    return cols;
}

// What the CSV prints for a column, from the exported bytes.
std::string render(const ExportField &f, const std::vector<uint8_t> &b) {
    switch (f.type) {
        case FieldType::Unsigned:
        case FieldType::L7Proto:
            EXPECT_EQ(b.size(), f.length);
            return std::to_string(getN(b.data(), b.size()));
        case FieldType::Float64: {
            std::string out;
            appendReal(out, std::bit_cast<double>(getN(b.data(), 8)));
            return out;
        }
        case FieldType::Address: {
            char buf[INET6_ADDRSTRLEN];
            inet_ntop(b.size() == 16 ? AF_INET6 : AF_INET, b.data(), buf, sizeof(buf));
            return buf;
        }
        case FieldType::String:
            return std::string(b.begin(), b.end()).c_str();  // v9: NUL-padded
    }
    return {};
}

// Every exported column of `flow` equals the CSV's text (L7_PROTO: the most
// specific id of "M.A"; strings: v9 truncates to the field's length).
void expectRecordMatches(const std::map<std::string, std::vector<uint8_t>> &rec,
                         const FlowRecord &flow, bool ipfix) {
    FlowFeatures features(nftest::sharedClassifier(), LabelSpec{});
    const nftest::Row row = nftest::renderRow(features, flow);
    int checked = 0;
    for (size_t i = 0; i < kColumnCount; i++) {
        const auto column = static_cast<Column>(i);
        auto field = exportField(column, flow.key.ip_version);
        if (!field)
            continue;
        const std::string k =
            ipfix ? key(field->enterprise ? kNtopPen : 0, field->id) : key(0, field->v9Id());
        auto it = rec.find(k);
        ASSERT_NE(it, rec.end()) << columnName(column);
        std::string expected = row.at(std::string(columnName(column)));
        if (field->type == FieldType::L7Proto) {
            auto dot = expected.find('.');
            const std::string app = expected.substr(dot + 1);
            expected = app != "0" ? app : expected.substr(0, dot);
        }
        if (field->type == FieldType::String && !ipfix)
            expected = expected.substr(0, field->length);
        if (field->type == FieldType::Unsigned && field->length < 8) {
            // Saturated: the throughputs of this flow (5 GB in 1.2 s) do
            // not fit nProbe's 4 bytes.
            const uint64_t max = (uint64_t{1} << (8 * field->length)) - 1;
            if (std::stoull(expected) > max)
                expected = std::to_string(max);
        }
        EXPECT_EQ(render(*field, it->second), expected) << columnName(column);
        checked++;
    }
    EXPECT_EQ(checked, static_cast<int>(kColumnCount) - 2);  // all but Label, Attack
}

}  // namespace

TEST(ExportEncoder, IpfixRecordCarriesEveryColumnAsTheCsvPrintsIt) {
    FlowFeatures features(nftest::sharedClassifier(), LabelSpec{});
    MessageEncoder enc(WireFormat::Ipfix, allColumns(), features, 77, 4000);
    ASSERT_TRUE(enc.appendTemplates());
    FlowRecord v4 = makeFlow(4, 40000, 123456);
    FlowRecord v6 = makeFlow(6, 40001, 99);
    ASSERT_TRUE(enc.appendFlow(v4));
    ASSERT_TRUE(enc.appendFlow(v6));
    auto m = enc.take(1700000000, 0);
    Reader reader;
    Decoded d = reader.read(m);
    EXPECT_EQ(d.version, 10);
    EXPECT_EQ(d.domain, 77u);
    EXPECT_EQ(d.sequence, 0u);
    EXPECT_EQ(get32(m.data() + 4), 1700000000u);  // export time
    EXPECT_EQ(d.template_records, 3);
    EXPECT_EQ(d.scope_counts.at(MessageEncoder::kTemplateL7Names), 1);
    ASSERT_EQ(d.records.size(), 2u);
    EXPECT_EQ(d.records[0].first, MessageEncoder::kTemplateIpv4);
    EXPECT_EQ(d.records[1].first, MessageEncoder::kTemplateIpv6);
    expectRecordMatches(d.records[0].second, v4, true);
    expectRecordMatches(d.records[1].second, v6, true);
    // The long server name went as a 3-byte variable length (255, n).
    EXPECT_EQ(d.records[0].second.at(key(kNtopPen, 122)).size(), 308u);

    // The next message's sequence number counts the data records before it.
    ASSERT_TRUE(enc.appendFlow(v4));
    Decoded d2 = reader.read(enc.take(1700000001, 0));
    EXPECT_EQ(d2.sequence, 2u);
    EXPECT_EQ(d2.template_records, 0);
}

TEST(ExportEncoder, NetflowV9RecordUsesNtopIdsAndFixedLengthStrings) {
    FlowFeatures features(nftest::sharedClassifier(), LabelSpec{});
    MessageEncoder enc(WireFormat::Netflow9, allColumns(), features, 9, 1400);
    ASSERT_TRUE(enc.appendTemplates());
    FlowRecord v4 = makeFlow(4, 40000, 123456);
    ASSERT_TRUE(enc.appendFlow(v4));
    ASSERT_TRUE(enc.appendL7Name(7, "HTTP"));
    auto m = enc.take(1700000000, 5000);
    EXPECT_EQ(m.size() % 4, 0u);  // flowsets padded to 32 bits
    Reader reader;
    Decoded d = reader.read(m);
    EXPECT_EQ(d.version, 9);
    EXPECT_EQ(d.count, 5);  // 3 template records, 2 data records
    EXPECT_EQ(d.domain, 9u);
    EXPECT_EQ(get32(m.data() + 4), 5000u);  // sysUptime
    ASSERT_EQ(d.records.size(), 2u);
    expectRecordMatches(d.records[0].second, v4, false);
    EXPECT_TRUE(d.records[0].second.count(key(0, 57590)));  // L7_PROTO
    EXPECT_TRUE(d.records[0].second.count(key(0, 58003)));  // SRC_TO_DST_IAT_MIN
    const auto &name = d.records[1].second;
    EXPECT_EQ(getN(name.at(key(0, 57590)).data(), 2), 7u);
    EXPECT_EQ(render(ExportField{119, true, 32, FieldType::String}, name.at(key(0, 57591))),
              "HTTP");
    EXPECT_EQ(d.scope_counts.at(MessageEncoder::kTemplateL7Names), 1);
    Decoded d2 = reader.read(enc.take(1700000000, 6000));
    EXPECT_EQ(d2.sequence, 1u);  // v9 counts messages
}

TEST(ExportEncoder, MessagesStayWithinTheMtu) {
    FlowFeatures features(nftest::sharedClassifier(), LabelSpec{});
    for (WireFormat format : {WireFormat::Ipfix, WireFormat::Netflow9}) {
        MessageEncoder enc(format, allColumns(), features, 1, 1024);
        Reader reader;
        ASSERT_TRUE(enc.appendTemplates());
        size_t flows = 0, messages = 0;
        for (uint16_t i = 0; i < 100; i++) {
            FlowRecord f = makeFlow(i % 3 ? 4 : 6, static_cast<uint16_t>(1000 + i), i);
            f.cls.server_name.reset();
            if (!enc.appendFlow(f)) {
                const size_t n = enc.flowsInMessage();
                auto m = enc.take(1, 1);
                EXPECT_LE(m.size(), 1024u);
                EXPECT_EQ(reader.read(m).records.size(), n);
                flows += n;
                messages++;
                ASSERT_TRUE(enc.appendFlow(f));
            }
        }
        flows += enc.flowsInMessage();
        reader.read(enc.take(1, 1));
        EXPECT_EQ(flows, 100u);
        EXPECT_GT(messages, 5u);
    }
}

namespace {

struct FakeSender : MessageSender {
    std::vector<std::vector<uint8_t>> messages;
    SendCounters c;
    void send(std::span<const uint8_t> m, uint32_t flows) override {
        messages.emplace_back(m.begin(), m.end());
        c.messages++;
        c.flows += flows;
        c.bytes += m.size();
    }
    Result<void> finish() override { return {}; }
    SendCounters counters() const override { return c; }
};

}  // namespace

TEST(ExportSink, TemplatesOnStartAndEveryNMessagesNamesOnStart) {
    FlowFeatures features(nftest::sharedClassifier(), LabelSpec{});
    ExportTarget target;
    target.uri = "ipfix://test:1";
    ExportSettings settings;
    settings.template_packets = 3;
    settings.template_interval_s = 3600;
    auto sender = std::make_unique<FakeSender>();
    FakeSender *fake = sender.get();
    L7NameTable names;
    for (uint16_t i = 0; i < 200; i++)
        names.emplace_back(i, "Proto" + std::to_string(i));
    auto cols = defaultSelection(3, false);
    CollectorSink sink(target, settings, cols, features, names, std::move(sender));
    for (uint16_t i = 0; i < 400; i++)
        sink.exportFlow(makeFlow(4, static_cast<uint16_t>(i + 1), i));
    ASSERT_TRUE(sink.finish());

    Reader reader;
    size_t flows = 0, names_seen = 0;
    std::vector<size_t> with_templates;
    for (size_t i = 0; i < fake->messages.size(); i++) {
        Decoded d = reader.read(fake->messages[i]);
        EXPECT_LE(fake->messages[i].size(), 1400u);
        if (d.template_records)
            with_templates.push_back(i);
        for (const auto &[tid, rec] : d.records) {
            if (tid == MessageEncoder::kTemplateL7Names)
                names_seen++;
            else
                flows++;
        }
    }
    EXPECT_EQ(flows, 400u);
    EXPECT_EQ(names_seen, 200u);  // once: the interval did not pass
    ASSERT_FALSE(with_templates.empty());
    EXPECT_EQ(with_templates.front(), 0u);
    for (size_t i = 1; i < with_templates.size(); i++)
        EXPECT_LE(with_templates[i] - with_templates[i - 1], 4u);
    EXPECT_GE(with_templates.size(), fake->messages.size() / 4);
    EXPECT_NE(sink.summary().find("400 flows sent"), std::string::npos) << sink.summary();
}
