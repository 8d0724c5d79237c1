// The userspace flow engine: takes parsed packets in time order, applies
// timeouts and TCP ends, counts with the shared core, hands payload to the
// classifier and exports finished flows. The offline path and the live
// libpcap fallback both drive it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "dpi/FlowClassifier.h"
#include "flow/FlowRecord.h"
#include "flow/FlowTable.h"
#include "payload_budget.h"

namespace netflow {

// Receives each finished flow, once, in export order.
class FlowExporter {
  public:
    virtual ~FlowExporter() = default;
    virtual void exportFlow(const FlowRecord &flow) = 0;
    // The same, from a meter that drops the flow right after: an exporter
    // that keeps it (a threaded run's worker) may move its classification
    // out.
    virtual void exportFinished(FlowRecord &flow) { exportFlow(flow); }
};

// A packet's canonical flow key, the side of it the packet came from
// (nf_flow_key_from_packet) and the key's hash (hashFlowKey): what finding
// its flow takes, worked out once (a threaded worker needs the hash ahead,
// for its cache hints, and gives all of it to count()).
struct PacketKey {
    nf_flow_key key;
    uint32_t hash;
    int from_lo;
};
PacketKey packetKey(const nf_packet &pkt);

struct MeterConfig {
    nf_timeouts timeouts{30'000'000, 120'000'000};
    nf_payload_budget budget{32, 256};
    std::optional<uint64_t> max_flows;  // stop before the flow after this many
};

class FlowMeter {
  public:
    FlowMeter(const MeterConfig &config, FlowClassifier &classifier, FlowExporter &exporter);

    enum class Verdict {
        Counted,
        FlowLimitReached,  // the packet would start flow max_flows + 1: not counted
    };

    // One parsed packet; `l3` is its captured bytes from the IP header on.
    // Times that go back are taken as the latest time seen.
    Verdict count(const nf_packet &pkt, std::span<const uint8_t> l3, uint64_t time_us) {
        return count(pkt, l3, time_us, flows_started_);
    }
    // The same, with the start order given to a flow this packet starts
    // (FlowRecord::first_seen; it must grow from call to call). Several
    // meters sharing one capture give the packet's index in the capture.
    Verdict count(const nf_packet &pkt, std::span<const uint8_t> l3, uint64_t time_us,
                  uint64_t first_seen) {
        return count(pkt, packetKey(pkt), l3, time_us, first_seen);
    }
    // The same with the packet's key worked out already.
    Verdict count(const nf_packet &pkt, const PacketKey &k, std::span<const uint8_t> l3,
                  uint64_t time_us, uint64_t first_seen);

    // Cache hints for a packet counted a little later (FlowTable's).
    const FlowTable &table() const { return table_; }

    // Exports the flows expired at now_us, with no packet to count (a live
    // capture's clock moves on while the network is quiet).
    void advanceTime(uint64_t now_us);

    // Exports every open flow, in start order.
    void flushAll();

    uint64_t flowsStarted() const { return flows_started_; }
    uint64_t flowsExported() const { return flows_exported_; }
    size_t activeFlows() const { return table_.size(); }
    // The latest packet time seen (or given to advanceTime).
    uint64_t now() const { return latest_us_; }

  private:
    void exportFlow(uint32_t id);

    MeterConfig config_;
    FlowClassifier &classifier_;
    FlowExporter &exporter_;
    FlowTable table_;
    std::vector<uint32_t> expired_;
    uint64_t latest_us_ = 0;
    uint64_t flows_started_ = 0;
    uint64_t flows_exported_ = 0;
};

}  // namespace netflow
