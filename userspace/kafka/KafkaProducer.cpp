#include "kafka/KafkaProducer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "common/QuietThread.h"

namespace netflow {
namespace {

// Spooled flows in librdkafka's hands at once while the brokers answer.
constexpr int64_t kResendWindow = 10000;
constexpr std::chrono::seconds kFailureReportInterval{10};
// After the purge at exit, librdkafka hands back every message at once;
// this only bounds a surprise.
constexpr std::chrono::seconds kPurgeBound{5};
// Marks a message produced from the spool (its delivery report's opaque).
char kResendTag;

std::chrono::milliseconds millis(double seconds) {
    return std::chrono::milliseconds(std::max<int64_t>(1, std::llround(seconds * 1000)));
}

}  // namespace

KafkaProducer::KafkaProducer(const KafkaOptions &options, const FlowMessageKey &keys,
                             bool wait_for_room)
    : options_(options),
      keys_(keys),
      wait_for_room_(wait_for_room),
      timeout_(millis(options.timeout_s)),
      spool_(options.spool_path),
      last_progress_(Clock::now().time_since_epoch().count()) {
    if (spool_.droppedTailBytes())
        std::fprintf(stderr, "netflow: spool %s ended in a cut line (%llu bytes): dropped\n",
                     spool_.path().c_str(),
                     static_cast<unsigned long long>(spool_.droppedTailBytes()));
    Result<KafkaConf> conf = makeProducerConf(options);
    if (!conf)
        throw std::runtime_error(conf.error());
    rd_kafka_conf_t *c = conf.value().get();
    rd_kafka_conf_set_opaque(c, this);
    rd_kafka_conf_set_dr_msg_cb(c, onDelivery);
    rd_kafka_conf_set_error_cb(c, onError);
    rd_kafka_conf_set_log_cb(c, onLog);
    char err[512] = "";
    // librdkafka starts its threads here: from a quiet thread, they hold
    // no capability and take no signal (common/QuietThread.h).
    runQuietly([&] { rk_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, c, err, sizeof err)); });
    if (!rk_)
        throw std::runtime_error(std::string("kafka: ") + err);
    conf.value().release();  // rd_kafka_new took it
    topic_.reset(rd_kafka_topic_new(rk_.get(), options.topic.c_str(), nullptr));
    if (!topic_)
        throw std::runtime_error("kafka: topic " + options.topic + ": " +
                                 rd_kafka_err2str(rd_kafka_last_error()));
    thread_ = startQuietThread([this] { run(); });
}

KafkaProducer::~KafkaProducer() {
    finish();
}

void KafkaProducer::onDelivery(rd_kafka_t *, const rd_kafka_message_t *msg, void *opaque) {
    static_cast<KafkaProducer *>(opaque)->delivered(*msg);
}

void KafkaProducer::onError(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    auto *self = static_cast<KafkaProducer *>(opaque);
    const auto code = static_cast<rd_kafka_resp_err_t>(err);
    std::string why = reason;
    if (code == RD_KAFKA_RESP_ERR__FATAL) {
        self->fatal_ = true;
        char fatal[512] = "";
        rd_kafka_fatal_error(rk, fatal, sizeof fatal);
        why = std::string("fatal: ") + fatal;
    }
    // One broker of several dropping its connection is routine; these say
    // that nothing can be delivered now.
    const bool down = code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN ||
                      code == RD_KAFKA_RESP_ERR__RESOLVE ||
                      code == RD_KAFKA_RESP_ERR__AUTHENTICATION || code == RD_KAFKA_RESP_ERR__FATAL;
    if (down)
        self->failing_ = true;
    // "1/1 brokers are down" says less than the connection's own error,
    // which came before it: that one is kept, and printed now.
    std::string kept;
    if (code == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        std::lock_guard lock(self->failure_mutex_);
        kept = self->last_failure_;
    }
    self->failure(kept.empty() ? why : kept, down);
}

