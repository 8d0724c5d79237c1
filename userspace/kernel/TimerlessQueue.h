// Expiry of the flow entries the kernel could not give a timer
// (bpf_timer_init fails now and then under load on 6.18: kmalloc_nolock),
// without reading the whole map (docs/decisions.md, "Expiry without a
// timer"). The kernel sends each such entry's key and deadline
// (NF_REC_TIMERLESS); they wait here in a min-heap by deadline, and at its
// deadline each key's entry is looked at alone, under its lock, by the
// kernel (FlowTaker: userspace cannot take the lock itself):
//   - gone, retired by a timer, or given a timer by a later packet: the
//     key leaves the queue (the timer or whoever removed it ends the flow);
//   - expired (the core's nf_flow_expired at that time): taken out of the
//     map in the same step and handed back, as the sweep took flows;
//   - not expired (packets came since, or the flow restarted in the same
//     entry): back in the queue at its new deadline;
//   - its lock held too long (NF_TAKE_BUSY): looked at again shortly.
// The cost is one lookup per flow per idle timeout it lives, whatever the
// number of flows held.
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

#include "kernel/FlowMapReader.h"
#include "kernel/FlowTaker.h"

namespace netflow {

class TimerlessQueue {
  public:
    // take_prog_fd: the programs' nf_xdp_take (CountingPrograms::takeProgramFd).
    // The timeouts are the programs' own (nf_xdp_take decides).
    explicit TimerlessQueue(int take_prog_fd) : taker_(take_prog_fd) {}

    // A key whose entry has no timer, to be looked at just after deadline_us
    // (kernel monotonic microseconds). A key may be added twice (its entry
    // removed and inserted again): both look at the same entry, the second
    // finds it gone or not expired.
    void add(const nf_flow_key &key, uint64_t deadline_us);

    // Looks at every key due at now_us; appends the flows expired to `out`.
    // Returns how many it appended.
    Result<size_t> takeDue(uint64_t now_us, std::vector<KernelFlow> &out);

    size_t size() const { return heap_.size(); }

    struct Counters {
        uint64_t added = 0;     // keys received
        uint64_t lookups = 0;   // entries looked up at their deadline
        uint64_t taken = 0;     // flows expired and taken out of the map
        uint64_t requeued = 0;  // not expired yet: back in the queue
        uint64_t timed = 0;     // given a timer by a later packet meanwhile
        uint64_t raced = 0;     // lock busy: looked at again shortly
    };
    const Counters &counters() const { return counters_; }

  private:
    struct Due {
        uint64_t at_us;
        nf_flow_key key;
        bool operator>(const Due &other) const { return at_us > other.at_us; }
    };

    // An entry whose lock stayed busy is looked at again this much later.
    static constexpr uint64_t kBusyRetryUs = 10000;

    FlowTaker taker_;
    std::priority_queue<Due, std::vector<Due>, std::greater<Due>> heap_;
    Counters counters_;
};

}  // namespace netflow
