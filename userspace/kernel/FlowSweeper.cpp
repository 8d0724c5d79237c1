#include "kernel/FlowSweeper.h"

#include <functional>

#include "flow_count.h"

namespace netflow {

Result<size_t> FlowSweeper::takeExpired(uint64_t now_us, std::vector<KernelFlow> &out) {
    return take(now_us, true, out, [&](const KernelFlow &flow) {
        return nf_flow_expired(&flow.state, now_us, &timeouts_) != 0;
    });
}

Result<size_t> FlowSweeper::takeTimerless(uint64_t now_us, std::vector<KernelFlow> &out,
                                          const LeftFn &left) {
    return take(
        now_us, false, out,
        [&](const KernelFlow &flow) {
            if (flow.has_timer)
                return false;
            if (nf_flow_expired(&flow.state, now_us, &timeouts_))
                return true;
            left(flow.key, nf_flow_deadline_us(&flow.state, &timeouts_));
            return false;
        },
        &left);
}

Result<size_t> FlowSweeper::take(uint64_t now_us, bool timed_too, std::vector<KernelFlow> &out,
                                 const std::function<bool(const KernelFlow &)> &expired,
                                 const LeftFn *left) {
    seen_.clear();
    Result<size_t> read = reader_.readAll(seen_);
    if (!read)
        return read;
    const size_t before = out.size();
    for (const KernelFlow &flow : seen_) {
        if (!expired(flow))
            continue;
        Result<TakeOutcome> took = taker_.take(flow.key, now_us, timed_too);
        if (!took)
            return Result<size_t>::failure("cannot remove an expired flow: " + took.error());
        const TakeOutcome &t = took.value();
        switch (t.result) {
            case NF_TAKE_TAKEN:
                out.push_back(KernelFlow{flow.key, t.state, t.timer_set});
                break;
            case NF_TAKE_GONE:
                retired_++;  // its timer (or a packet's restart and end) took it meanwhile
                break;
            case NF_TAKE_TIMED:
                break;  // it got a timer meanwhile: the timer ends it
            case NF_TAKE_LATER:
                raced_++;  // a packet came meanwhile: a later look takes it
                if (left)
                    (*left)(flow.key, t.deadline_us);
                break;
            case NF_TAKE_BUSY:
                raced_++;  // a packet holds it: a later look takes it
                if (left)
                    (*left)(flow.key, now_us);
                break;
        }
    }
    return out.size() - before;
}

}  // namespace netflow
