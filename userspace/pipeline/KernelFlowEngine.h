// The live kernel path's userspace half (docs/spec/DESIGN.md): it takes what the
// kernel programs send (flows they ended, packets the full flow map could
// not take, payload packets for DPI; the kernel's timers expire the flows
// of its map, bpf/netflow_expiry.h, and userspace's deadline queue those
// it could not give a timer, TimerlessQueue), gives each flow its
// classification and exports it through the same sink as the offline
// path. It reads the whole map only at the end, and as a safety net when
// the kernel could not tell of a flow without a timer (ring full).
//
// Payload records travel on their own ring buffer (or AF_XDP sockets), so
// the payload of a flow instance can be read just after the record that
// ends it. Flows to export therefore wait for one more read of the rings:
// what is collected before export round n is exported in round n+1, a
// tenth of a second later (docs/live-export.md).
#pragma once

#include <span>
#include <utility>
#include <vector>

#include "dpi/FlowClassifier.h"
#include "flow/FlowMeter.h"
#include "flow/LiveClassifications.h"
#include "kernel/CountingPrograms.h"
#include "kernel/EventRing.h"
#include "kernel/FlowSweeper.h"
#include "kernel/TimerlessQueue.h"
#include "pipeline/PayloadOrder.h"

namespace netflow {

class KernelFlowEngine : public EventHandler {
  public:
    KernelFlowEngine(const MeterConfig &config, const CountingPrograms &programs,
                     FlowClassifier &classifier, FlowExporter &sink);

    // EventHandler: records from the kernel's ring buffers.
    void onFlowEnded(const nf_rec_flow_ended &record) override;
    void onUnmappedPacket(const nf_rec_packet &record) override;
    void onTimerless(const nf_rec_timerless &record) override;
    void onPayload(const nf_rec_payload &record, const nf_packet &packet,
                   std::span<const uint8_t> l3) override;

    // An export round, after the rings were read: exports the flows
    // collected before the previous round, and keeps those collected since
    // for the next one.
    void exportRound();

    // Every round, after the rings were read and before exportRound(): the
    // flows without a timer due at now_us (kernel monotonic time) are
    // looked up alone, those expired taken from the map (TimerlessQueue),
    // to be exported in the next export round. Returns the flows taken.
    Result<size_t> expireTimerless(uint64_t now_us);

    // Once a second, with the kernel's statistics: expires the overflow
    // flows; only when the kernel could not tell of a flow without a
    // timer (NF_STAT_TIMERLESS_LOST grew: the events ring was full), one
    // read of the whole map takes those expired and queues the others, at
    // most once every kSafetySweepPeriodUs (a sweep of a million flows
    // takes seconds, while which more records are lost: sweeping each
    // second fed itself in nic_bench's 1 M-flow run). Returns the flows
    // swept.
    Result<size_t> sweep(uint64_t now_us, const nf_kern_stats &stats);
    static constexpr uint64_t kSafetySweepPeriodUs = 10'000'000;

    // End of capture (programs detached, rings read): every flow still in
    // the map, every pending one and every overflow flow is exported.
    Result<size_t> finish();

    // --max-flows N (config.max_flows, docs/decisions.md "--max-flows"):
    // true once N flows have started, as far as userspace knows (exported,
    // waiting, in the kernel map at the last sweep, open in userspace): the
    // run stops. Only the first N flows exported are written; flows the
    // programs started meanwhile are counted (counters().beyond_limit).
    bool flowLimitReached() const;

    // Flows started so far, as of the last sweep.
    uint64_t flowsStarted() const;

    // --metrics: flows in the kernel map as of the last sweep() (started
    // less ended), flows open in userspace because the map was full,
    // payload records waiting for an earlier one of their flow.
    size_t mapFlows() const { return static_cast<size_t>(in_map_); }
    size_t overflowFlows() const { return overflow_.activeFlows(); }
    size_t payloadWaiting() const { return payload_order_.waiting(); }

    struct Counters {
        uint64_t flows_exported = 0;    // flows written, kernel and overflow
        uint64_t beyond_limit = 0;      // ended after --max-flows were written
        uint64_t overflow_packets = 0;  // counted here because the map was full
        uint64_t payload_records = 0;
        uint64_t dpi_done_marks = 0;
        uint64_t dpi_done_failures = 0;
        uint64_t late_payload = 0;           // payload of flows exported before it came
        uint64_t payload_reordered = 0;      // came ahead of a flow's earlier payload: waited
        uint64_t payload_past_gap = 0;       // went on with an earlier one still missing
        uint64_t sweep_raced = 0;            // swept just as a packet restarted the key
        uint64_t safety_sweeps = 0;          // full reads of the map for flows without a timer
        uint64_t safety_swept = 0;           // flows those sweeps expired
        uint64_t full_map_reads = 0;         // reads of the whole map while running (sweeps)
        TimerlessQueue::Counters timerless;  // flows without a timer, by their deadline
        uint64_t retired_skipped = 0;        // entries read as their timer was taking them
    };
    Counters counters() const;

  private:
    // Every flow leaves through here, kernel and overflow alike: the
    // --max-flows limit applies to both.
    class LimitedExporter : public FlowExporter {
      public:
        LimitedExporter(FlowExporter &sink, Counters &counters, const uint64_t &limit)
            : sink_(sink), counters_(counters), limit_(limit) {}
        void exportFlow(const FlowRecord &flow) override;

      private:
        FlowExporter &sink_;
        Counters &counters_;
        const uint64_t &limit_;
    };

    void exportPending();
    // Payload records in their flow's order: nDPI and the DNS/FTP parsers.
    void classify(PayloadOrder::Ready ready);
    void classify(FlowClassification &cls, const nf_rec_payload &record, const nf_packet &packet,
                  std::span<const uint8_t> l3);

    MeterConfig config_;
    const CountingPrograms &programs_;
    FlowClassifier &classifier_;
    uint64_t flow_limit_ = UINT64_MAX;
    Counters counters_;
    LimitedExporter sink_;
    FlowSweeper sweeper_;
    TimerlessQueue timerless_;
    LiveClassifications classifications_;
    PayloadOrder payload_order_;  // delivers into classifications_
    // Flows the kernel map could not take are counted here, by the same
    // engine as offline (no payload: nDPI guesses from the key).
    FlowMeter overflow_;
    std::vector<KernelFlow> pending_;                        // exported in the next export round
    std::vector<KernelFlow> collecting_;                     // ended since the last export round
    std::vector<std::pair<uint64_t, size_t>> export_order_;  // of pending_: start, index
    uint64_t next_first_seen_ = 0;
    uint64_t rounds_ = 0;
    // Flows in the kernel's map as of the last sweep(): started there, less
    // those its timers or a sweep ended.
    uint64_t in_map_ = 0;
    uint64_t lost_at_sweep_ = 0;  // NF_STAT_TIMERLESS_LOST at the last safety sweep
    uint64_t next_safety_sweep_us_ = 0;
};

}  // namespace netflow
