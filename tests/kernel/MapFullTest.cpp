// When the flow map is full, no packet is lost: a packet whose flow finds
// no room goes to userspace on the ring buffer, parsed, and is counted
// there. With 4 entries and captures of many more flows, the packets
// counted in the map plus the map-full packets are exactly the packets that
// passed the filter, and per flow key the totals equal the offline path's.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <utility>

#include "CaptureReplay.h"
#include "FlowCompare.h"
#include "KernelTestEnv.h"
#include "flow_key.h"
#include "kernel/KernelError.h"

namespace nftest {
namespace {

constexpr uint32_t kTinyMap = 4;

using Totals = std::map<std::string, std::pair<uint64_t, uint64_t>>;  // key -> (pkts, bytes)

std::string keyBytes(const nf_flow_key &key) {
    return std::string(reinterpret_cast<const char *>(&key), sizeof(key));
}

void addFlows(Totals &t, const std::vector<netflow::KernelFlow> &flows) {
    for (const auto &f : flows) {
        auto &[pkts, bytes] = t[keyBytes(f.key)];
        for (const nf_dir_state &d : f.state.dir) {
            pkts += d.pkts;
            bytes += d.bytes;
        }
    }
}

uint64_t packetsIn(const std::vector<netflow::KernelFlow> &flows) {
    uint64_t n = 0;
    for (const auto &f : flows)
        n += f.state.dir[NF_DIR_IN].pkts + f.state.dir[NF_DIR_OUT].pkts;
    return n;
}

class MapFullTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (geteuid() != 0)
            return;
        try {
            programs_ = loadTestPrograms(kTinyMap, Filtering::Default).release();
        } catch (const netflow::KernelError &e) {
            load_error_ = e.what();
        }
    }
    static void TearDownTestSuite() {
        delete programs_;
        programs_ = nullptr;
    }
    void SetUp() override {
        NF_REQUIRE_ROOT();
        ASSERT_NE(programs_, nullptr) << "loading the kernel programs as root: " << load_error_;
    }

    void expectNothingLost(const std::string &capture, size_t min_flows) {
        CaptureReplay replay(*programs_, sharedClassifier());
        ReplayResult r = replay.run(capture, Hook::Xdp);
        ASSERT_TRUE(r.error.empty()) << capture << ": " << r.error;
        ASSERT_GE(r.user_flows.size(), min_flows) << capture << ": too few flows to fill the map";

        const uint64_t in_map = packetsIn(r.kernel_flows);
        const uint64_t passed = r.user_counters.counted;
        std::printf(
            "map of %u entries, %s: %llu packets passed the filter = %llu counted in the "
            "map + %zu map-full packets on the ring buffer (%zu flows offline)\n",
            kTinyMap, capture.c_str(), static_cast<unsigned long long>(passed),
            static_cast<unsigned long long>(in_map), r.unmapped.size(), r.user_flows.size());
        EXPECT_EQ(in_map + r.unmapped.size(), passed) << capture;
        EXPECT_GT(r.unmapped.size(), 0u) << capture << ": the map never filled";
        const __u64 *k = r.kernel_stats.counters;
        EXPECT_EQ(k[NF_STAT_MAP_FULL], r.unmapped.size()) << capture;
        EXPECT_EQ(k[NF_STAT_COUNTED], in_map) << capture;
        EXPECT_EQ(k[NF_STAT_COUNTED] + k[NF_STAT_MAP_FULL], passed) << capture;
        EXPECT_EQ(k[NF_STAT_RINGBUF_FAILED], 0u) << capture;
        EXPECT_EQ(r.bad_records, 0u) << capture;

        // Folded in by key, the map-full packets complete the flows: per
        // key, packets and bytes equal the offline path's.
        Totals kernel, user;
        addFlows(kernel, r.kernel_flows);
        for (const nf_rec_packet &rec : r.unmapped) {
            nf_flow_key key;
            nf_flow_key_from_packet(&rec.pkt, &key);
            auto &[pkts, bytes] = kernel[keyBytes(key)];
            pkts += 1;
            bytes += rec.pkt.ip_len;
        }
        addFlows(user, r.user_flows);
        for (const auto &[key, totals] : user) {
            nf_flow_key k_;
            std::memcpy(&k_, key.data(), sizeof(k_));
            auto it = kernel.find(key);
            auto got = it == kernel.end() ? std::pair<uint64_t, uint64_t>{} : it->second;
            EXPECT_EQ(got, totals) << capture << ": " << formatKey(k_)
                                   << ": (packets, bytes) kernel + map-full vs offline";
        }
        EXPECT_EQ(kernel.size(), user.size()) << capture << ": flow keys";
    }

    static netflow::CountingPrograms *programs_;
    static std::string load_error_;
};

netflow::CountingPrograms *MapFullTest::programs_ = nullptr;
std::string MapFullTest::load_error_;

// Four entries in four hash buckets: batches of one hit buckets with two.
TEST_F(MapFullTest, FullMapReadsTheSameInBatchesOfOne) {
    CaptureReplay replay(*programs_, sharedClassifier());
    ReplayResult r = replay.run(std::string(NETFLOW_TEST_DATA) + "/golden/dns.pcap", Hook::Xdp,
                                CaptureReplay::AtEnd::KeepMap);
    ASSERT_TRUE(r.error.empty()) << r.error;
    std::vector<netflow::KernelFlow> by_key, in_ones;
    ASSERT_TRUE(netflow::FlowMapReader(programs_->flowMapFd(), false).readAll(by_key));
    EXPECT_EQ(by_key.size(), kTinyMap);
    ASSERT_TRUE(netflow::FlowMapReader(programs_->flowMapFd(), true, 1).drain(in_ones));
    for (const std::string &line : compareFlows(by_key, in_ones))
        ADD_FAILURE() << line;
}

TEST_F(MapFullTest, GoldenDnsCapture) {
    expectNothingLost(std::string(NETFLOW_TEST_DATA) + "/golden/dns.pcap", kTinyMap + 1);
}

TEST_F(MapFullTest, CorpusCaptureWithManyFlows) {
    expectNothingLost(std::string(NETFLOW_CORPUS_DIR) + "/pcap/1kxun.pcap", 100);
}

}  // namespace
}  // namespace nftest
