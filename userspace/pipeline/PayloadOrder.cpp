#include "pipeline/PayloadOrder.h"

#include <algorithm>

namespace netflow {

void PayloadOrder::startReady() {
    ready_.clear();
    released_.clear();
}

PayloadOrder::Ready PayloadOrder::ready() {
    return ready_;
}

PayloadOrder::Ready PayloadOrder::add(const nf_rec_payload &rec, const nf_packet &pkt,
                                      std::span<const uint8_t> l3) {
    startReady();
    const FlowInstance flow{rec.key, rec.flow_first_us};
    LiveClassifications::Entry &entry = store_.entry(flow);
    uint32_t &next = entry.next_payload;
    // In line, or behind it (a record released past its gap came later):
    // nothing to wait for.
    if (rec.payload_index <= next) {
        ready_.push_back(ReadyPayload{&rec, &pkt, l3, &entry.cls});
        next = std::max(next, rec.payload_index + 1);
        // Records of this flow may wait behind it: only if it has a line
        // (most have none; a lookup in the lines for every record cost the
        // sensor a fifth of its own CPU while losses left many lines).
        if (entry.has_line) {
            auto it = lines_.find(flow);
            if (it == lines_.end()) {
                entry.has_line = false;
            } else {
                releaseFront(entry, it->second, false);
                if (it->second.waiting.empty() && !it->second.listed) {
                    lines_.erase(it);
                    entry.has_line = false;
                }
            }
        }
        return ready();
    }
    Line &line = lines_[flow];
    entry.has_line = true;
    if (!line.waiting
             .try_emplace(rec.payload_index,
                          Waiting{rec, pkt, std::vector<uint8_t>(l3.begin(), l3.end()), round_})
             .second) {
        ready_.push_back(
            ReadyPayload{&rec, &pkt, l3, &entry.cls});  // the same index twice: no order
        return ready();
    }
    waiting_count_++;
    reordered_++;
    if (!line.listed) {
        line.listed = true;
        waiting_lines_.push_back(flow);
    }
    if (waiting_count_ > kMaxWaiting) {
        for (auto &[waiting_flow, waiting_line] : lines_)
            releaseLine(waiting_flow, waiting_line);
    }
    return ready();
}

void PayloadOrder::releaseFront(LiveClassifications::Entry &entry, Line &line, bool gaps) {
    if (line.waiting.empty())
        return;
    uint32_t &next = entry.next_payload;
    while (!line.waiting.empty() && (gaps || line.waiting.begin()->first <= next)) {
        auto node = line.waiting.extract(line.waiting.begin());
        const Waiting &w = released_.emplace_back(std::move(node.mapped()));
        if (w.rec.payload_index > next)
            past_gap_++;
        ready_.push_back(ReadyPayload{&w.rec, &w.pkt, w.l3, &entry.cls});
        next = std::max(next, w.rec.payload_index + 1);
        waiting_count_--;
    }
}

void PayloadOrder::releaseLine(const FlowInstance &flow, Line &line) {
    if (!line.waiting.empty())
        releaseFront(store_.entry(flow), line, true);
}

// A line stays while it is listed (waiting_lines_ names it); endRound
// erases it once it has nothing waiting.
PayloadOrder::Ready PayloadOrder::endRound() {
    startReady();
    size_t kept = 0;
    for (const FlowInstance &flow : waiting_lines_) {
        auto it = lines_.find(flow);
        if (it == lines_.end() || !it->second.listed)
            continue;  // exported or dropped meanwhile (or listed again below)
        Line &line = it->second;
        if (std::any_of(line.waiting.begin(), line.waiting.end(),
                        [this](const auto &entry) { return entry.second.round < round_; }))
            releaseLine(flow, line);
        if (line.waiting.empty()) {
            lines_.erase(it);
            if (LiveClassifications::Entry *entry = store_.find(flow))
                entry->has_line = false;
        } else
            waiting_lines_[kept++] = flow;  // came this round: next round's
    }
    waiting_lines_.resize(kept);
    round_++;
    return ready();
}

PayloadOrder::Ready PayloadOrder::release() {
    startReady();
    for (auto &[flow, line] : lines_)
        releaseLine(flow, line);
    return ready();
}

PayloadOrder::Ready PayloadOrder::release(const FlowInstance &flow,
                                          LiveClassifications::Entry &entry) {
    startReady();
    if (entry.has_line) {
        if (auto it = lines_.find(flow); it != lines_.end()) {
            releaseFront(entry, it->second, true);
            lines_.erase(it);
        }
    }
    // A record of this instance after its export starts a new line.
    entry.next_payload = 1;
    entry.has_line = false;
    return ready();
}

size_t PayloadOrder::dropOlderThan(uint64_t cutoff_us) {
    return std::erase_if(lines_, [this, cutoff_us](const auto &entry) {
        if (entry.first.first_us >= cutoff_us)
            return false;
        waiting_count_ -= entry.second.waiting.size();
        return true;
    });
}

}  // namespace netflow
