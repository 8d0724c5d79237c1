// The flow entry's lock is the programs' own word (bpf/netflow_lock.h), not
// the verifier-checked bpf_spin_lock, so it is tested here:
// - Two CPUs counting the same flow at the same time lose no packet: every
//   counter the lock guards (nf_flow_count's plain read-modify-writes) adds
//   up to the packets run. Without a working lock the two CPUs' increments
//   of the same words overwrite each other.
// - Userspace removes a live flow through nf_xdp_take (FlowTaker), which
//   takes that lock: not expired -> left, with the core's deadline;
//   expired -> taken whole and deleted; then gone.
#include <gtest/gtest.h>
#include <sched.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "BpfHelpers.h"
#include "KernelTestEnv.h"
#include "flow_count.h"
#include "flow_key.h"
#include "kernel/BpfStats.h"
#include "kernel/FlowTaker.h"
#include "support/PacketBuilder.h"

namespace nftest {
namespace {

constexpr uint64_t kT0 = 1'000'000'000;

// The canonical key of a frame built by PacketBuilder (Ethernet, IPv4, UDP).
nf_flow_key keyOfUdp(const std::vector<uint8_t> &frame) {
    nf_packet pkt{};
    std::memset(&pkt, 0, sizeof(pkt));
    const uint8_t *l3 = frame.data() + 14;
    std::memcpy(pkt.saddr, l3 + 12, 4);
    std::memcpy(pkt.daddr, l3 + 16, 4);
    pkt.sport = static_cast<uint16_t>(l3[20] << 8 | l3[21]);
    pkt.dport = static_cast<uint16_t>(l3[22] << 8 | l3[23]);
    pkt.proto = l3[9];
    pkt.ip_version = 4;
    pkt.has_l4 = 1;
    nf_flow_key key{};
    std::memset(&key, 0, sizeof(key));
    nf_flow_key_from_packet(&pkt, &key);
    return key;
}

uint64_t packets(const nf_flow_state &st) {
    return uint64_t{st.dir[NF_DIR_IN].pkts} + st.dir[NF_DIR_OUT].pkts;
}

class EntryLockTest : public ::testing::Test {
  protected:
    void SetUp() override {
        NF_REQUIRE_ROOT();
        std::string error;
        programs_ = sharedPrograms(Filtering::Default, &error);
        ASSERT_NE(programs_, nullptr) << "loading the kernel programs as root: " << error;
        programs_->setTestClock(kT0);
    }
    netflow::CountingPrograms *programs_ = nullptr;
};

TEST_F(EntryLockTest, TwoCpusCountingOneFlowLoseNoPacket) {
    const unsigned cpus = std::thread::hardware_concurrency();
    if (cpus < 2)
        GTEST_SKIP() << "one CPU: nothing runs at the same time";
    // No payload: nothing for the payload ring, only the counters.
    const std::vector<uint8_t> frame =
        PacketBuilder().Eth().IPv4("10.77.0.1", "10.77.0.2").UDP(5353, 6000).build().bytes;
    const nf_flow_key key = keyOfUdp(frame);
    const netflow::BpfStats stats(programs_->statsMapFd());
    auto before = stats.read();
    ASSERT_TRUE(before) << before.error();

    // Each thread on its own CPU, each run of the kernel's loop thousands of
    // packets long: the two loops overlap for most of their time.
    constexpr uint32_t kRepeat = 20000;
    constexpr int kRunsPerThread = 10;
    std::atomic<int> ready{0};
    std::atomic<int> failures{0};
    auto worker = [&](int cpu) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        sched_setaffinity(0, sizeof(set), &set);
        ready++;
        while (ready.load() < 2) {
        }
        for (int i = 0; i < kRunsPerThread; i++)
            if (testRunRepeat(programs_->xdpProgramFd(), frame.data(), frame.size(), kRepeat) != 0)
                failures++;
    };
    std::thread a(worker, 0), b(worker, 1);
    a.join();
    b.join();
    ASSERT_EQ(failures.load(), 0);

    const uint64_t runs = 2ull * kRunsPerThread * kRepeat;
    nf_flow_entry entry{};
    ASSERT_EQ(lookupValue(programs_->flowMapFd(), &key, &entry), 0);
    auto after = stats.read();
    ASSERT_TRUE(after) << after.error();
    const uint64_t busy =
        after.value().counters[NF_STAT_LOCK_BUSY] - before.value().counters[NF_STAT_LOCK_BUSY];
    // A holder keeps the lock for nanoseconds, but on a virtual machine the
    // host may stop its vCPU while it holds it, for longer than a waiter's
    // bound (a few ms): that waiter gives up and counts the packet as
    // lock-busy (2 of 400,000 once in CI here). Rare, and accounted below;
    // a lock that stayed held or was never free would give up on most.
    EXPECT_LE(busy, runs / 10000) << "a holder keeps the lock for nanoseconds";
    EXPECT_EQ(entry.lock, 0u) << "released";
    const nf_flow_state &st = entry.st;
    EXPECT_EQ(packets(st) + busy, runs);
    const uint32_t ip_len = static_cast<uint32_t>(frame.size() - 14);
    EXPECT_EQ(st.dir[NF_DIR_IN].bytes + st.dir[NF_DIR_OUT].bytes, packets(st) * ip_len);
    uint64_t bucketed = 0;
    for (uint32_t n : st.len_buckets)
        bucketed += n;
    EXPECT_EQ(bucketed, packets(st));

    std::string error = clearHashMap(programs_->flowMapFd(), sizeof(nf_flow_key));
    EXPECT_TRUE(error.empty()) << error;
}

TEST_F(EntryLockTest, UserspaceTakesALiveFlowOnlyOnceExpired) {
    const std::vector<uint8_t> frame =
        PacketBuilder().Eth().IPv4("10.78.0.1", "10.78.0.2").UDP(5353, 6001).build().bytes;
    const nf_flow_key key = keyOfUdp(frame);
    ASSERT_EQ(testRunRepeat(programs_->xdpProgramFd(), frame.data(), frame.size(), 3), 0);
    nf_flow_entry entry{};
    ASSERT_EQ(lookupValue(programs_->flowMapFd(), &key, &entry), 0);
    ASSERT_EQ(packets(entry.st), 3u);

    const nf_timeouts timeouts = programs_->config().timeouts;
    const uint64_t deadline = nf_flow_deadline_us(&entry.st, &timeouts);
    netflow::FlowTaker taker(programs_->takeProgramFd());

    auto later = taker.take(key, deadline, false);
    ASSERT_TRUE(later) << later.error();
    EXPECT_EQ(later.value().result, NF_TAKE_LATER) << "at its deadline a flow is not over";
    EXPECT_EQ(later.value().deadline_us, deadline);
    ASSERT_EQ(lookupValue(programs_->flowMapFd(), &key, &entry), 0) << "left in the map";

    auto taken = taker.take(key, deadline + 1, false);
    ASSERT_TRUE(taken) << taken.error();
    ASSERT_EQ(taken.value().result, NF_TAKE_TAKEN);
    EXPECT_EQ(std::memcmp(&taken.value().state, &entry.st, sizeof(entry.st)), 0)
        << "the state taken is the entry's, whole";
    EXPECT_FALSE(taken.value().timer_set) << "the test clock arms no timer";
    EXPECT_EQ(lookupValue(programs_->flowMapFd(), &key, &entry), -ENOENT) << "deleted";

    auto gone = taker.take(key, deadline + 1, true);
    ASSERT_TRUE(gone) << gone.error();
    EXPECT_EQ(gone.value().result, NF_TAKE_GONE);
}

}  // namespace
}  // namespace nftest
