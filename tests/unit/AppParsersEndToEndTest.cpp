// The DNS and FTP fields end to end (frames -> PacketDecoder -> FlowMeter ->
// FlowClassifier -> FlowFeatures), docs/spec/FEATURES.md: DNS_QUERY_ID/TYPE from the
// first message with a question, DNS_TTL_ANSWER from the first response with
// answers (first A record), over UDP or TCP port 53 (TCP: a 2-byte length
// prefix per segment); FTP_COMMAND_RET_CODE from the server's (source port
// 21) bytes joined in capture order, split at LF, last complete final reply.
// Application fields are 0 when not applicable.
#include <gtest/gtest.h>

#include <string>

#include "support/DnsMessage.h"
#include "support/FlowHarness.h"

namespace {

using nftest::DnsMessage;
using nftest::kAck;
using nftest::kPsh;
using nftest::kSyn;
using nftest::kT0;
using nftest::MeterHarness;
using nftest::PacketBuilder;

PacketBuilder udp(const char *src, uint16_t sport, const char *dst, uint16_t dport) {
    return PacketBuilder().Eth().IPv4(src, dst).UDP(sport, dport);
}
PacketBuilder tcp(const char *src, uint16_t sport, const char *dst, uint16_t dport, uint8_t flags) {
    return PacketBuilder().Eth().IPv4(src, dst).TCP(sport, dport, flags);
}

TEST(DnsEndToEnd, UdpQueryAndResponse) {
    MeterHarness h;
    h.feed(udp("10.0.0.1", 40000, "10.0.0.53", 53)
               .Payload(DnsMessage::query(0xBEEF, 28, "www.example.com")),
           kT0);
    // Answers: a CNAME (TTL 100), then an A (TTL 300): the first A decides.
    h.feed(udp("10.0.0.53", 53, "10.0.0.1", 40000)
               .Payload(DnsMessage::response(0xBEEF, 28, "www.example.com", {{5, 100}, {1, 300}})),
           kT0 + 2000);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("DNS_QUERY_ID"), "48879");  // 0xBEEF
    EXPECT_EQ(rows[0].at("DNS_QUERY_TYPE"), "28");
    EXPECT_EQ(rows[0].at("DNS_TTL_ANSWER"), "300");
    EXPECT_EQ(rows[0].at("FTP_COMMAND_RET_CODE"), "0");
}

TEST(DnsEndToEnd, TcpSegmentsWithLengthPrefix) {
    MeterHarness h;
    const char *c = "10.0.0.1", *s = "10.0.0.53";
    h.feed(tcp(c, 40001, s, 53, kSyn), kT0);
    h.feed(tcp(s, 53, c, 40001, kSyn | kAck), kT0 + 100);
    h.feed(tcp(c, 40001, s, 53, kAck), kT0 + 200);
    h.feed(tcp(c, 40001, s, 53, kAck | kPsh)
               .Payload(DnsMessage::overTcp(DnsMessage::query(0x1234, 1, "example.org"))),
           kT0 + 300);
    h.feed(tcp(s, 53, c, 40001, kAck | kPsh)
               .Payload(DnsMessage::overTcp(
                   DnsMessage::response(0x1234, 1, "example.org", {{1, 3600}}))),
           kT0 + 400);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("DNS_QUERY_ID"), "4660");  // 0x1234
    EXPECT_EQ(rows[0].at("DNS_QUERY_TYPE"), "1");
    EXPECT_EQ(rows[0].at("DNS_TTL_ANSWER"), "3600");
}

TEST(DnsEndToEnd, ResponseWithoutARecordGivesTtlZero) {
    MeterHarness h;
    h.feed(udp("10.0.0.1", 40000, "10.0.0.53", 53).Payload(DnsMessage::query(7, 28, "a.example")),
           kT0);
    // Only an AAAA answer; a later response's A record does not count.
    h.feed(udp("10.0.0.53", 53, "10.0.0.1", 40000)
               .Payload(DnsMessage::response(7, 28, "a.example", {{28, 60}})),
           kT0 + 1);
    h.feed(udp("10.0.0.53", 53, "10.0.0.1", 40000)
               .Payload(DnsMessage::response(7, 1, "a.example", {{1, 77}})),
           kT0 + 2);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("DNS_QUERY_ID"), "7");
    EXPECT_EQ(rows[0].at("DNS_QUERY_TYPE"), "28");
    EXPECT_EQ(rows[0].at("DNS_TTL_ANSWER"), "0");
}

