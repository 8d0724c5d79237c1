#include "pipeline/ExportOrder.h"

#include <algorithm>
#include <stdexcept>

#include "flow_count.h"

namespace netflow {
namespace {

uint64_t saturatingAdd(uint64_t a, uint64_t b) {
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

// std::push_heap makes a max-heap: the "greater" comparison puts the first
// flow in export order at the front.
bool later(uint64_t event_a, uint64_t first_a, uint64_t event_b, uint64_t first_b) {
    return event_a != event_b ? event_a > event_b : first_a > first_b;
}

}  // namespace

uint64_t expiryDeadline(const nf_flow_state &state, const nf_timeouts &timeouts) {
    uint64_t deadline = std::min(saturatingAdd(state.last_us, timeouts.idle_us),
                                 saturatingAdd(state.first_us, timeouts.active_us));
    if (state.ended)
        deadline = std::min(deadline, saturatingAdd(state.last_us, NF_TCP_END_LINGER_US));
    return deadline;
}

void ExportOrder::addStep(uint64_t index, uint64_t time_us) {
    steps_.push_back({index, time_us});
}

uint64_t ExportOrder::eventOf(const ExportedFlow &flow) const {
    switch (flow.cause) {
        case ExportCause::Restart:
            return flow.at;
        case ExportCause::End:
            return kEnd;
        case ExportCause::Timeout:
            break;
    }
    auto step =
        std::upper_bound(steps_.begin(), steps_.end(), flow.at,
                         [](uint64_t deadline, const Step &s) { return deadline < s.time_us; });
    if (step == steps_.end())
        throw std::logic_error("a timed-out flow ahead of the capture's clock");
    return step->index;
}

void ExportOrder::add(ExportedFlow &&flow) {
    const uint64_t event = eventOf(flow);
    uint32_t slot;
    if (!free_.empty()) {
        slot = free_.back();
        free_.pop_back();
        records_[slot] = std::move(flow.rec);
    } else {
        slot = static_cast<uint32_t>(records_.size());
        records_.emplace_back() = std::move(flow.rec);
    }
    heap_.push_back({event, records_[slot].first_seen, slot});
    most_held_ = std::max(most_held_, heap_.size());
    std::push_heap(heap_.begin(), heap_.end(), [](const Held &a, const Held &b) {
        return later(a.event, a.first_seen, b.event, b.first_seen);
    });
}

uint32_t ExportOrder::popFirst() {
    std::pop_heap(heap_.begin(), heap_.end(), [](const Held &a, const Held &b) {
        return later(a.event, a.first_seen, b.event, b.first_seen);
    });
    const uint32_t slot = heap_.back().slot;
    heap_.pop_back();
    return slot;
}

}  // namespace netflow
