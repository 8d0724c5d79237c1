// FlowMapReader reads the same flows whichever way it reads: batch lookup
// (any batch size, down to one entry per call), key-by-key iteration, and
// draining, which leaves the map empty.
#include <gtest/gtest.h>

#include "CaptureReplay.h"
#include "FlowCompare.h"
#include "KernelTestEnv.h"

namespace nftest {
namespace {

using netflow::FlowMapReader;

void expectSameFlows(const std::vector<netflow::KernelFlow> &a,
                     const std::vector<netflow::KernelFlow> &b, const char *what) {
    for (const std::string &line : compareFlows(a, b))
        ADD_FAILURE() << what << ": " << line;
}

TEST(FlowMapReaderTest, BatchIterationAndDrainReadTheSameFlows) {
    NF_REQUIRE_ROOT();
    std::string error;
    netflow::CountingPrograms *programs = sharedPrograms(Filtering::AllIp, &error);
    ASSERT_NE(programs, nullptr) << "loading the kernel programs as root: " << error;

    // A capture with IPv4 and IPv6 flows (every IP packet counts here), some
    // of them ending in the kernel.
    CaptureReplay replay(*programs, sharedClassifier());
    ReplayResult r = replay.run(std::string(NETFLOW_CORPUS_DIR) + "/pcap/1kxun.pcap", Hook::Xdp,
                                CaptureReplay::AtEnd::KeepMap);
    ASSERT_TRUE(r.error.empty()) << r.error;
    const int fd = programs->flowMapFd();
    using Flows = std::vector<netflow::KernelFlow>;

    FlowMapReader batch(fd);
    Flows in_batches;
    auto n = batch.readAll(in_batches);
    ASSERT_TRUE(n) << n.error();
    EXPECT_EQ(n.value(), in_batches.size());
    EXPECT_TRUE(batch.usedBatch()) << "this kernel has batch operations for hash maps";
    ASSERT_GT(in_batches.size(), 100u);

    // Batches of one entry: a call per hash bucket, and a bucket that holds
    // more than one entry does not fit (ENOSPC, retried with more room).
    FlowMapReader one_at_a_time(fd, /*allow_batch=*/true, /*batch_size=*/1);
    Flows small;
    ASSERT_TRUE(one_at_a_time.readAll(small));
    expectSameFlows(in_batches, small, "batches of 1 vs 1024");

    FlowMapReader by_key(fd, /*allow_batch=*/false);
    Flows iterated;
    ASSERT_TRUE(by_key.readAll(iterated));
    EXPECT_FALSE(by_key.usedBatch());
    expectSameFlows(in_batches, iterated, "batch vs key by key");

    Flows drained_by_key;
    ASSERT_TRUE(by_key.drain(drained_by_key));
    expectSameFlows(in_batches, drained_by_key, "read vs drained key by key");
    Flows after;
    ASSERT_TRUE(batch.readAll(after));
    EXPECT_TRUE(after.empty()) << "draining leaves the map empty";

    // The same flows again, drained in batches of one.
    r = replay.run(std::string(NETFLOW_CORPUS_DIR) + "/pcap/1kxun.pcap", Hook::Xdp,
                   CaptureReplay::AtEnd::KeepMap);
    ASSERT_TRUE(r.error.empty()) << r.error;
    Flows drained_in_batches;
    ASSERT_TRUE(one_at_a_time.drain(drained_in_batches));
    expectSameFlows(in_batches, drained_in_batches, "read vs drained in batches of 1");
    ASSERT_TRUE(batch.readAll(after));
    EXPECT_TRUE(after.empty()) << "draining leaves the map empty";
}

}  // namespace
}  // namespace nftest
