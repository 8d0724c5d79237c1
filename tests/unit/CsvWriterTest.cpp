// CsvWriter (docs/spec/CLI.md, docs/spec/FEATURES.md): RFC 4180 CSV with a header row of the
// names as given, CRLF line ends, and fields quoted only when they hold a
// comma, a quote, CR or LF (quotes doubled inside).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "support/FlowHarness.h"
#include "output/CsvWriter.h"

namespace {

using netflow::Column;
using netflow::SelectedColumn;
using nftest::kT0;
using nftest::PacketBuilder;

class CsvWriterTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = ::testing::TempDir() + "netflow_csv_" + info->name() + ".csv";
    }
    void TearDown() override { std::remove(path_.c_str()); }

    // Writes one flow per frame (each its own conversation) with these
    // columns and label, and returns the file's bytes.
    std::string write(const std::vector<SelectedColumn> &columns, const netflow::LabelSpec &label,
                      const std::vector<nftest::Frame> &frames) {
        netflow::FlowFeatures features(nftest::sharedClassifier(), label);
        netflow::CsvWriter writer(path_, columns, features);
        netflow::FlowMeter meter(netflow::MeterConfig{}, nftest::sharedClassifier(), writer);
        uint64_t t = kT0;
        for (const auto &f : frames) {
            nftest::Decoded d = nftest::decode(f);
            EXPECT_EQ(d.outcome, netflow::PacketDecoder::Outcome::Packet);
            meter.count(d.pkt, d.l3, t += 1000);
        }
        meter.flushAll();
        EXPECT_EQ(writer.rowsWritten(), frames.size());
        EXPECT_EQ(writer.finish().error(), "");
        std::ifstream in(path_, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }

    std::string path_;
};

nftest::Frame udp1476() {
    // 20 + 8 + 1448 = 1476 bytes.
    return PacketBuilder()
        .Eth()
        .IPv4("10.0.0.1", "10.0.0.2")
        .UDP(1000, 2000)
        .PayloadSize(1448)
        .build();
}

TEST_F(CsvWriterTest, PlainFieldsAreNotQuotedAndLinesEndInCrlf) {
    std::vector<SelectedColumn> cols = {
        {Column::IPV4_SRC_ADDR, "IPV4_SRC_ADDR"},
        {Column::PROTOCOL, "PROTOCOL"},
        {Column::IN_BYTES, "IN_BYTES"},
        {Column::SRC_TO_DST_SECOND_BYTES, "SRC_TO_DST_SECOND_BYTES"},
        {Column::Label, "Label"},
        {Column::Attack, "Attack"}};
    EXPECT_EQ(write(cols, netflow::LabelSpec{}, {udp1476()}),
              "IPV4_SRC_ADDR,PROTOCOL,IN_BYTES,SRC_TO_DST_SECOND_BYTES,Label,Attack\r\n"
              "10.0.0.1,17,1476,1476.0,0,Benign\r\n");
}

TEST_F(CsvWriterTest, CommaQuoteAndLineBreaksAreQuoted) {
    std::vector<SelectedColumn> cols = {{Column::IPV4_SRC_ADDR, "Src IP"},
                                        {Column::Attack, "Att\"ack"},
                                        {Column::IN_BYTES, "bytes, in"},
                                        {Column::Label, "Label"}};
    netflow::LabelSpec label{true, "slow, \"loris\"\nv2"};
    EXPECT_EQ(write(cols, label, {udp1476()}),
              "Src IP,\"Att\"\"ack\",\"bytes, in\",Label\r\n"
              "10.0.0.1,\"slow, \"\"loris\"\"\nv2\",1476,1\r\n");
}

TEST_F(CsvWriterTest, CarriageReturnAloneIsQuoted) {
    std::vector<SelectedColumn> cols = {{Column::Attack, "Attack"}};
    EXPECT_EQ(write(cols, netflow::LabelSpec{true, "a\rb"}, {udp1476()}), "Attack\r\n\"a\rb\"\r\n");
}

TEST_F(CsvWriterTest, Ipv6AddressesNeedNoQuoting) {
    std::vector<SelectedColumn> cols = {{Column::IPV4_SRC_ADDR, "IPV4_SRC_ADDR"},
                                        {Column::L4_SRC_PORT, "L4_SRC_PORT"}};
    // IPv4 frames only pass the default filter; an IPv6 flow comes through a
    // parsed packet counted directly.
    netflow::FlowFeatures features(nftest::sharedClassifier(), netflow::LabelSpec{});
    {
        netflow::CsvWriter writer(path_, cols, features);
        netflow::FlowMeter meter(netflow::MeterConfig{}, nftest::sharedClassifier(), writer);
        netflow::BpfFilter all(DLT_EN10MB, 65535, "");
        nftest::Frame f =
            PacketBuilder().Eth().IPv6("2001:db8::1", "2001:db8::2").UDP(5353, 5353).build();
        nftest::Decoded d = nftest::decode(f, &all);
        meter.count(d.pkt, d.l3, kT0);
        meter.flushAll();
        EXPECT_EQ(writer.finish().error(), "");
    }
    std::ifstream in(path_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str(), "IPV4_SRC_ADDR,L4_SRC_PORT\r\n2001:db8::1,5353\r\n");
}

TEST_F(CsvWriterTest, RowsInExportOrder) {
    std::vector<SelectedColumn> cols = {{Column::IPV4_DST_ADDR, "d"}};
    std::vector<nftest::Frame> frames;
    for (const char *dst : {"10.0.0.9", "10.0.0.3", "10.0.0.5"})
        frames.push_back(PacketBuilder().Eth().IPv4("10.0.0.1", dst).UDP(1, 2).build());
    EXPECT_EQ(write(cols, netflow::LabelSpec{}, frames),
              "d\r\n10.0.0.9\r\n10.0.0.3\r\n10.0.0.5\r\n");
}

TEST(CsvWriterErrors, UncreatableFileThrows) {
    netflow::FlowFeatures features(nftest::sharedClassifier(), netflow::LabelSpec{});
    EXPECT_THROW(netflow::CsvWriter("/nonexistent-netflow-dir/out.csv",
                                    {{Column::IN_BYTES, "IN_BYTES"}}, features),
                 std::runtime_error);
}

}  // namespace
