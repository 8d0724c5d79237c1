// The Kafka message key (kafka/FlowMessageKey.h): the canonical 5-tuple,
// the same for both directions, for a finished flow and for its JSON object
// read back from the spool (also under --anonymize and with other headers).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "delivery/JsonFlowEncoder.h"
#include "kafka/FlowMessageKey.h"
#include "support/FlowHarness.h"

namespace {

using netflow::Column;
using netflow::SelectedColumn;
using nftest::kT0;
using nftest::PacketBuilder;

std::string key(unsigned proto, const char *a, unsigned pa, const char *b, unsigned pb) {
    std::string out = "stale";
    netflow::makeFlowMessageKey(proto, a, pa, b, pb, out);
    return out;
}

TEST(FlowMessageKey, SameKeyWhicheverEndpointComesFirst) {
    EXPECT_EQ(key(6, "10.0.0.1", 51234, "93.184.216.34", 443),
              "6,10.0.0.1,51234,93.184.216.34,443");
    EXPECT_EQ(key(6, "93.184.216.34", 443, "10.0.0.1", 51234),
              "6,10.0.0.1,51234,93.184.216.34,443");
}

TEST(FlowMessageKey, AddressesCompareAsBytesNotText) {
    // As text "10.0.0.10" < "10.0.0.9"; as addresses 9 < 10 (the counting
    // core's order).
    EXPECT_EQ(key(17, "10.0.0.10", 53, "10.0.0.9", 5353), "17,10.0.0.9,5353,10.0.0.10,53");
    EXPECT_EQ(key(17, "10.0.0.9", 5353, "10.0.0.10", 53), "17,10.0.0.9,5353,10.0.0.10,53");
    EXPECT_EQ(key(6, "2001:db8::a", 80, "2001:db8::9", 1234), "6,2001:db8::9,1234,2001:db8::a,80");
    EXPECT_EQ(key(6, "fe80::1", 1, "2001:db8::1", 2), "6,2001:db8::1,2,fe80::1,1");
}

TEST(FlowMessageKey, SameAddressOrdersByPortAndPortlessProtocolsUseZero) {
    EXPECT_EQ(key(6, "127.0.0.1", 8080, "127.0.0.1", 40000), "6,127.0.0.1,8080,127.0.0.1,40000");
    EXPECT_EQ(key(6, "127.0.0.1", 40000, "127.0.0.1", 8080), "6,127.0.0.1,8080,127.0.0.1,40000");
    EXPECT_EQ(key(1, "10.1.1.2", 0, "10.1.1.1", 0), "1,10.1.1.1,0,10.1.1.2,0");
}

struct Flows {
    std::vector<std::string> keys, objects;
};

class Collector : public netflow::FlowExporter {
  public:
    Collector(netflow::FlowMessageKey &keys, netflow::JsonFlowEncoder &encoder, Flows &out)
        : keys_(keys), encoder_(encoder), out_(out) {}
    void exportFlow(const netflow::FlowRecord &flow) override {
        std::string k, object;
        keys_.fromFlow(flow, k);
        encoder_.encode(flow, object);
        out_.keys.push_back(k);
        out_.objects.push_back(object);
    }

