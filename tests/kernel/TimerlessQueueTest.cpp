// TimerlessQueue expires flows without a timer by looking up each key at
// its deadline: at a given time it takes exactly the flows the core's
// nf_flow_expired calls over (what a sweep of the whole map would take),
// keeps the others queued at their deadline, and forgets keys whose entry
// is gone. The flows come from a capture counted by the real programs under
// the test clock, which arms no timer (every entry is without one).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "CaptureReplay.h"
#include "FlowCompare.h"
#include "KernelTestEnv.h"
#include "flow_count.h"
#include "kernel/TimerlessQueue.h"

namespace nftest {
namespace {

using Flows = std::vector<netflow::KernelFlow>;

TEST(TimerlessQueueTest, TakesWhatIsExpiredAtItsDeadlineAndRequeuesTheRest) {
    NF_REQUIRE_ROOT();
    std::string error;
    netflow::CountingPrograms *programs = sharedPrograms(Filtering::AllIp, &error);
    ASSERT_NE(programs, nullptr) << "loading the kernel programs as root: " << error;
    CaptureReplay replay(*programs, sharedClassifier());
    ReplayResult r = replay.run(std::string(NETFLOW_CORPUS_DIR) + "/pcap/1kxun.pcap", Hook::Xdp,
                                CaptureReplay::AtEnd::KeepMap);
    ASSERT_TRUE(r.error.empty()) << r.error;
    const int fd = programs->flowMapFd();

    netflow::FlowMapReader reader(fd);
    Flows in_map;
    ASSERT_TRUE(reader.readAll(in_map));
    ASSERT_GT(in_map.size(), 100u);
    for (const netflow::KernelFlow &flow : in_map)
        ASSERT_FALSE(flow.has_timer) << "the test clock arms no timer";

    const nf_timeouts timeouts = programs->config().timeouts;
    netflow::TimerlessQueue queue(programs->takeProgramFd());
    std::vector<uint64_t> deadlines;
    for (const netflow::KernelFlow &flow : in_map) {
        const uint64_t deadline = nf_flow_deadline_us(&flow.state, &timeouts);
        queue.add(flow.key, deadline);
        deadlines.push_back(deadline);
    }
    nf_flow_key absent{};
    absent.proto = 17;
    absent.ip_version = 4;
    queue.add(absent, 0);  // no such entry: looked up once, forgotten
    std::sort(deadlines.begin(), deadlines.end());
    const uint64_t mid = deadlines[deadlines.size() / 2] + 1;

    Flows expected, taken;
    for (const netflow::KernelFlow &flow : in_map)
        if (nf_flow_expired(&flow.state, mid, &timeouts))
            expected.push_back(flow);
    ASSERT_FALSE(expected.empty());
    ASSERT_LT(expected.size(), in_map.size());
    auto n = queue.takeDue(mid, taken);
    ASSERT_TRUE(n) << n.error();
    EXPECT_EQ(n.value(), expected.size());
    for (const std::string &line : compareFlows(expected, taken))
        ADD_FAILURE() << "taken at " << mid << ": " << line;
    EXPECT_EQ(queue.size(), in_map.size() - expected.size()) << "the others wait";
    EXPECT_EQ(queue.counters().taken, expected.size());

    Flows left;
    ASSERT_TRUE(reader.readAll(left));
    EXPECT_EQ(left.size(), in_map.size() - expected.size()) << "taken out of the map";

    // Nothing more is due before the next deadline: no lookup.
    const uint64_t lookups = queue.counters().lookups;
    ASSERT_TRUE(queue.takeDue(mid, taken));
    EXPECT_EQ(queue.counters().lookups, lookups);

    // At the last deadline every flow is over.
    Flows rest;
    ASSERT_TRUE(queue.takeDue(deadlines.back() + 1, rest));
    for (const std::string &line : compareFlows(left, rest))
        ADD_FAILURE() << "taken at the end: " << line;
    EXPECT_EQ(queue.size(), 0u);
    Flows after;
    ASSERT_TRUE(reader.readAll(after));
    EXPECT_TRUE(after.empty());
}

}  // namespace
}  // namespace nftest
