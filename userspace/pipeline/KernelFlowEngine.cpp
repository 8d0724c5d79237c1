#include "pipeline/KernelFlowEngine.h"

#include <algorithm>

#include "common/Prefetch.h"
#include "flow_count.h"

namespace netflow {
namespace {

// Margin beyond the active timeout after which no flow can still be open:
// covers the sweep period, the scan period below and the TCP-end linger.
constexpr uint64_t kClassificationGraceUs = 5'000'000;
constexpr uint64_t kRoundsPerLatePayloadScan = 30;

}  // namespace

// Overflow flows are limited by the shared exporter, not by the meter
// (which would refuse their packets).
static MeterConfig withoutFlowLimit(MeterConfig config) {
    config.max_flows.reset();
    return config;
}

KernelFlowEngine::KernelFlowEngine(const MeterConfig &config, const CountingPrograms &programs,
                                   FlowClassifier &classifier, FlowExporter &sink)
    : config_(config),
      programs_(programs),
      classifier_(classifier),
      sink_(sink, counters_, flow_limit_),
      sweeper_(programs.flowMapFd(), programs.takeProgramFd(), config.timeouts),
      timerless_(programs.takeProgramFd()),
      payload_order_(classifications_),
      overflow_(withoutFlowLimit(config), classifier, sink_) {
    if (config.max_flows)
        flow_limit_ = *config.max_flows;
}

void KernelFlowEngine::LimitedExporter::exportFlow(const FlowRecord &flow) {
    if (counters_.flows_exported >= limit_) {
        counters_.beyond_limit++;
        return;
    }
    sink_.exportFlow(flow);
    counters_.flows_exported++;
}

void KernelFlowEngine::onFlowEnded(const nf_rec_flow_ended &record) {
    collecting_.push_back(KernelFlow{record.key, record.state});
}

void KernelFlowEngine::onUnmappedPacket(const nf_rec_packet &record) {
    counters_.overflow_packets++;
    overflow_.count(record.pkt, {}, record.time_us);
}

void KernelFlowEngine::onTimerless(const nf_rec_timerless &record) {
    timerless_.add(record.key, record.deadline_us);
}

Result<size_t> KernelFlowEngine::expireTimerless(uint64_t now_us) {
    return timerless_.takeDue(now_us, collecting_);
}

void KernelFlowEngine::onPayload(const nf_rec_payload &record, const nf_packet &packet,
                                 std::span<const uint8_t> l3) {
    counters_.payload_records++;
    classify(payload_order_.add(record, packet, l3));
}

void KernelFlowEngine::classify(PayloadOrder::Ready ready) {
    for (const ReadyPayload &payload : ready)
        classify(*payload.cls, *payload.rec, *payload.pkt, payload.l3);
}

void KernelFlowEngine::classify(FlowClassification &cls, const nf_rec_payload &record,
                                const nf_packet &packet, std::span<const uint8_t> l3) {
    const bool last_dpi = record.payload_index >= config_.budget.dpi_packets;
    const bool done =
        classifier_.onPayload(cls, record.key, packet, l3, record.time_us, record.want, last_dpi);
    // After the last budgeted packet the kernel stops copying by itself.
    if (done && !last_dpi) {
        counters_.dpi_done_marks++;
        if (!programs_.markDpiDone(record.key, record.flow_first_us))
            counters_.dpi_done_failures++;
    }
}

void KernelFlowEngine::exportPending() {
    // Flows exported together go out in the order they started (those that
    // started at once, in the order they came). Sorted by their start and
    // place, not moved: a KernelFlow is 288 bytes, and swapping them was 7%
    // of the sensor's own CPU under nic_bench's 200 K flows.
    export_order_.clear();
    for (size_t i = 0; i < pending_.size(); i++)
        export_order_.push_back({pending_[i].state.first_us, i});
    std::sort(export_order_.begin(), export_order_.end());
    // In that order the flows are read at random: each one's 288 bytes
    // asked for 4 flows ahead, its classification's slot 2 ahead (once its
    // key is there).
    auto flowAhead = [this](size_t k) -> const KernelFlow * {
        return k < export_order_.size() ? &pending_[export_order_[k].second] : nullptr;
    };
    FlowRecord rec;
    for (size_t k = 0; k < export_order_.size(); k++) {
        if (const KernelFlow *ahead = flowAhead(k + 4))
            for (size_t line = 0; line < sizeof(KernelFlow); line += 64)
                prefetchLine(reinterpret_cast<const char *>(ahead) + line);
        if (const KernelFlow *ahead = flowAhead(k + 2))
            classifications_.prefetch(FlowInstance{ahead->key, ahead->state.first_us});
        const KernelFlow &flow = pending_[export_order_[k].second];
        rec.key = flow.key;
        rec.state = flow.state;
        rec.first_seen = next_first_seen_++;
        const FlowInstance instance{flow.key, flow.state.first_us};
        // What it had waiting goes to DPI first. A flow without an entry
        // never had a payload record: nothing waits, nothing to take.
        if (LiveClassifications::Entry *entry = classifications_.find(instance)) {
            classify(payload_order_.release(instance, *entry));
            rec.cls = classifications_.take(instance);
        } else {
            rec.cls = FlowClassification{};
        }
        classifier_.finish(rec.cls, rec.key, rec.state);
        sink_.exportFlow(rec);
    }
    pending_.clear();
}

void KernelFlowEngine::exportRound() {
    exportPending();
    pending_.swap(collecting_);
}

Result<size_t> KernelFlowEngine::sweep(uint64_t now_us, const nf_kern_stats &stats) {
    classify(payload_order_.endRound());
    overflow_.advanceTime(now_us);
    Result<size_t> swept = size_t{0};
    // The timers expire the flows, and the deadline queue those the kernel
    // could not give one (expireTimerless). Only when the kernel could not
    // tell of such a flow (events ring full) is the whole map read, once:
    // the expired ones are taken, the others queued. Out of the map now:
    // their payload still on the way is read before the next export round.
    const uint64_t lost = stats.counters[NF_STAT_TIMERLESS_LOST];
    if (lost > lost_at_sweep_ && now_us >= next_safety_sweep_us_) {
        lost_at_sweep_ = lost;
        next_safety_sweep_us_ = now_us + kSafetySweepPeriodUs;
        counters_.safety_sweeps++;
        swept = sweeper_.takeTimerless(now_us, pending_,
                                       [&](const nf_flow_key &key, uint64_t deadline_us) {
                                           timerless_.add(key, deadline_us);
                                       });
        if (swept)
            counters_.safety_swept += swept.value();
    }
    const uint64_t started = stats.counters[NF_STAT_FLOWS_STARTED];
    const uint64_t gone = stats.counters[NF_STAT_FLOWS_EXPIRED] + counters_.safety_swept +
                          timerless_.counters().taken;
    in_map_ = started > gone ? started - gone : 0;
    // Late payload is rare and harmless until the active timeout has passed:
    // scanning for it every 30 rounds is enough (a scan visits every entry).
    const uint64_t cutoff = config_.timeouts.active_us + kClassificationGraceUs;
    if (++rounds_ % kRoundsPerLatePayloadScan == 0 && now_us > cutoff) {
        counters_.late_payload += classifications_.dropOlderThan(now_us - cutoff);
        payload_order_.dropOlderThan(now_us - cutoff);
    }
    return swept;
}

Result<size_t> KernelFlowEngine::finish() {
    classify(payload_order_.release());
    exportPending();
    pending_.swap(collecting_);
    // Room for what the map holds as of the last sweep (every flow still
    // alive, at the end of a busy run hundreds of thousands of 288-byte
    // flows): grown by doubling instead, it was copied ~18 times, twice
    // its final size in all.
    pending_.reserve(pending_.size() + in_map_);
    Result<size_t> drained = sweeper_.takeAll(pending_);
    exportPending();
    overflow_.flushAll();
    return drained;
}

bool KernelFlowEngine::flowLimitReached() const {
    return flow_limit_ != UINT64_MAX && flowsStarted() >= flow_limit_;
}

uint64_t KernelFlowEngine::flowsStarted() const {
    return counters_.flows_exported + counters_.beyond_limit + pending_.size() +
           collecting_.size() + in_map_ + overflow_.activeFlows();
}

KernelFlowEngine::Counters KernelFlowEngine::counters() const {
    Counters c = counters_;
    c.sweep_raced = sweeper_.raced();
    c.retired_skipped = sweeper_.retiredSkipped();
    c.full_map_reads = sweeper_.fullReads();
    c.timerless = timerless_.counters();
    c.payload_reordered = payload_order_.reordered();
    c.payload_past_gap = payload_order_.releasedPastGap();
    return c;
}

}  // namespace netflow