void KafkaProducer::onLog(const rd_kafka_t *rk, int, const char *fac, const char *buf) {
    auto *self = static_cast<const KafkaProducer *>(rd_kafka_opaque(rk));
    if (self && self->options_.verbose)
        std::fprintf(stderr, "netflow: kafka: librdkafka: %s: %s\n", fac, buf);
}

void KafkaProducer::failure(const std::string &why, bool print) {
    std::lock_guard lock(failure_mutex_);
    last_failure_ = why;
    const Clock::time_point now = Clock::now();
    if (print && now >= next_failure_report_) {
        // One line per outage, at most every 10 s (as -u).
        std::fprintf(stderr, "netflow: kafka: %s; retrying\n", why.c_str());
        next_failure_report_ = now + kFailureReportInterval;
    }
}

void KafkaProducer::delivered(const rd_kafka_message_t &msg) {
    if (msg._private == &kResendTag)
        resend_in_flight_.fetch_sub(1, std::memory_order_relaxed);
    if (msg.err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        delivered_.fetch_add(1, std::memory_order_relaxed);
        failing_.store(false, std::memory_order_relaxed);
        last_progress_.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
        return;
    }
    // Purged at exit: kept for the next run, not a failure of its own.
    if (msg.err != RD_KAFKA_RESP_ERR__PURGE_QUEUE && msg.err != RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) {
        failed_.fetch_add(1, std::memory_order_relaxed);
        failing_ = true;
        failure(rd_kafka_err2str(msg.err), true);
    }
    spool(msg.payload, msg.len);
}

void KafkaProducer::spool(const void *data, size_t size) {
    std::lock_guard lock(spool_mutex_);
    spool_.append(std::string_view(static_cast<const char *>(data), size));
    spooled_.fetch_add(1, std::memory_order_relaxed);
}

std::chrono::milliseconds KafkaProducer::sinceProgress(Clock::time_point now) const {
    const Clock::time_point last{Clock::duration(last_progress_.load(std::memory_order_relaxed))};
    return std::chrono::duration_cast<std::chrono::milliseconds>(now - last);
}

void KafkaProducer::submit(const std::string &line, const std::string &key) {
    submitted_.fetch_add(1, std::memory_order_relaxed);
    while (!fatal_.load(std::memory_order_relaxed)) {
        rd_kafka_resp_err_t err = rd_kafka_producev(
            rk_.get(), RD_KAFKA_V_RKT(topic_.get()), RD_KAFKA_V_KEY(key.data(), key.size()),
            RD_KAFKA_V_VALUE(const_cast<char *>(line.data()), line.size()),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
            return;
        // Offline, a full queue waits while the brokers answer (and for at
        // most --timeout without an acknowledgement); live, it never does.
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && wait_for_room_ &&
            !failing_.load(std::memory_order_relaxed) && sinceProgress(Clock::now()) < timeout_) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
        }
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            refused(err);
        break;
    }
    spool(line.data(), line.size());
}

void KafkaProducer::resend() {
    if (fatal_.load(std::memory_order_relaxed))
        return;  // the producer delivers nothing any more: the spool keeps them
    const int64_t window = failing_.load(std::memory_order_relaxed) ? 1 : kResendWindow;
    std::string key;
    while (resend_in_flight_.load(std::memory_order_relaxed) < window) {
        if (!holding_) {
            std::lock_guard lock(spool_mutex_);
            if (!spool_.readLine(held_))
                return;
            holding_ = true;
        }
        const bool keyed = keys_.fromJson(held_, key);
        resend_in_flight_.fetch_add(1, std::memory_order_relaxed);
        rd_kafka_resp_err_t err = rd_kafka_producev(
            rk_.get(), RD_KAFKA_V_RKT(topic_.get()),
            RD_KAFKA_V_KEY(keyed ? key.data() : nullptr, keyed ? key.size() : 0),
            RD_KAFKA_V_VALUE(held_.data(), held_.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_OPAQUE(&kResendTag), RD_KAFKA_V_END);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            // Held for the next round (a full queue has room again soon);
            // any other error sends it back to the spool.
            resend_in_flight_.fetch_sub(1, std::memory_order_relaxed);
            if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                refused(err);
                releaseHeld();
            }
            return;
        }
        holding_ = false;
        resent_.fetch_add(1, std::memory_order_relaxed);
    }
}