TEST(DnsEndToEnd, OnlyPort53Flows) {
    MeterHarness h;
    // The same messages on port 5353: not a DNS flow for these fields.
    h.feed(udp("10.0.0.1", 40000, "10.0.0.53", 5353).Payload(DnsMessage::query(9, 1, "x.local")),
           kT0);
    h.feed(udp("10.0.0.53", 5353, "10.0.0.1", 40000)
               .Payload(DnsMessage::response(9, 1, "x.local", {{1, 120}})),
           kT0 + 1);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("DNS_QUERY_ID"), "0");
    EXPECT_EQ(rows[0].at("DNS_QUERY_TYPE"), "0");
    EXPECT_EQ(rows[0].at("DNS_TTL_ANSWER"), "0");
}

// FTP control connection: client 10.0.0.1:40002, server 10.0.0.21:21.
PacketBuilder ftpServer(const std::string &text) {
    return tcp("10.0.0.21", 21, "10.0.0.1", 40002, kAck | kPsh).Payload(text);
}
PacketBuilder ftpClient(const std::string &text) {
    return tcp("10.0.0.1", 40002, "10.0.0.21", 21, kAck | kPsh).Payload(text);
}

TEST(FtpEndToEnd, MultiLineRepliesSplitAcrossPackets) {
    MeterHarness h;
    uint64_t t = kT0;
    h.feed(tcp("10.0.0.1", 40002, "10.0.0.21", 21, kSyn), t += 100);
    h.feed(tcp("10.0.0.21", 21, "10.0.0.1", 40002, kSyn | kAck), t += 100);
    // "220-Welcome to\r\n220-the server\r\n220 Ready\r\n" in three packets,
    // the final line split inside its code ("22" | "0 Ready").
    h.feed(ftpServer("220-Welcome to\r\n220-the"), t += 100);
    h.feed(ftpServer(" server\r\n22"), t += 100);
    h.feed(ftpServer("0 Ready\r\n"), t += 100);
    // A client line that looks like a reply: not the server's, ignored.
    h.feed(ftpClient("999 not a reply\r\n"), t += 100);
    h.feed(ftpServer("331 Need password\r\n"), t += 100);
    h.feed(ftpClient("PASS x\r\n"), t += 100);
    // "230-Hi" is an opening line; "230 Logged in" never gets its LF.
    h.feed(ftpServer("230-Hi\r\n230 Lo"), t += 100);
    h.feed(ftpServer("gged in"), t += 100);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("FTP_COMMAND_RET_CODE"), "331");
    EXPECT_EQ(rows[0].at("DNS_QUERY_ID"), "0");
}

TEST(FtpEndToEnd, LastCompleteFinalReplyWins) {
    MeterHarness h;
    h.feed(ftpServer("220 hi\r\n"), kT0);
    h.feed(ftpServer("230-a\r\n 230 indented is not final\r\n230 ok\r\n"), kT0 + 1);
    h.feed(ftpServer("2500 four digits\r\n25 two\r\nabc\r\n"), kT0 + 2);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("FTP_COMMAND_RET_CODE"), "230");
}

TEST(FtpEndToEnd, OnlyTcpPort21) {
    MeterHarness h;
    h.feed(tcp("10.0.0.21", 2121, "10.0.0.1", 40002, kAck).Payload("220 hi\r\n"), kT0);
    h.feed(udp("10.0.0.21", 21, "10.0.0.1", 40002).Payload("220 hi\r\n"), kT0 + 1);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("FTP_COMMAND_RET_CODE"), "0");
    EXPECT_EQ(rows[1].at("FTP_COMMAND_RET_CODE"), "0");
}

TEST(FtpEndToEnd, EthernetPaddingIsNeverPayload) {
    MeterHarness h;
    // "220 " (ip_len 44, frame 58) padded with two LF bytes to 60: with the
    // padding as payload the line "220 " would be complete.
    h.feed(ftpServer("220 ").Pad(2, '\n'), kT0);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("FTP_COMMAND_RET_CODE"), "0");
}

TEST(FtpEndToEnd, DataOffsetBelowFiveStillFindsThePayload) {
    MeterHarness h;
    // Data offset 0 is taken as 5: the payload starts 20 bytes into TCP.
    h.feed(ftpServer("331 pw\r\n").DataOffset(0), kT0);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("FTP_COMMAND_RET_CODE"), "331");
}

TEST(FtpEndToEnd, OnlyCapturedBytesAreParsed) {
    MeterHarness h;
    // "220 a\r\n" + 1000 bytes, captured up to and including the LF:
    // 14 + 20 + 20 + 7 = 61 bytes. Then "421 bye\r\n" cut before its LF.
    h.feed(ftpServer("220 a\r\n" + std::string(1000, 'z')).Snap(61), kT0);
    h.feed(ftpServer("421 bye\r\n").Snap(14 + 20 + 20 + 8), kT0 + 1);
    const auto &rows = h.flush();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("FTP_COMMAND_RET_CODE"), "220");
    EXPECT_EQ(rows[0].at("IN_BYTES"), "1096");  // 20 + 20 + 1007 + (20 + 20 + 9)
}

}  // namespace