  private:
    netflow::FlowMessageKey &keys_;
    netflow::JsonFlowEncoder &encoder_;
    Flows &out_;
};

// Each frame its own flow (an idle gap between them), exported in order;
// each flow's key from the record, and its JSON object.
Flows run(const std::vector<SelectedColumn> &columns, const netflow::LabelSpec &label,
          const std::vector<nftest::Frame> &frames, Flows *from_json = nullptr) {
    netflow::FlowFeatures features(nftest::sharedClassifier(), label);
    netflow::FlowMessageKey keys(columns, features);
    netflow::JsonFlowEncoder encoder(columns, features);
    Flows flows;
    Collector collector(keys, encoder, flows);
    netflow::FlowMeter meter(netflow::MeterConfig{}, nftest::sharedClassifier(), collector);
    uint64_t t = kT0;
    for (const auto &f : frames) {
        nftest::Decoded d = nftest::decode(f);
        EXPECT_EQ(d.outcome, netflow::PacketDecoder::Outcome::Packet);
        meter.count(d.pkt, d.l3, t += 1000);
        meter.flushAll();
    }
    if (from_json) {
        for (const std::string &object : flows.objects) {
            std::string k;
            EXPECT_TRUE(keys.fromJson(object, k)) << object;
            from_json->keys.push_back(k);
        }
    }
    return flows;
}

std::vector<nftest::Frame> bothDirections() {
    return {PacketBuilder().Eth().IPv4("10.0.0.10", "10.0.0.9").TCP(443, 50000).build(),
            PacketBuilder().Eth().IPv4("10.0.0.9", "10.0.0.10").TCP(50000, 443).build(),
            PacketBuilder().Eth().IPv4("10.0.0.200", "10.0.0.3").UDP(53, 3333).build()};
}

const std::vector<SelectedColumn> kNfColumns = {
    {Column::IPV4_SRC_ADDR, "IPV4_SRC_ADDR"}, {Column::L4_SRC_PORT, "L4_SRC_PORT"},
    {Column::IPV4_DST_ADDR, "IPV4_DST_ADDR"}, {Column::L4_DST_PORT, "L4_DST_PORT"},
    {Column::PROTOCOL, "PROTOCOL"},           {Column::IN_BYTES, "IN_BYTES"}};

TEST(FlowMessageKey, BothDirectionsOfAFlowShareTheKey) {
    Flows json;
    Flows flows = run(kNfColumns, netflow::LabelSpec{}, bothDirections(), &json);
    ASSERT_EQ(flows.keys.size(), 3u);
    EXPECT_EQ(flows.keys[0], "6,10.0.0.9,50000,10.0.0.10,443");
    EXPECT_EQ(flows.keys[1], flows.keys[0]);
    EXPECT_EQ(flows.keys[2], "17,10.0.0.3,3333,10.0.0.200,53");
    EXPECT_EQ(json.keys, flows.keys);  // a spooled flow keeps its key
}

TEST(FlowMessageKey, SpoolLinesAreReadByTheRunsHeaders) {
    const std::vector<SelectedColumn> aliases = {{Column::IPV4_SRC_ADDR, "Src IP"},
                                                 {Column::L4_SRC_PORT, "Src Port"},
                                                 {Column::IPV4_DST_ADDR, "Dst IP"},
                                                 {Column::L4_DST_PORT, "Dst Port"},
                                                 {Column::PROTOCOL, "Protocol"}};
    Flows json;
    Flows flows = run(aliases, netflow::LabelSpec{}, bothDirections(), &json);
    EXPECT_EQ(json.keys, flows.keys);
}

TEST(FlowMessageKey, AnonymizedAddressesInTheKeyAndTheSameFromTheSpool) {
    netflow::LabelSpec label;
    label.anonymize = netflow::AnonymizeKey{};
    for (size_t i = 0; i < label.anonymize->size(); i++)
        (*label.anonymize)[i] = static_cast<uint8_t>(i * 7 + 1);
    Flows json;
    Flows flows = run(kNfColumns, label, bothDirections(), &json);
    ASSERT_EQ(flows.keys.size(), 3u);
    EXPECT_EQ(flows.keys[1], flows.keys[0]);
    EXPECT_EQ(flows.keys[0].find("10.0.0."), std::string::npos) << flows.keys[0];
    EXPECT_EQ(json.keys, flows.keys);
}

TEST(FlowMessageKey, JsonWithoutOneOfTheFiveHasNoKey) {
    netflow::FlowFeatures features(nftest::sharedClassifier(), netflow::LabelSpec{});
    netflow::FlowMessageKey keys(kNfColumns, features);
    std::string k;
    EXPECT_FALSE(keys.fromJson(R"({"IPV4_SRC_ADDR":"10.0.0.1","L4_SRC_PORT":1,)"
                               R"("IPV4_DST_ADDR":"10.0.0.2","L4_DST_PORT":2})",
                               k));
    EXPECT_FALSE(keys.fromJson(R"({"IPV4_SRC_ADDR":"10.0.0.1","L4_SRC_PORT":"1",)"
                               R"("IPV4_DST_ADDR":"10.0.0.2","L4_DST_PORT":2,"PROTOCOL":6})",
                               k));
    EXPECT_FALSE(keys.fromJson("not json", k));
    EXPECT_TRUE(keys.fromJson(R"({"PROTOCOL":6,"IPV4_SRC_ADDR":"10.0.0.2","L4_SRC_PORT":80,)"
                              R"("IPV4_DST_ADDR":"10.0.0.1","L4_DST_PORT":4000})",
                              k));
    EXPECT_EQ(k, "6,10.0.0.1,4000,10.0.0.2,80");
}

}  // namespace
