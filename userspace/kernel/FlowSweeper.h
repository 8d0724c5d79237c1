// The live path's sweep of the whole flow map (docs/spec/DESIGN.md, "Kernel side"):
// the flows that have expired by a given time (idle, active, TCP end plus
// linger: the counting core's nf_flow_expired) are removed and handed back
// with their final counters. A flow that gets a packet first is ended by
// the kernel itself (a "flow ended" record), and so is one whose timer
// fires first (bpf/netflow_expiry.h; its entry is retired, then deleted):
// each flow instance is exported exactly once, whichever side ends it.
//
// The kernel's timers expire flows; this sweep is the safety net for the
// flows whose timer could not be set up (NF_STAT_TIMER_FAILED), and the
// final drain (takeAll).
#pragma once

#include <functional>
#include <vector>

#include "kernel/FlowMapReader.h"

namespace netflow {

class FlowSweeper {
  public:
    FlowSweeper(int map_fd, const nf_timeouts &timeouts)
        : map_fd_(map_fd), timeouts_(timeouts), reader_(map_fd) {}

    // Appends every flow expired at now_us (kernel monotonic time) to `out`,
    // removed from the map. Each is taken with one lookup-and-delete under
    // its lock, so the counters are final: a packet that arrives later finds
    // no entry and starts a new flow, as it would have by its own time.
    Result<size_t> takeExpired(uint64_t now_us, std::vector<KernelFlow> &out);

    // The safety sweep: the flows without a timer expired at now_us, and
    // any flow expired at now_us - margin_us (its timer should have fired
    // by then). lastTimerless() then says how many flows without a timer
    // it saw and left (not expired yet).
    Result<size_t> takeTimerless(uint64_t now_us, uint64_t margin_us, std::vector<KernelFlow> &out);
    size_t lastTimerless() const { return timerless_; }

    // Appends every flow, removed (end of capture).
    Result<size_t> takeAll(std::vector<KernelFlow> &out) { return reader_.drain(out); }

    // Flows in the map at the last takeExpired (before removal).
    size_t lastSeen() const { return seen_.size(); }

    // Flows removed here that were not the instance seen when deciding
    // (a packet restarted the key in between): exported anyway, counted.
    uint64_t raced() const { return raced_; }

    // Entries left out because their timer was taking them (FlowMapReader).
    uint64_t retiredSkipped() const { return reader_.retiredSkipped() + retired_; }

  private:
    Result<size_t> take(std::vector<KernelFlow> &out,
                        const std::function<bool(const KernelFlow &)> &expired);

    int map_fd_;
    nf_timeouts timeouts_;
    FlowMapReader reader_;
    std::vector<KernelFlow> seen_;
    uint64_t raced_ = 0;
    uint64_t retired_ = 0;
    size_t timerless_ = 0;
};

}  // namespace netflow
