// nDPI through the flow engine (docs/spec/FEATURES.md "DPI budget", L7_PROTO and the
// SERVER_NAME extra): nDPI sees the first --dpi-packets packets that carry
// L4 payload, both directions together. An HTTP request is classified HTTP
// (`7.0`, docs/spec/FEATURES.md's own example) on any port; its Host (SERVER_NAME)
// is known to nDPI only if the packet holding it is within the budget.
#include <gtest/gtest.h>

#include <string>

#include "support/FlowHarness.h"

namespace {

using nftest::kAck;
using nftest::kPsh;
using nftest::kSyn;
using nftest::kT0;
using nftest::MeterHarness;
using nftest::PacketBuilder;
using nftest::Row;

// 40123 is no port nDPI guesses from.
PacketBuilder client(uint8_t flags) {
    return PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.80").TCP(50000, 40123, flags);
}
PacketBuilder server(uint8_t flags) {
    return PacketBuilder().Eth().IPv4("10.0.0.80", "10.0.0.1").TCP(40123, 50000, flags);
}

const std::string kRequestLine = "GET /index.html HTTP/1.1\r\n";
const std::string kHeaders = "Host: www.example.invalid\r\nAccept: */*\r\n\r\n";

// Handshake (no payload), then the request in one segment, or split into
// its request line and its headers with `server_payload_between` server
// payload packets in between.
Row httpFlow(uint32_t dpi_packets, bool split, int server_payload_between = 0) {
    netflow::MeterConfig config;
    config.budget.dpi_packets = dpi_packets;
    MeterHarness h(config);
    uint64_t t = kT0;
    uint32_t cseq = 1000, sseq = 5001;
    h.feed(client(kSyn).Seq(cseq - 1), t += 100);
    h.feed(server(kSyn | kAck).Seq(sseq - 1).AckNum(cseq), t += 100);
    h.feed(client(kAck).Seq(cseq).AckNum(sseq), t += 100);
    if (!split) {
        h.feed(client(kAck | kPsh).Seq(cseq).AckNum(sseq).Payload(kRequestLine + kHeaders),
               t += 100);
    } else {
        h.feed(client(kAck | kPsh).Seq(cseq).AckNum(sseq).Payload(kRequestLine), t += 100);
        cseq += static_cast<uint32_t>(kRequestLine.size());
        for (int i = 0; i < server_payload_between; i++) {
            h.feed(server(kAck | kPsh).Seq(sseq).AckNum(cseq).Payload("x"), t += 100);
            sseq += 1;
        }
        h.feed(client(kAck | kPsh).Seq(cseq).AckNum(sseq).Payload(kHeaders), t += 100);
    }
    const auto &rows = h.flush();
    EXPECT_EQ(rows.size(), 1u);
    return rows.empty() ? Row{} : rows[0];
}

TEST(DpiEndToEnd, HttpRequestIsHttp) {
    Row r = httpFlow(32, false);
    EXPECT_EQ(r.at("L7_PROTO"), "7.0");
    EXPECT_EQ(r.at("L7_PROTO_NAME"), "HTTP");
    EXPECT_EQ(r.at("SERVER_NAME"), "www.example.invalid");
}

TEST(DpiEndToEnd, PacketsWithoutPayloadDoNotUseTheBudget) {
    // The three handshake packets carry no payload: a budget of 1 reaches
    // the request.
    Row r = httpFlow(1, false);
    EXPECT_EQ(r.at("L7_PROTO"), "7.0");
    EXPECT_EQ(r.at("SERVER_NAME"), "www.example.invalid");
}

TEST(DpiEndToEnd, BudgetEndsBeforeTheHostHeader) {
    // Budget 1: the request line only. HTTP, but no Host seen.
    Row r = httpFlow(1, true);
    EXPECT_EQ(r.at("L7_PROTO"), "7.0");
    EXPECT_EQ(r.at("SERVER_NAME"), "");
    // Budget 2: the headers packet too.
    EXPECT_EQ(httpFlow(2, true).at("SERVER_NAME"), "www.example.invalid");
}

TEST(DpiEndToEnd, BudgetCountsBothDirections) {
    // Request line, two 1-byte server payload packets, then the headers:
    // the headers are payload packet 4.
    EXPECT_EQ(httpFlow(3, true, 2).at("SERVER_NAME"), "");
    EXPECT_EQ(httpFlow(4, true, 2).at("SERVER_NAME"), "www.example.invalid");
}

TEST(DpiEndToEnd, ZeroBudgetMeansNoDpi) {
    Row r = httpFlow(0, false);
    EXPECT_EQ(r.at("L7_PROTO"), "0.0");
    EXPECT_EQ(r.at("SERVER_NAME"), "");
}

}  // namespace
