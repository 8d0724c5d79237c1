// Removes a live flow from the kernel's flow map under its entry's lock,
// which userspace cannot take itself (bpf/netflow_lock.h): it runs the
// never-attached program nf_xdp_take with BPF_PROG_TEST_RUN, a struct
// nf_take_msg as the packet (bpf/netflow_kern_user.h). One syscall per flow.
#pragma once

#include <cstdint>

#include "kernel/KernelError.h"
#include "netflow_kern_user.h"

namespace netflow {

struct TakeOutcome {
    nf_take_result result = NF_TAKE_GONE;
    uint64_t deadline_us = 0;  // NF_TAKE_LATER
    nf_flow_state state{};     // NF_TAKE_TAKEN
    bool timer_set = false;    // NF_TAKE_TAKEN
};

class FlowTaker {
  public:
    explicit FlowTaker(int take_prog_fd) : prog_fd_(take_prog_fd) {}

    // The flow under `key`, taken out of the map when it is expired at
    // now_us (kernel monotonic microseconds; the core's nf_flow_expired);
    // with timed_too also when its entry has a timer.
    Result<TakeOutcome> take(const nf_flow_key &key, uint64_t now_us, bool timed_too) const;

  private:
    int prog_fd_;
};

}  // namespace netflow
