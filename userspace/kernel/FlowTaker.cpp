#include "kernel/FlowTaker.h"

#include <bpf/bpf.h>

#include <cstring>

namespace netflow {

Result<TakeOutcome> FlowTaker::take(const nf_flow_key &key, uint64_t now_us, bool timed_too) const {
    nf_take_msg msg{};
    msg.key = key;
    msg.now_us = now_us;
    msg.flags = timed_too ? NF_TAKE_TIMED_TOO : 0;
    nf_take_msg back{};
    // Not LIBBPF_OPTS: its statement expression is not ISO C++.
    bpf_test_run_opts opts{};
    opts.sz = sizeof(opts);
    opts.data_in = &msg;
    opts.data_size_in = sizeof(msg);
    opts.data_out = &back;
    opts.data_size_out = sizeof(back);
    opts.repeat = 1;
    if (int err = bpf_prog_test_run_opts(prog_fd_, &opts))
        return Result<TakeOutcome>::failure(errnoMessage("taking a flow out of the map", err));
    if (opts.data_size_out != sizeof(back) || back.result < NF_TAKE_GONE ||
        back.result > NF_TAKE_BUSY)
        return Result<TakeOutcome>::failure("taking a flow out of the map: no result");
    TakeOutcome out;
    out.result = static_cast<nf_take_result>(back.result);
    out.deadline_us = back.deadline_us;
    out.state = back.state;
    out.timer_set = back.timer_set != 0;
    return out;
}

}  // namespace netflow
