#include "pipeline/FlowWorker.h"

#include <time.h>

#include <exception>
#include <optional>
#include <span>

#include "common/Prefetch.h"
#include "common/QuietThread.h"
#include "flow_count.h"

namespace netflow {
namespace {

// Batches in flight each way. A packet batch is up to 1,024 packets (each
// handoff costs a wake-up of the other side): 4 of them per worker bound
// the copies in flight (~6 MiB of datagrams); exported flows, 8.
constexpr uint32_t kInputBatches = 4;
constexpr uint32_t kRingBatches = 8;
// Exported flows go to the merger in batches of at most this many (a wave of
// timeouts, every open flow at the end): the rings' slots stay small, and
// the end's flows stream through the merger instead of all being held.
constexpr size_t kDoneBatchFlows = 128;

}  // namespace

double threadCpuSeconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

FlowWorker::FlowWorker(const MeterConfig &config, bool keep_server_name,
                       std::atomic<uint32_t> &merger_bell, bool own_thread,
                       FlowClassifier *inline_classifier)
    : config_(config),
      keep_server_name_(keep_server_name),
      own_thread_(own_thread),
      input_(kInputBatches),
      output_(kRingBatches, &merger_bell),
      borrowed_classifier_(own_thread ? nullptr : inline_classifier) {
    if (own_thread_)
        thread_ = startQuietThread([this] { run(); });
}

FlowWorker::~FlowWorker() {
    join();
}

void FlowWorker::join() {
    if (thread_.joinable())
        thread_.join();
}

void FlowWorker::start() {
    try {
        // nDPI's module is built here, on the thread that counts (in
        // parallel with the other workers'), unless the reader lends its
        // own; with the first packets the worker gets, so a worker that
        // gets none builds none (a small capture with many workers: each
        // module is ~35 ms of CPU and megabytes of automata).
        FlowClassifier &classifier = borrowed_classifier_
                                         ? *borrowed_classifier_
                                         : classifier_.emplace(keep_server_name_, false);
        meter_store_.emplace(config_, classifier, static_cast<FlowExporter &>(*this));
        meter_ = &*meter_store_;
    } catch (const std::exception &e) {
        error_ = e.what();
    }
}

void FlowWorker::stop() {
    out_ = nullptr;
    meter_ = nullptr;
    meter_store_.reset();
    classifier_.reset();  // the nDPI module's tear-down counts too
    stopped_ = true;
}

bool FlowWorker::handle(const WorkBatch &in) {
    out_ = &output_.slotToFill();
    out_->flows.clear();
    out_->progress = progress_;
    out_->last = false;
    if (!meter_store_ && error_.empty() && !in.packets.empty())
        start();
    if (meter_store_ && error_.empty()) {
        try {
            process(*meter_store_, in);
        } catch (const std::exception &e) {
            error_ = e.what();  // the rest of the run's packets are dropped
        }
    }
    out_->progress = progress_ = in.mark_index;
    out_->last = in.last;
    output_.publish();
    return in.last;
}

void FlowWorker::run() {
    for (;;) {
        const WorkBatch &in = input_.waitFront();
        const bool last = handle(in);
        input_.release();
        if (last)
            break;
    }
    stop();
    cpu_seconds_ = threadCpuSeconds();
}

void FlowWorker::countInline() {
    if (stopped_)
        return;
    const double before = threadCpuSeconds();
    if (handle(input_.slotToFill()))
        stop();
    cpu_seconds_ += threadCpuSeconds() - before;
}

void FlowWorker::process(FlowMeter &meter, const WorkBatch &in) {
    // A batch is known in advance: the flow table's slot of the packet
    // kSlotAhead on and the record of the one kRecordAhead on are brought
    // into the cache while this one is counted (the table's probes were
    // its cache misses). The keys worked out for that are the ones counted.
    constexpr size_t kSlotAhead = 8, kRecordAhead = 4;
    const size_t n = in.packets.size();
    keys_.resize(n);
    for (size_t i = 0; i < n; i++)
        keys_[i] = packetKey(in.packets[i].pkt);
    const FlowTable &table = meter.table();
    for (size_t i = 0; i < n; i++) {
        if (i + kSlotAhead < n)
            table.prefetchSlot(keys_[i + kSlotAhead].hash);
        if (i + kRecordAhead < n) {
            table.prefetchRecord(keys_[i + kRecordAhead].hash);
            // Its payload, for nDPI (the headers were read by the reader).
            const WorkPacket &ahead = in.packets[i + kRecordAhead];
            if (ahead.l3)
                prefetchLine(ahead.l3 + ahead.pkt.payload_offset);
        }
        const WorkPacket &p = in.packets[i];
        packet_index_ = p.index;
        std::span<const uint8_t> l3(p.l3 ? p.l3 : in.bytes.data() + p.l3_offset, p.l3_len);
        meter.count(p.pkt, keys_[i], l3, p.now_us, p.index);
    }
    // The capture's clock moved on with other workers' packets.
    meter.advanceTime(in.mark_us);
    if (in.last) {
        ending_ = true;
        meter.flushAll();
    }
    started_.store(meter.flowsStarted(), std::memory_order_relaxed);
}

void FlowWorker::exportFlow(const FlowRecord &) {
    // The meter hands flows over through exportFinished.
}

void FlowWorker::exportFinished(FlowRecord &flow) {
    if (out_->flows.size() >= kDoneBatchFlows) {
        // Mid-batch: the progress of the batch before still holds.
        output_.publish();
        out_ = &output_.slotToFill();
        out_->flows.clear();
        out_->progress = progress_;
        out_->last = false;
    }
    ExportedFlow &out = out_->flows.emplace_back();
    if (ending_) {
        out.cause = ExportCause::End;
    } else if (nf_flow_expired(&flow.state, meter_->now(), &config_.timeouts)) {
        out.cause = ExportCause::Timeout;
        out.at = expiryDeadline(flow.state, config_.timeouts);
    } else {
        // Not expired: the packet being counted restarts it (TCP SYN).
        out.cause = ExportCause::Restart;
        out.at = packet_index_;
    }
    out.rec.key = flow.key;
    out.rec.state = flow.state;
    out.rec.first_seen = flow.first_seen;
    out.rec.cls = std::move(flow.cls);
}

}  // namespace netflow
