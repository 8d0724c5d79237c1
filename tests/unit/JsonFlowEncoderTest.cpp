// JsonFlowEncoder: one flow as a JSON object whose keys are the selected
// headers in the selected order; numbers as JSON numbers formatted like the
// CSV, addresses, L7_PROTO and text as JSON strings, escaped (RFC 8259).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "delivery/JsonFlowEncoder.h"
#include "support/FlowHarness.h"

namespace {

using netflow::Column;
using netflow::SelectedColumn;
using nftest::kT0;
using nftest::PacketBuilder;

// Encodes each exported flow into one string.
class Collector : public netflow::FlowExporter {
  public:
    explicit Collector(netflow::JsonFlowEncoder &encoder) : encoder_(encoder) {}
    void exportFlow(const netflow::FlowRecord &flow) override {
        std::string out;
        encoder_.encode(flow, out);
        objects.push_back(out);
    }
    std::vector<std::string> objects;

  private:
    netflow::JsonFlowEncoder &encoder_;
};

nftest::Frame udp1476(const char *src = "10.0.0.1") {
    return PacketBuilder().Eth().IPv4(src, "10.0.0.2").UDP(1000, 2000).PayloadSize(1448).build();
}

std::vector<std::string> encode(const std::vector<SelectedColumn> &columns,
                                const netflow::LabelSpec &label,
                                const std::vector<nftest::Frame> &frames) {
    netflow::FlowFeatures features(nftest::sharedClassifier(), label);
    netflow::JsonFlowEncoder encoder(columns, features);
    Collector collector(encoder);
    netflow::FlowMeter meter(netflow::MeterConfig{}, nftest::sharedClassifier(), collector);
    uint64_t t = kT0;
    for (const auto &f : frames) {
        nftest::Decoded d = nftest::decode(f);
        EXPECT_EQ(d.outcome, netflow::PacketDecoder::Outcome::Packet);
        meter.count(d.pkt, d.l3, t += 1000);
    }
    meter.flushAll();
    return collector.objects;
}

std::string jsonString(std::string_view text) {
    std::string out;
    netflow::appendJsonString(out, text);
    return out;
}

TEST(JsonFlowEncoder, NumbersAreNumbersAndTextIsStringsInSelectedOrder) {
    std::vector<SelectedColumn> cols = {
        {Column::IN_BYTES, "IN_BYTES"},
        {Column::IPV4_SRC_ADDR, "IPV4_SRC_ADDR"},
        {Column::L7_PROTO, "L7_PROTO"},
        {Column::PROTOCOL, "PROTOCOL"},
        {Column::SRC_TO_DST_SECOND_BYTES, "SRC_TO_DST_SECOND_BYTES"},
        {Column::Label, "Label"},
        {Column::Attack, "Attack"}};
    EXPECT_EQ(
        encode(cols, netflow::LabelSpec{}, {udp1476()}),
        std::vector<std::string>{
            R"({"IN_BYTES":1476,"IPV4_SRC_ADDR":"10.0.0.1","L7_PROTO":"0.0",)"
            R"("PROTOCOL":17,"SRC_TO_DST_SECOND_BYTES":1476.0,"Label":0,"Attack":"Benign"})"});
}

TEST(JsonFlowEncoder, KeysAreTheHeadersAsGivenInTheirOrder) {
    std::vector<SelectedColumn> cols = {{Column::PROTOCOL, "Protocol"},
                                        {Column::IPV4_DST_ADDR, "Dst IP"},
                                        {Column::IPV4_SRC_ADDR, "Src IP"}};
    EXPECT_EQ(
        encode(cols, netflow::LabelSpec{}, {udp1476()}),
        std::vector<std::string>{R"({"Protocol":17,"Dst IP":"10.0.0.2","Src IP":"10.0.0.1"})"});
}

TEST(JsonFlowEncoder, OneObjectPerFlowInExportOrder) {
    std::vector<SelectedColumn> cols = {{Column::IPV4_SRC_ADDR, "s"}};
    EXPECT_EQ(encode(cols, netflow::LabelSpec{}, {udp1476("10.0.0.7"), udp1476("10.0.0.3")}),
              (std::vector<std::string>{R"({"s":"10.0.0.7"})", R"({"s":"10.0.0.3"})"}));
}

TEST(JsonFlowEncoder, NoColumnsIsAnEmptyObject) {
    EXPECT_EQ(encode({}, netflow::LabelSpec{}, {udp1476()}), std::vector<std::string>{"{}"});
}

TEST(JsonFlowEncoder, TextAndKeysAreEscaped) {
    std::vector<SelectedColumn> cols = {{Column::Attack, "At\"tack\\"}};
    netflow::LabelSpec label{true, "slow, \"loris\"\nv2\t\\"};
    EXPECT_EQ(encode(cols, label, {udp1476()}),
              std::vector<std::string>{R"({"At\"tack\\":"slow, \"loris\"\nv2\t\\"})"});
}

TEST(JsonString, ControlCharactersAreEscaped) {
    EXPECT_EQ(jsonString(std::string("a\x01"
                                     "b\x1f\x7f\b\f\r",
                                     8)),
              R"("a\u0001b\u001f\u007f\b\f\r")");
    EXPECT_EQ(jsonString(std::string("nul\0x", 5)), R"("nul\u0000x")");
}

TEST(JsonString, ValidUtf8IsKeptInvalidBytesBecomeReplacementCharacters) {
    EXPECT_EQ(jsonString("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
              "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
    // A lone continuation byte, a cut sequence, an overlong form, a
    // surrogate, and a code point above U+10FFFF: one U+FFFD per byte.
    const std::string fffd = "\xEF\xBF\xBD";
    EXPECT_EQ(jsonString("\x80"), "\"" + fffd + "\"");
    EXPECT_EQ(jsonString("a\xC3"), "\"a" + fffd + "\"");
    EXPECT_EQ(jsonString("\xC0\xAF"), "\"" + fffd + fffd + "\"");
    EXPECT_EQ(jsonString("\xED\xA0\x80"), "\"" + fffd + fffd + fffd + "\"");
    EXPECT_EQ(jsonString("\xF4\x90\x80\x80"), "\"" + fffd + fffd + fffd + fffd + "\"");
}

TEST(JsonString, EmptyAndPlain) {
    EXPECT_EQ(jsonString(""), "\"\"");
    EXPECT_EQ(jsonString("TLS.Google"), "\"TLS.Google\"");
}

}  // namespace
