// The order in which the one-thread flow meter exports flows, rebuilt from
// the exports of several workers (docs/threads.md).
//
// One meter exports at packets: before counting packet p (at capture time
// now_p, which never goes back) it exports every flow expired at now_p, and
// the flow p restarts (TCP SYN after an end), as one batch in start order;
// at the end of the capture, every open flow in start order. So a flow's
// place is (its export event, its start), where the event is the packet
// index p, or "the end". A worker only sees its own packets and exports a
// timed-out flow at one of them, maybe later than p: it sends the deadline
// instead (expired once the time passes it), and the event is the first
// packet of the capture whose time passes the deadline, found in the
// capture's clock (the reader's steps: where the time grew).
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

#include "flow/ChunkedVector.h"
#include "flow/FlowRecord.h"

namespace netflow {

// Why a worker exported a flow.
enum class ExportCause : uint8_t {
    Timeout,  // `at` is its deadline: expired at any time after it
    Restart,  // `at` is the index of the packet that restarted it
    End,      // the end of the capture (or of the run)
};

struct ExportedFlow {
    ExportCause cause = ExportCause::End;
    uint64_t at = 0;
    FlowRecord rec;  // first_seen: the index of the packet that started it
};

// The deadline of a flow: nf_flow_expired() is true exactly at times after it.
uint64_t expiryDeadline(const nf_flow_state &state, const nf_timeouts &timeouts);

class ExportOrder {
  public:
    static constexpr uint64_t kEnd = UINT64_MAX;

    // The capture's clock: packet `index` is the first whose time is
    // time_us. Both grow from call to call.
    void addStep(uint64_t index, uint64_t time_us);

    // A worker's flow. For a timeout, the step that passes its deadline
    // must have been added (the worker saw a later time).
    void add(ExportedFlow &&flow);

    // Passes to out(FlowRecord &) every held flow whose event is before
    // packet `watermark` (kEnd: all of them), and the end's flows that
    // started before packet `end_bound` (each worker exports its open flows
    // at the end in start order, after its other flows), in export order,
    // at most `limit` of them: returns whether more are due. Once none is,
    // the steps no later flow can need are dropped.
    template <typename Out>
    bool release(uint64_t watermark, uint64_t end_bound, Out &&out, size_t limit = SIZE_MAX) {
        size_t released = 0;
        while (!heap_.empty() &&
               (heap_.front().event < watermark ||
                (heap_.front().event == kEnd && heap_.front().first_seen < end_bound))) {
            if (released++ == limit)
                return true;
            const uint32_t slot = popFirst();
            out(records_[slot]);
            records_[slot].cls = FlowClassification{};
            free_.push_back(slot);
        }
        while (!steps_.empty() && steps_.front().index < watermark)
            steps_.pop_front();
        return false;
    }

    size_t held() const { return heap_.size(); }
    // The most flows held at once (-v: the merger's backlog).
    size_t mostHeld() const { return most_held_; }

  private:
    struct Step {
        uint64_t index;
        uint64_t time_us;
    };
    struct Held {
        uint64_t event;
        uint64_t first_seen;
        uint32_t slot;
    };
    uint64_t eventOf(const ExportedFlow &flow) const;
    uint32_t popFirst();

    std::deque<Step> steps_;
    std::vector<Held> heap_;  // a min-heap by (event, first_seen)
    // Slots reused through free_; in chunks of 1,024 (growing copies none:
    // a vector's doubling held old and new copies, and up to 2x slack).
    ChunkedVector<FlowRecord, 10> records_;
    std::vector<uint32_t> free_;
    size_t most_held_ = 0;
};

}  // namespace netflow
