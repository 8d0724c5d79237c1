// The live path's sweep of the whole flow map (docs/spec/DESIGN.md, "Kernel side"):
// the flows that have expired by a given time (idle, active, TCP end plus
// linger: the counting core's nf_flow_expired) are removed and handed back
// with their final counters. A flow that gets a packet first is ended by
// the kernel itself (a "flow ended" record), and so is one whose timer
// fires first (bpf/netflow_expiry.h; its entry is retired, then deleted):
// each flow instance is exported exactly once, whichever side ends it.
//
// The kernel's timers expire flows, and userspace's deadline queue those
// whose timer could not be set up (TimerlessQueue); this sweep is the
// safety net for the flows the kernel could not tell userspace of
// (NF_STAT_TIMERLESS_LOST, events ring full), and the final drain
// (takeAll).
#pragma once

#include <functional>
#include <vector>

#include "kernel/FlowMapReader.h"
#include "kernel/FlowTaker.h"

namespace netflow {

class FlowSweeper {
  public:
    // take_prog_fd: the programs' nf_xdp_take (CountingPrograms::takeProgramFd).
    FlowSweeper(int map_fd, int take_prog_fd, const nf_timeouts &timeouts)
        : taker_(take_prog_fd), timeouts_(timeouts), reader_(map_fd) {}

    // Appends every flow expired at now_us (kernel monotonic time) to `out`,
    // removed from the map. The map is read as a snapshot (userspace cannot
    // take the entries' lock) to choose; each flow chosen is then taken by
    // the kernel under its lock (FlowTaker), which checks the expiry again,
    // so the counters are final: a packet that arrives later finds no entry
    // and starts a new flow, as it would have by its own time.
    Result<size_t> takeExpired(uint64_t now_us, std::vector<KernelFlow> &out);

    // The safety sweep, when the kernel could not tell userspace of a flow
    // without a timer (NF_STAT_TIMERLESS_LOST): the flows without a timer
    // expired at now_us go to `out`; each one not expired yet goes to
    // `left` with its deadline (for the deadline queue, TimerlessQueue), and
    // so does one the kernel finds not expired when it comes to take it.
    using LeftFn = std::function<void(const nf_flow_key &, uint64_t deadline_us)>;
    Result<size_t> takeTimerless(uint64_t now_us, std::vector<KernelFlow> &out, const LeftFn &left);

    // Reads of the whole map so far (takeExpired, takeTimerless).
    uint64_t fullReads() const { return reader_.fullReads(); }

    // Appends every flow, removed (end of capture).
    Result<size_t> takeAll(std::vector<KernelFlow> &out) { return reader_.drain(out); }

    // Flows in the map at the last takeExpired (before removal).
    size_t lastSeen() const { return seen_.size(); }

    // Flows chosen from the snapshot that the kernel found not expired (a
    // packet came in between) or locked too long: left in the map, counted.
    uint64_t raced() const { return raced_; }

    // Entries left out because their timer was taking them (FlowMapReader).
    uint64_t retiredSkipped() const { return reader_.retiredSkipped() + retired_; }

  private:
    Result<size_t> take(uint64_t now_us, bool timed_too, std::vector<KernelFlow> &out,
                        const std::function<bool(const KernelFlow &)> &expired,
                        const LeftFn *left = nullptr);

    FlowTaker taker_;
    nf_timeouts timeouts_;
    FlowMapReader reader_;
    std::vector<KernelFlow> seen_;
    uint64_t raced_ = 0;
    uint64_t retired_ = 0;
};

}  // namespace netflow
