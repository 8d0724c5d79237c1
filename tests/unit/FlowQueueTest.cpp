// FlowQueue: the bounded queue between the capture thread and the sender:
// oldest first, never above capacity (a full queue hands the flow back),
// and a producer waiting for room wakes when the consumer takes flows.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "delivery/FlowQueue.h"

namespace {

using netflow::FlowQueue;
using namespace std::chrono_literals;

TEST(FlowQueue, PopsOldestFirstUpToMax) {
    FlowQueue q(10);
    for (int i = 0; i < 5; i++) {
        std::string line = "f" + std::to_string(i);
        size_t size = 0;
        ASSERT_TRUE(q.tryPush(line, &size));
        EXPECT_EQ(size, static_cast<size_t>(i + 1));
        EXPECT_TRUE(line.empty()) << "the flow was moved in";
    }
    std::vector<std::string> out;
    EXPECT_EQ(q.popUpTo(3, out), 3u);
    EXPECT_EQ(out, (std::vector<std::string>{"f0", "f1", "f2"}));
    EXPECT_EQ(q.popUpTo(10, out), 2u);
    EXPECT_EQ(out, (std::vector<std::string>{"f0", "f1", "f2", "f3", "f4"}));
    EXPECT_EQ(q.popUpTo(10, out), 0u);
    EXPECT_EQ(q.size(), 0u);
}

TEST(FlowQueue, AFullQueueHandsTheFlowBack) {
    FlowQueue q(2);
    std::string a = "a", b = "b", c = "c";
    ASSERT_TRUE(q.tryPush(a));
    ASSERT_TRUE(q.tryPush(b));
    EXPECT_FALSE(q.tryPush(c));
    EXPECT_EQ(c, "c") << "a refused flow stays with the caller (for the spool)";
    EXPECT_EQ(q.size(), 2u);
    EXPECT_FALSE(q.waitForRoom(10ms));
}

TEST(FlowQueue, OldestIsTheFirstPushTime) {
    FlowQueue q(4);
    EXPECT_EQ(q.oldest(), FlowQueue::Clock::time_point::max());
    const auto before = FlowQueue::Clock::now();
    std::string a = "a";
    q.tryPush(a);
    std::this_thread::sleep_for(5ms);
    std::string b = "b";
    q.tryPush(b);
    EXPECT_GE(q.oldest(), before);
    EXPECT_LT(q.oldest(), before + 5ms);
}

TEST(FlowQueue, AWaitingProducerWakesWhenTheConsumerTakesFlows) {
    FlowQueue q(1);
    std::string a = "a";
    ASSERT_TRUE(q.tryPush(a));
    std::thread consumer([&] {
        std::this_thread::sleep_for(50ms);
        std::vector<std::string> out;
        q.popUpTo(1, out);
    });
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(q.waitForRoom(10s));
    EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
    consumer.join();
    std::string b = "b";
    EXPECT_TRUE(q.tryPush(b));
}

TEST(FlowQueue, OneProducerOneConsumerLoseNothing) {
    FlowQueue q(16);
    constexpr int kFlows = 20000;
    std::vector<std::string> got;
    std::thread consumer([&] {
        while (got.size() < kFlows) {
            if (q.popUpTo(7, got) == 0)
                std::this_thread::yield();
        }
    });
    for (int i = 0; i < kFlows; i++) {
        std::string line = std::to_string(i);
        while (!q.tryPush(line))
            q.waitForRoom(100ms);
    }
    consumer.join();
    ASSERT_EQ(got.size(), static_cast<size_t>(kFlows));
    for (int i = 0; i < kFlows; i++)
        ASSERT_EQ(got[i], std::to_string(i));
}

}  // namespace
