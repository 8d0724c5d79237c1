#include "pipeline/PayloadOrder.h"

#include <algorithm>

namespace netflow {

void PayloadOrder::add(const nf_rec_payload &rec, const nf_packet &pkt,
                       std::span<const uint8_t> l3) {
    const FlowInstance flow{rec.key, rec.flow_first_us};
    uint32_t &next = next_.try_emplace(flow, 1u).first->second;
    // In line, or behind it (a record released past its gap came later):
    // nothing to wait for.
    if (rec.payload_index <= next) {
        deliver_(rec, pkt, l3);
        next = std::max(next, rec.payload_index + 1);
        deliverInOrder(flow, next);
        return;
    }
    waiting_[flow].push_back(Waiting{rec, pkt, std::vector<uint8_t>(l3.begin(), l3.end()), round_});
    waiting_count_++;
    reordered_++;
    if (waiting_count_ > kMaxWaiting)
        release();
}

void PayloadOrder::deliverInOrder(const FlowInstance &flow, uint32_t &next) {
    auto it = waiting_.find(flow);
    if (it == waiting_.end())
        return;
    std::vector<Waiting> &list = it->second;
    bool progress = true;
    while (progress && !list.empty()) {
        progress = false;
        for (size_t i = 0; i < list.size(); i++) {
            if (list[i].rec.payload_index != next)
                continue;
            Waiting w = std::move(list[i]);
            list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
            waiting_count_--;
            deliver_(w.rec, w.pkt, w.l3);
            next++;
            progress = true;
            break;
        }
    }
    if (list.empty())
        waiting_.erase(it);
}

void PayloadOrder::releaseFlow(const FlowInstance &flow, std::vector<Waiting> &list) {
    std::sort(list.begin(), list.end(), [](const Waiting &a, const Waiting &b) {
        return a.rec.payload_index < b.rec.payload_index;
    });
    uint32_t &next = next_[flow];
    for (const Waiting &w : list) {
        if (w.rec.payload_index > next)
            past_gap_++;
        deliver_(w.rec, w.pkt, w.l3);
        next = std::max(next, w.rec.payload_index + 1);
    }
    waiting_count_ -= list.size();
    list.clear();
}

void PayloadOrder::endRound() {
    for (auto it = waiting_.begin(); it != waiting_.end();) {
        const bool old = std::any_of(it->second.begin(), it->second.end(),
                                     [this](const Waiting &w) { return w.round < round_; });
        if (old) {
            releaseFlow(it->first, it->second);
            it = waiting_.erase(it);
        } else {
            ++it;
        }
    }
    round_++;
}

void PayloadOrder::release() {
    for (auto &[flow, list] : waiting_)
        releaseFlow(flow, list);
    waiting_.clear();
}

void PayloadOrder::forget(const FlowInstance &flow) {
    if (auto it = waiting_.find(flow); it != waiting_.end()) {
        releaseFlow(flow, it->second);
        waiting_.erase(it);
    }
    next_.erase(flow);
}

void PayloadOrder::dropOlderThan(uint64_t cutoff_us) {
    std::erase_if(next_,
                  [cutoff_us](const auto &entry) { return entry.first.first_us < cutoff_us; });
}

}  // namespace netflow
