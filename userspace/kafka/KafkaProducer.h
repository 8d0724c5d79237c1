// Delivery to Kafka off the capture path, with librdkafka: the capture
// thread hands each encoded flow and its key to librdkafka's bounded queue
// (rd_kafka_producev never blocks); librdkafka batches, compresses and
// sends from its own threads; a poller thread serves the delivery reports.
//
// Nothing is dropped silently, as with -u (delivery/HttpSender.h). A flow is
// delivered (acknowledged by every in-sync replica: acks=all), or kept in
// the spool, the same file in the same format as -u's: when librdkafka's
// queue is full (live at once; offline only once the brokers stop
// answering), when its delivery fails (librdkafka retries on its own until
// message.timeout.ms), and at the end. Spooled flows, and a spool left by an
// earlier run, are produced again while the brokers answer (one at a time,
// as a probe, while they do not). At the end delivery goes on while it makes
// progress; after `timeout` seconds without an acknowledgement the rest is
// purged from librdkafka's queues into the spool.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "common/Result.h"
#include "delivery/SpoolFile.h"
#include "kafka/FlowMessageKey.h"
#include "kafka/KafkaConfig.h"
#include "kafka/KafkaOptions.h"

namespace netflow {

struct KafkaCounters {
    uint64_t submitted = 0;      // flows handed in by this run
    uint64_t inherited = 0;      // flows found in the spool at start
    uint64_t delivered = 0;      // flows acknowledged (this run's and the spool's)
    uint64_t spooled = 0;        // times a flow went to the spool during the run
    uint64_t resent = 0;         // flows read back from the spool and produced again
    uint64_t failed = 0;         // delivery reports with an error (then spooled)
    uint64_t left_in_spool = 0;  // flows in the spool at exit
    uint64_t lost = 0;           // flows the spool could not take (disk full)
    std::string last_failure;    // why the last delivery or connection failed
};

class KafkaProducer {
  public:
    // Opens the spool, makes the producer and starts the poller. `keys`
    // gives spooled flows their message key again (it must outlive this).
    // wait_for_room: offline, a full queue waits while the brokers answer.
    // Throws SpoolError or std::runtime_error.
    KafkaProducer(const KafkaOptions &options, const FlowMessageKey &keys, bool wait_for_room);
    ~KafkaProducer();
    KafkaProducer(const KafkaProducer &) = delete;
    KafkaProducer &operator=(const KafkaProducer &) = delete;

    // One encoded flow and its key. Capture thread only.
    void submit(const std::string &line, const std::string &key);

    // Delivers what it can (see above), spools the rest, stops and closes
    // the spool. Returns "" or the spool's error. Idempotent.
    Result<void> finish();

    // Final after finish().
    const KafkaCounters &counters() const { return counters_; }
    const KafkaOptions &options() const { return options_; }

  private:
    using Clock = std::chrono::steady_clock;
    struct TopicFree {
        void operator()(rd_kafka_topic_t *t) const { rd_kafka_topic_destroy(t); }
    };

    static void onDelivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque);
    static void onError(rd_kafka_t *rk, int err, const char *reason, void *opaque);
    static void onLog(const rd_kafka_t *rk, int level, const char *fac, const char *buf);

    void delivered(const rd_kafka_message_t &msg);
    void failure(const std::string &why, bool print);
    void spool(const void *data, size_t size);
    // Produces spooled flows while fewer than the window (1 while failing)
    // are in librdkafka's hands.
    void resend();
    void releaseHeld();  // the held line back to the spool
    // librdkafka refused a message (not for a full queue): the brokers are
    // failing; a fatal error (idempotence) ends delivery for the run.
    void refused(rd_kafka_resp_err_t err);
    void run();
    std::chrono::milliseconds sinceProgress(Clock::time_point now) const;

    const KafkaOptions options_;
    const FlowMessageKey &keys_;
    const bool wait_for_room_;
    const std::chrono::milliseconds timeout_;
    std::mutex spool_mutex_;
    SpoolFile spool_;
    KafkaHandle rk_;
    std::unique_ptr<rd_kafka_topic_t, TopicFree> topic_;

    std::atomic<uint64_t> submitted_{0}, delivered_{0}, spooled_{0}, resent_{0}, failed_{0};
    std::atomic<int64_t> resend_in_flight_{0};
    // A spooled line read but not yet taken by librdkafka (its queue was
    // full). Only the thread that polls (the poller, then finish) uses it.
    std::string held_;
    bool holding_ = false;
    std::atomic<bool> failing_{false};
    std::atomic<bool> fatal_{false};
    std::atomic<Clock::rep> last_progress_;  // last acknowledgement (or the start)
    std::mutex failure_mutex_;
    std::string last_failure_;
    Clock::time_point next_failure_report_{};

    KafkaCounters counters_;
    std::atomic<bool> stop_{false};
    bool finished_ = false;
    std::string finish_error_;
    std::thread thread_;
};

}  // namespace netflow
