#include "pipeline/PayloadOrder.h"

#include <algorithm>

namespace netflow {

void PayloadOrder::add(const nf_rec_payload &rec, const nf_packet &pkt,
                       std::span<const uint8_t> l3) {
    const FlowInstance flow{rec.key, rec.flow_first_us};
    uint32_t &next = flows_.nextPayload(flow);
    // In line, or behind it (a record released past its gap came later):
    // nothing to wait for.
    if (rec.payload_index <= next) {
        deliver_(rec, pkt, l3);
        next = std::max(next, rec.payload_index + 1);
        if (auto it = waiting_.find(flow); it != waiting_.end())
            deliverFront(flow, it->second, false);
        return;
    }
    WaitingByIndex &list = waiting_[flow];
    if (!list.try_emplace(rec.payload_index,
                          Waiting{rec, pkt, std::vector<uint8_t>(l3.begin(), l3.end()), round_})
             .second) {
        deliver_(rec, pkt, l3);  // the same index twice: nothing to order it by
        return;
    }
    waiting_count_++;
    reordered_++;
    if (waiting_count_ > kMaxWaiting)
        release();
}

void PayloadOrder::deliverFront(const FlowInstance &flow, WaitingByIndex &list, bool gaps) {
    uint32_t &next = flows_.nextPayload(flow);
    while (!list.empty() && (gaps || list.begin()->first <= next)) {
        auto node = list.extract(list.begin());
        const Waiting &w = node.mapped();
        if (w.rec.payload_index > next)
            past_gap_++;
        deliver_(w.rec, w.pkt, w.l3);
        next = std::max(next, w.rec.payload_index + 1);
        waiting_count_--;
    }
    if (list.empty())
        waiting_.erase(flow);
}

void PayloadOrder::endRound() {
    std::vector<FlowInstance> due;
    for (const auto &[flow, list] : waiting_) {
        if (std::any_of(list.begin(), list.end(),
                        [this](const auto &entry) { return entry.second.round < round_; }))
            due.push_back(flow);
    }
    for (const FlowInstance &flow : due)
        deliverFront(flow, waiting_.at(flow), true);
    round_++;
}

void PayloadOrder::release() {
    while (!waiting_.empty()) {
        auto it = waiting_.begin();
        deliverFront(it->first, it->second, true);
    }
}

void PayloadOrder::release(const FlowInstance &flow) {
    if (auto it = waiting_.find(flow); it != waiting_.end())
        deliverFront(flow, it->second, true);
}

}  // namespace netflow
