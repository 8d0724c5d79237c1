// A full ring buffer loses records, and the kernel says so: with a map of
// 4 entries and a ring of one page that nobody reads during the run, most
// map-full packets find no room. Every one of them is still accounted:
// records received + ring buffer failures == map-full packets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "CaptureReplay.h"
#include "KernelTestEnv.h"
#include "ProgramTestRun.h"
#include "kernel/BpfStats.h"
#include "kernel/EventRing.h"
#include "kernel/KernelError.h"

namespace nftest {
namespace {

class CountingHandler : public netflow::EventHandler {
  public:
    void onFlowEnded(const nf_rec_flow_ended &) override { ended++; }
    void onUnmappedPacket(const nf_rec_packet &) override { packets++; }
    uint64_t ended = 0, packets = 0;
};

TEST(RingFullTest, LostRecordsAreCounted) {
    NF_REQUIRE_ROOT();
    std::unique_ptr<netflow::CountingPrograms> programs;
    try {
        programs = loadTestPrograms(4, Filtering::Default, /*events_bytes=*/4096);
    } catch (const netflow::KernelError &e) {
        FAIL() << "loading the kernel programs as root: " << e.what();
    }
    ASSERT_EQ(runCaptureThroughXdp(*programs, std::string(NETFLOW_CORPUS_DIR) + "/pcap/1kxun.pcap"),
              "");

    CountingHandler handler;
    netflow::EventRing ring(programs->eventsMapFd(), handler);
    auto consumed = ring.consume();
    ASSERT_TRUE(consumed) << consumed.error();
    auto stats = netflow::BpfStats(programs->statsMapFd()).read();
    ASSERT_TRUE(stats) << stats.error();
    const __u64 *k = stats.value().counters;

    std::printf(
        "ring of 4096 bytes, unread: %llu map-full packets and %llu ended flows, %llu "
        "records received, %llu lost and counted\n",
        static_cast<unsigned long long>(k[NF_STAT_MAP_FULL]),
        static_cast<unsigned long long>(k[NF_STAT_FLOWS_ENDED]),
        static_cast<unsigned long long>(handler.packets + handler.ended),
        static_cast<unsigned long long>(k[NF_STAT_RINGBUF_FAILED]));
    EXPECT_GT(k[NF_STAT_RINGBUF_FAILED], 0u) << "the ring should have filled";
    EXPECT_EQ(handler.packets + handler.ended + k[NF_STAT_RINGBUF_FAILED],
              k[NF_STAT_MAP_FULL] + k[NF_STAT_FLOWS_ENDED]);
    EXPECT_EQ(ring.badRecords(), 0u);
}

}  // namespace
}  // namespace nftest
