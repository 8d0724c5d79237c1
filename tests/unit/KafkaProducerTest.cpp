// KafkaProducer (kafka/KafkaProducer.h) in process, against librdkafka's mock
// cluster or an address where nothing listens: delivery, a spool left by an
// earlier run sent first, and a live producer that never waits (its full
// queue goes to the spool), everything undelivered in the spool at the end.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "kafka/KafkaProducer.h"
#include "support/FlowHarness.h"

namespace {

using Clock = std::chrono::steady_clock;

class KafkaProducerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
        spool_ = ::testing::TempDir() + "netflow_kafka_" + info->name() + "_" +
                 std::to_string(::getpid()) + ".jsonl";
        std::remove(spool_.c_str());
    }
    void TearDown() override {
        std::remove(spool_.c_str());
        if (cluster_)
            rd_kafka_mock_cluster_destroy(cluster_);
        if (cluster_rk_)
            rd_kafka_destroy(cluster_rk_);
    }

    // A one-broker mock cluster with topic t; its bootstrap address.
    std::string mockCluster() {
        char err[256];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rd_kafka_conf_set(conf, "log_level", "0", err, sizeof err);
        cluster_rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
        EXPECT_NE(cluster_rk_, nullptr) << err;
        cluster_ = rd_kafka_mock_cluster_new(cluster_rk_, 1);
        EXPECT_NE(cluster_, nullptr);
        EXPECT_EQ(rd_kafka_mock_topic_create(cluster_, "t", 2, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
        return rd_kafka_mock_cluster_bootstraps(cluster_);
    }

    netflow::KafkaOptions options(const std::string &brokers, double timeout_s) {
        netflow::KafkaOptions o;
        o.brokers = brokers;
        o.topic = "t";
        o.spool_path = spool_;
        o.timeout_s = timeout_s;
        return o;
    }

    std::vector<std::string> spoolLines() {
        std::ifstream in(spool_);
        std::vector<std::string> lines;
        for (std::string line; std::getline(in, line);)
            lines.push_back(line);
        return lines;
    }

    static std::string flow(int i) {
        return R"({"IPV4_SRC_ADDR":"10.0.0.1","L4_SRC_PORT":)" + std::to_string(1000 + i) +
               R"(,"IPV4_DST_ADDR":"10.0.0.2","L4_DST_PORT":80,"PROTOCOL":6})";
    }

    std::string spool_;
    rd_kafka_t *cluster_rk_ = nullptr;
    rd_kafka_mock_cluster_t *cluster_ = nullptr;
    netflow::FlowFeatures features_{nftest::sharedClassifier(), netflow::LabelSpec{}};
    netflow::FlowMessageKey keys_{{}, features_};
};

TEST_F(KafkaProducerTest, EveryFlowDeliveredNothingSpooled) {
    netflow::KafkaProducer producer(options(mockCluster(), 30), keys_, true);
    for (int i = 0; i < 500; i++)
        producer.submit(flow(i), "6,10.0.0.1," + std::to_string(1000 + i) + ",10.0.0.2,80");
    ASSERT_TRUE(producer.finish());
    const netflow::KafkaCounters &c = producer.counters();
    EXPECT_EQ(c.submitted, 500u);
    EXPECT_EQ(c.delivered, 500u);
    EXPECT_EQ(c.spooled, 0u);
    EXPECT_EQ(c.left_in_spool, 0u);
    EXPECT_FALSE(std::ifstream(spool_).good()) << "an empty spool is removed";
}

TEST_F(KafkaProducerTest, AnEarlierRunsSpoolIsSentFirst) {
    {
        std::ofstream out(spool_);
        for (int i = 0; i < 3; i++)
            out << flow(i) << "\n";
    }
    netflow::KafkaProducer producer(options(mockCluster(), 30), keys_, true);
    producer.submit(flow(9), "k");
    ASSERT_TRUE(producer.finish());
    const netflow::KafkaCounters &c = producer.counters();
    EXPECT_EQ(c.inherited, 3u);
    EXPECT_EQ(c.resent, 3u);
    EXPECT_EQ(c.delivered, 4u);
    EXPECT_EQ(c.left_in_spool, 0u);
    EXPECT_FALSE(std::ifstream(spool_).good());
}

TEST_F(KafkaProducerTest, LiveNeverWaitsAndNothingIsLost) {
    netflow::KafkaOptions o = options("127.0.0.1:1", 0.5);
    o.settings = {{"queue.buffering.max.messages", "10"}};
    netflow::KafkaProducer producer(o, keys_, false);
    const Clock::time_point start = Clock::now();
    for (int i = 0; i < 1000; i++)
        producer.submit(flow(i), "k");
    // A full queue never makes the capture thread wait.
    EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(500));
    const Clock::time_point stop = Clock::now();
    netflow::Result<void> done = producer.finish();
    EXPECT_LT(Clock::now() - stop, std::chrono::seconds(10));  // --timeout 0.5, then the purge
    EXPECT_TRUE(done);  // the spool took them all; the sink says they were not delivered
    const netflow::KafkaCounters &c = producer.counters();
    EXPECT_EQ(c.delivered, 0u);
    EXPECT_EQ(c.left_in_spool, 1000u);
    EXPECT_EQ(c.lost, 0u);
    std::vector<std::string> lines = spoolLines();
    ASSERT_EQ(lines.size(), 1000u);
    std::sort(lines.begin(), lines.end());
    std::vector<std::string> want;
    for (int i = 0; i < 1000; i++)
        want.push_back(flow(i));
    std::sort(want.begin(), want.end());
    EXPECT_EQ(lines, want);
}

}  // namespace
