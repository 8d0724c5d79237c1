// docs/spec/FEATURES.md "DPI budget" (bpf/payload_budget.h): nDPI sees the first
// --dpi-packets packets of the flow with L4 payload, both directions
// together, until it is done; the DNS/FTP parsers have their own budget,
// --app-packets payload packets of flows on port 53 / 21, independent of
// nDPI's.
#include <gtest/gtest.h>

#include <cstring>

#include "support/DnsMessage.h"
#include "support/FlowHarness.h"
#include "payload_budget.h"

namespace {

using nftest::DnsMessage;
using nftest::kT0;
using nftest::MeterHarness;
using nftest::PacketBuilder;

nf_flow_key keyOf(uint8_t proto, uint16_t port_lo, uint16_t port_hi) {
    nf_flow_key k;
    std::memset(&k, 0, sizeof(k));
    k.proto = proto;
    k.port_lo = port_lo;
    k.port_hi = port_hi;
    k.ip_version = 4;
    return k;
}

int wanted(uint32_t payload_pkts, bool dpi_done, const nf_flow_key &key, nf_payload_budget budget) {
    nf_flow_state st;
    std::memset(&st, 0, sizeof(st));
    st.payload_pkts = payload_pkts;
    st.dpi_done = dpi_done ? 1 : 0;
    return nf_payload_wanted(&st, &key, &budget);
}

TEST(PayloadWanted, DpiForTheFirstNPayloadPackets) {
    const nf_flow_key web = keyOf(NF_IPPROTO_TCP, 443, 50000);
    const nf_payload_budget budget{3, 5};
    EXPECT_EQ(wanted(1, false, web, budget), NF_WANT_DPI);
    EXPECT_EQ(wanted(3, false, web, budget), NF_WANT_DPI);  // the 3rd is the last
    EXPECT_EQ(wanted(4, false, web, budget), 0);
    EXPECT_EQ(wanted(1, true, web, budget), 0);  // nDPI said it is done
    EXPECT_EQ(wanted(1, false, web, nf_payload_budget{0, 5}), 0);
}

TEST(PayloadWanted, AppParsersOnlyOnPort53Or21Flows) {
    const nf_payload_budget budget{3, 5};
    // DNS over UDP and TCP, port 53 on either side of the key.
    EXPECT_EQ(wanted(4, false, keyOf(NF_IPPROTO_UDP, 53, 40000), budget), NF_WANT_APP);
    EXPECT_EQ(wanted(4, false, keyOf(NF_IPPROTO_UDP, 1024, 53), budget), NF_WANT_APP);
    EXPECT_EQ(wanted(4, false, keyOf(NF_IPPROTO_TCP, 53, 40000), budget), NF_WANT_APP);
    // FTP: TCP only.
    EXPECT_EQ(wanted(4, false, keyOf(NF_IPPROTO_TCP, 21, 40000), budget), NF_WANT_APP);
    EXPECT_EQ(wanted(4, false, keyOf(NF_IPPROTO_UDP, 21, 40000), budget), 0);
    // Other ports, and other protocols with "ports" 0/0.
    EXPECT_EQ(wanted(4, false, keyOf(NF_IPPROTO_TCP, 80, 40000), budget), 0);
    EXPECT_EQ(wanted(4, false, keyOf(NF_IPPROTO_ICMP, 0, 0), budget), 0);
}

TEST(PayloadWanted, AppBudgetIsIndependentOfDpi) {
    const nf_flow_key dns = keyOf(NF_IPPROTO_UDP, 53, 40000);
    const nf_payload_budget budget{3, 5};
    EXPECT_EQ(wanted(1, false, dns, budget), NF_WANT_DPI | NF_WANT_APP);
    EXPECT_EQ(wanted(2, true, dns, budget), NF_WANT_APP);  // nDPI done, parsers go on
    EXPECT_EQ(wanted(5, false, dns, budget), NF_WANT_APP);
    EXPECT_EQ(wanted(6, false, dns, budget), 0);
}

PacketBuilder dnsClient() {
    return PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.53").UDP(40000, 53);
}
PacketBuilder dnsServer() {
    return PacketBuilder().Eth().IPv4("10.0.0.53", "10.0.0.1").UDP(53, 40000);
}

// Three payload packets (both directions), the question only in the third.
std::string queryIdWithAppBudget(uint32_t app_packets) {
    netflow::MeterConfig config;
    config.budget.app_packets = app_packets;
    MeterHarness h(config);
    h.feed(dnsClient().Payload(DnsMessage::headerOnly(1)), kT0);
    h.feed(dnsServer().Payload(DnsMessage::headerOnly(2)), kT0 + 1);
    h.feed(dnsClient().Payload(DnsMessage::query(0x4242, 1, "late.example")), kT0 + 2);
    return h.flush().at(0).at("DNS_QUERY_ID");
}

TEST(AppBudget, ParsersSeeOnlyTheFirstNPayloadPacketsOfBothDirections) {
    EXPECT_EQ(queryIdWithAppBudget(2), "0");
    EXPECT_EQ(queryIdWithAppBudget(3), "16962");  // 0x4242
}

TEST(AppBudget, PacketsWithoutPayloadDoNotUseTheBudget) {
    netflow::MeterConfig config;
    config.budget.app_packets = 1;
    MeterHarness h(config);
    h.feed(dnsClient(), kT0);      // empty UDP payload
    h.feed(dnsServer(), kT0 + 1);  // empty
    h.feed(dnsClient().Payload(DnsMessage::query(0x0102, 15, "mx.example")), kT0 + 2);
    const auto &r = h.flush().at(0);
    EXPECT_EQ(r.at("DNS_QUERY_ID"), "258");  // 0x0102
    EXPECT_EQ(r.at("DNS_QUERY_TYPE"), "15");
}

TEST(AppBudget, IndependentOfTheDpiBudget) {
    netflow::MeterConfig config;
    config.budget.dpi_packets = 1;  // nDPI sees the query only
    MeterHarness h(config);
    h.feed(dnsClient().Payload(DnsMessage::query(0x0A0B, 1, "b.example")), kT0);
    h.feed(dnsServer().Payload(DnsMessage::response(0x0A0B, 1, "b.example", {{1, 42}})), kT0 + 1);
    const auto &r = h.flush().at(0);
    EXPECT_EQ(r.at("DNS_QUERY_ID"), "2571");  // 0x0A0B
    EXPECT_EQ(r.at("DNS_TTL_ANSWER"), "42");
}

TEST(AppBudget, FtpRepliesBeyondTheBudgetAreNotSeen) {
    netflow::MeterConfig config;
    config.budget.app_packets = 2;
    MeterHarness h(config);
    auto server = [](const char *text) {
        return PacketBuilder()
            .Eth()
            .IPv4("10.0.0.21", "10.0.0.1")
            .TCP(21, 40002, nftest::kAck | nftest::kPsh)
            .Payload(text);
    };
    h.feed(server("220 hi\r\n"), kT0);
    h.feed(server("331 pw\r\n"), kT0 + 1);
    h.feed(server("230 ok\r\n"), kT0 + 2);  // third payload packet: beyond 2
    EXPECT_EQ(h.flush().at(0).at("FTP_COMMAND_RET_CODE"), "331");
}

}  // namespace
