// The offline path end to end on a pcap file written from hand-built
// frames: times come from the capture (never the wall clock), so two
// conversions are byte-identical; packets whose IP header was not captured
// are not counted; rows come out in the order of docs/spec/FEATURES.md.
#include <gtest/gtest.h>

#include <pcap/pcap.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/FlowHarness.h"
#include "cli/Options.h"
#include "features/Columns.h"
#include "pipeline/OfflineRun.h"

namespace {

using nftest::kSec;
using nftest::kT0;
using nftest::PacketBuilder;

struct Stamped {
    nftest::Frame frame;
    uint64_t time_us;
};

void writePcap(const std::string &path, const std::vector<Stamped> &packets) {
    pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
    ASSERT_NE(dead, nullptr);
    pcap_dumper_t *dumper = pcap_dump_open(dead, path.c_str());
    ASSERT_NE(dumper, nullptr) << pcap_geterr(dead);
    for (const Stamped &p : packets) {
        pcap_pkthdr h = nftest::pcapHeader(p.frame, p.time_us);
        pcap_dump(reinterpret_cast<u_char *>(dumper), &h, p.frame.data());
    }
    pcap_dump_close(dumper);
    pcap_close(dead);
}

std::string readFile(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class OfflineRunTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string base = ::testing::TempDir() + "netflow_offline_" +
                           ::testing::UnitTest::GetInstance()->current_test_info()->name();
        pcap_ = base + ".pcap";
        csv_ = base + ".csv";
    }
    void TearDown() override {
        std::remove(pcap_.c_str());
        std::remove(csv_.c_str());
    }
    std::string convert(const std::string &fields) {
        netflow::Options o;
        o.files = {pcap_};
        o.output = csv_;
        std::string bad;
        o.columns = *netflow::parseFieldList(fields, &bad);
        EXPECT_EQ(netflow::runOffline(o), 0);
        return readFile(csv_);
    }
    std::string pcap_, csv_;
};

TEST_F(OfflineRunTest, TimesComeFromTheCaptureAndOutputIsReproducible) {
    // Client SYN at kT0 + 0.25 s, server SYN+ACK 1.5 ms later.
    writePcap(
        pcap_,
        {{PacketBuilder().Eth().IPv4("10.0.0.1", "10.0.0.2").TCP(40000, 80, nftest::kSyn).build(),
          kT0 + 250'000},
         {PacketBuilder()
              .Eth()
              .IPv4("10.0.0.2", "10.0.0.1")
              .TCP(80, 40000, nftest::kSyn | nftest::kAck)
              .build(),
          kT0 + 251'500}});
    const std::string fields =
        "Src IP,IN_PKTS,OUT_PKTS,FLOW_START_MILLISECONDS,"
        "FLOW_END_MILLISECONDS,FLOW_DURATION_MILLISECONDS";
    std::string first = convert(fields);
    // (kT0 + 250'000) / 1000 = 1'700'000'000'250; (kT0 + 251'500) / 1000 -> ...251
    EXPECT_EQ(first,
              "Src IP,IN_PKTS,OUT_PKTS,FLOW_START_MILLISECONDS,FLOW_END_MILLISECONDS,"
              "FLOW_DURATION_MILLISECONDS\r\n"
              "10.0.0.1,1,1,1700000000250,1700000000251,1\r\n");
    EXPECT_EQ(convert(fields), first);
}

TEST_F(OfflineRunTest, UncountedPacketsAndRowOrder) {
    writePcap(
        pcap_,
        {
            // Flow A, and a copy of it whose IP header is cut: not counted.
            {PacketBuilder().Eth().IPv4("10.0.0.1", "10.9.9.9").UDP(1, 2).build(), kT0},
            {PacketBuilder().Eth().IPv4("10.0.0.1", "10.9.9.9").UDP(1, 2).Snap(20).build(),
             kT0 + 1},
            // IPv6 and ARP: outside the default filter.
            {PacketBuilder().Eth().IPv6("2001:db8::1", "2001:db8::2").UDP(1, 2).build(), kT0 + 2},
            {PacketBuilder().Eth().EtherPayload(0x0806, std::vector<uint8_t>(28, 0)).build(),
             kT0 + 3},
            // Flow B at 10 s; at 40.5 s flow A (idle 40.5 s) goes out
            // before C is counted, B (idle 30.5 s) too: A, B, then C.
            {PacketBuilder().Eth().IPv4("10.0.0.2", "10.9.9.9").UDP(1, 2).build(), kT0 + 10 * kSec},
            {PacketBuilder().Eth().IPv4("10.0.0.3", "10.9.9.9").UDP(1, 2).build(),
             kT0 + 40 * kSec + 500'000},
        });
    EXPECT_EQ(convert("Src IP,IN_PKTS,IN_BYTES"),
              "Src IP,IN_PKTS,IN_BYTES\r\n"
              "10.0.0.1,1,28\r\n"
              "10.0.0.2,1,28\r\n"
              "10.0.0.3,1,28\r\n");
}

}  // namespace
