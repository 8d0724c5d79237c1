// Delivery off the capture path. The capture thread submits encoded flows;
// a sender thread POSTs them with libcurl's multi interface: a few requests
// in flight on persistent connections (keep-alive, HTTP/2 multiplexing over
// https when the server offers it), one flow or one batch per request.
//
// Nothing is dropped silently. A flow is either delivered (2xx), rejected
// by the server (other 4xx: reported, counted, not retried), or kept: a
// request that fails (5xx, 429, timeout, refused, a response cut inside its
// headers) is retried with backoff
// while its flows wait in its slot; when the queue is full new flows go to
// the spool file, which is re-sent as the endpoint answers again. At the
// end, delivery goes on while it makes progress (answers that deliver or
// reject flows); after `timeout` seconds without one the rest (slots,
// queue) goes to the spool.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "delivery/CurlHandles.h"
#include "delivery/FlowQueue.h"
#include "delivery/HttpOptions.h"
#include "delivery/RetryPolicy.h"
#include "delivery/SpoolFile.h"
#include "output/OutputMetrics.h"

namespace netflow {

struct DeliveryCounters {
    uint64_t submitted = 0;      // flows handed in by this run
    uint64_t inherited = 0;      // flows found in the spool at start
    uint64_t delivered = 0;      // flows in 2xx answers
    uint64_t rejected = 0;       // flows in other-4xx answers
    uint64_t spooled = 0;        // flows that went to the spool during the run
    uint64_t left_in_spool = 0;  // flows in the spool at exit
    uint64_t lost = 0;           // flows the spool could not take (disk full)
    uint64_t requests = 0;       // requests completed (any outcome)
    uint64_t retries = 0;        // requests that failed and were retried
    long last_reject_status = 0;
    std::string last_failure;  // why the last failed request failed
};

class HttpSender {
  public:
    // Opens the spool and starts the sender. wait_for_room: when the queue
    // is full and the endpoint keeps up, the producer waits instead of
    // spooling (offline: a file can wait, a live network cannot). Throws
    // SpoolError or std::runtime_error.
    HttpSender(const HttpOptions &options, bool wait_for_room);
    ~HttpSender();
    HttpSender(const HttpSender &) = delete;
    HttpSender &operator=(const HttpSender &) = delete;

    // One encoded flow (a JSON object, no line break). Capture thread only.
    void submit(std::string &&line);

    // Delivers what it can (see above), spools the rest, stops the thread
    // and closes the spool. Returns "" or the spool's error. Idempotent.
    Result<void> finish();

    // Final after finish().
    const DeliveryCounters &counters() const { return counters_; }
    const std::string &spoolPath() const { return options_.spool_path; }

    // --metrics: delivered, retried, spooled and rejected so far, from any
    // thread (relaxed atomics, updated as requests complete).
    OutputMetrics liveMetrics() const;

  private:
    using Clock = std::chrono::steady_clock;
    struct Slot;

    void run();
    bool fill(Slot &slot, Clock::time_point now, bool stopping);
    void start(Slot &slot);
    void complete(Slot &slot, CURLcode result, Clock::time_point now);
    void giveUp();
    // Why a request failed, for the messages (our words for a timeout).
    std::string failureReason(CURLcode result, bool incomplete, long status,
                              const char *error) const;
    std::string noAnswerReason() const;
    void spoolLines(const std::vector<std::string> &lines);
    int pollMillis(Clock::time_point now) const;
    // -v: the body on stdout, one line (one per flow when a batch's answer
    // is an array of as many elements).
    void printResponse(const std::string &body, size_t flows);

    const HttpOptions options_;
    const bool wait_for_room_;
    const std::chrono::milliseconds timeout_;
    const std::chrono::milliseconds flush_interval_;
    FlowQueue queue_;
    std::mutex spool_mutex_;
    SpoolFile spool_;
    CurlSlist headers_;
    CurlMulti multi_;
    std::vector<std::unique_ptr<Slot>> slots_;
    Backoff backoff_;
    DeliveryCounters counters_;  // sender thread's, except submitted/spooled
    std::atomic<uint64_t> submitted_{0}, spooled_{0};
    std::atomic<uint64_t> live_delivered_{0}, live_retries_{0}, live_rejected_{0};
    std::atomic<bool> failing_{false};
    std::atomic<bool> stop_{false};
    bool spool_turn_ = false;
    int rejects_reported_ = 0;
    Clock::time_point next_failure_report_{};
    std::string finish_error_;
    bool finished_ = false;
    std::thread thread_;
};

}  // namespace netflow