void KafkaProducer::refused(rd_kafka_resp_err_t err) {
    failing_ = true;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        fatal_ = true;
        char fatal[512] = "";
        rd_kafka_fatal_error(rk_.get(), fatal, sizeof fatal);
        failure(std::string("fatal: ") + fatal, true);
    } else {
        failure(rd_kafka_err2str(err), true);
    }
}

void KafkaProducer::releaseHeld() {
    if (holding_)
        spool(held_.data(), held_.size());
    holding_ = false;
}

void KafkaProducer::run() {
    while (!stop_.load()) {
        bool spool_waiting;
        {
            std::lock_guard lock(spool_mutex_);
            spool_waiting = spool_.pending() > 0;
        }
        // Spooled flows to send: short rounds, so the window stays full.
        rd_kafka_poll(rk_.get(), spool_waiting && !failing_ ? 10 : 100);
        resend();
    }
}

Result<void> KafkaProducer::finish() {
    if (finished_)
        return Result<void>::fromMessage(finish_error_);
    finished_ = true;
    stop_ = true;
    if (thread_.joinable())
        thread_.join();
    // This thread serves the delivery reports from now on.
    const Clock::time_point stop_time = Clock::now();
    for (;;) {
        rd_kafka_poll(rk_.get(), 10);
        resend();
        const Clock::time_point now = Clock::now();
        uint64_t pending;
        {
            std::lock_guard lock(spool_mutex_);
            pending = spool_.pending();
        }
        if (rd_kafka_outq_len(rk_.get()) == 0 && pending == 0 && !holding_)
            break;
        if (fatal_.load() ||
            std::min(sinceProgress(now), std::chrono::duration_cast<std::chrono::milliseconds>(
                                             now - stop_time)) >= timeout_) {
            // No acknowledgement for --timeout (or a fatal error): what
            // librdkafka holds goes back to the spool (its delivery
            // reports, served here). The reason: the brokers' last failure
            // while they are failing, else our words (as -u's).
            if (!failing_.load() || last_failure_.empty()) {
                char seconds[32];
                std::snprintf(seconds, sizeof seconds, "%g", options_.timeout_s);
                std::lock_guard failure_lock(failure_mutex_);
                last_failure_ =
                    std::string("no acknowledgement within --timeout ") + seconds + " s";
            }
            rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
            const Clock::time_point bound = Clock::now() + kPurgeBound;
            while (rd_kafka_outq_len(rk_.get()) > 0 && Clock::now() < bound)
                rd_kafka_poll(rk_.get(), 10);
            break;
        }
    }
    releaseHeld();
    // Anything librdkafka still holds now (it should hold nothing) would be
    // dropped with the handle: counted as lost, never silently.
    const uint64_t stranded = static_cast<uint64_t>(std::max(0, rd_kafka_outq_len(rk_.get())));
    std::lock_guard lock(spool_mutex_);
    finish_error_ = spool_.close().error();
    counters_.submitted = submitted_.load();
    counters_.inherited = spool_.inherited();
    counters_.delivered = delivered_.load();
    counters_.spooled = spooled_.load();
    counters_.resent = resent_.load();
    counters_.failed = failed_.load();
    counters_.left_in_spool = spool_.pending();
    counters_.lost = spool_.lost() + stranded;
    {
        std::lock_guard failure_lock(failure_mutex_);
        counters_.last_failure = last_failure_;
    }
    return Result<void>::fromMessage(finish_error_);
}

}  // namespace netflow
