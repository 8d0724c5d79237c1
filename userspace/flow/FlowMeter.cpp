#include "flow/FlowMeter.h"

#include <algorithm>

#include "flow/FlowKeyHash.h"
#include "flow_count.h"
#include "flow_key.h"
#include "packet_parse.h"

namespace netflow {

FlowMeter::FlowMeter(const MeterConfig &config, FlowClassifier &classifier, FlowExporter &exporter)
    : config_(config), classifier_(classifier), exporter_(exporter), table_(config.timeouts) {}

PacketKey packetKey(const nf_packet &pkt) {
    PacketKey k;
    k.from_lo = nf_flow_key_from_packet(&pkt, &k.key);
    k.hash = hashFlowKey(k.key);
    return k;
}

FlowMeter::Verdict FlowMeter::count(const nf_packet &pkt, const PacketKey &k,
                                    std::span<const uint8_t> l3, uint64_t time_us,
                                    uint64_t first_seen) {
    latest_us_ = std::max(latest_us_, time_us);
    const uint64_t now = latest_us_;

    const nf_flow_key &key = k.key;
    const int from_lo = k.from_lo;
    uint32_t id = table_.find(key, k.hash);

    // Everything that expired by now goes out before this packet counts,
    // with the packet's own flow when a SYN restarts it: one batch, in
    // first-seen order.
    expired_.clear();
    table_.collectExpired(now, expired_);
    if (id != kNoFlow) {
        bool expired = std::find(expired_.begin(), expired_.end(), id) != expired_.end();
        if (!expired && nf_flow_restarts_on_syn(&table_.at(id).state, &pkt)) {
            auto pos = std::lower_bound(
                expired_.begin(), expired_.end(), id, [this](uint32_t a, uint32_t b) {
                    return table_.at(a).first_seen < table_.at(b).first_seen;
                });
            expired_.insert(pos, id);
            expired = true;
        }
        if (expired)
            id = kNoFlow;
    }
    for (uint32_t expired_id : expired_)
        exportFlow(expired_id);
    if (id == kNoFlow) {
        if (config_.max_flows && flows_started_ >= *config_.max_flows)
            return Verdict::FlowLimitReached;
        id = table_.insert(key, k.hash, first_seen);
        nf_flow_init(&table_.at(id).state, &pkt, from_lo, now);
        flows_started_++;
    }

    FlowRecord &rec = table_.at(id);
    nf_flow_count(&rec.state, &pkt, nf_packet_dir(&rec.state, from_lo), now);
    table_.touch(id);

    if (pkt.payload_len > 0) {
        int want = nf_payload_wanted(&rec.state, &rec.key, &config_.budget);
        if (want) {
            bool last_dpi = rec.state.payload_pkts >= config_.budget.dpi_packets;
            // The datagram only: Ethernet padding after it is never payload.
            std::span<const uint8_t> datagram =
                l3.first(nf_datagram_len(static_cast<uint32_t>(l3.size()), 0, pkt.ip_len));
            if (classifier_.onPayload(rec.cls, rec.key, pkt, datagram, now, want, last_dpi))
                rec.state.dpi_done = 1;
        }
    }
    return Verdict::Counted;
}

void FlowMeter::advanceTime(uint64_t now_us) {
    latest_us_ = std::max(latest_us_, now_us);
    expired_.clear();
    table_.collectExpired(latest_us_, expired_);
    for (uint32_t id : expired_)
        exportFlow(id);
}

void FlowMeter::flushAll() {
    expired_.clear();
    table_.collectAll(expired_);
    for (uint32_t id : expired_)
        exportFlow(id);
}

void FlowMeter::exportFlow(uint32_t id) {
    FlowRecord &rec = table_.at(id);
    classifier_.finish(rec.cls, rec.key, rec.state);
    exporter_.exportFinished(rec);
    flows_exported_++;
    table_.erase(id);
}

}  // namespace netflow
