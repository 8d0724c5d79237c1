#include "kernel/TimerlessQueue.h"

#include <string>

namespace netflow {

void TimerlessQueue::add(const nf_flow_key &key, uint64_t deadline_us) {
    counters_.added++;
    heap_.push(Due{deadline_us + 1, key});
}

Result<size_t> TimerlessQueue::takeDue(uint64_t now_us, std::vector<KernelFlow> &out) {
    const size_t before = out.size();
    while (!heap_.empty() && heap_.top().at_us <= now_us) {
        const nf_flow_key key = heap_.top().key;
        heap_.pop();
        counters_.lookups++;
        Result<TakeOutcome> took = taker_.take(key, now_us, false);
        if (!took)
            return Result<size_t>::failure("a flow without a timer: " + took.error());
        const TakeOutcome &t = took.value();
        switch (t.result) {
            case NF_TAKE_GONE:
                continue;  // ended meanwhile (by its timer, userspace, or drained)
            case NF_TAKE_TIMED:
                counters_.timed++;
                continue;  // its timer ends it
            case NF_TAKE_LATER:
                counters_.requeued++;
                heap_.push(Due{t.deadline_us + 1, key});
                continue;
            case NF_TAKE_BUSY:
                counters_.raced++;
                heap_.push(Due{now_us + kBusyRetryUs, key});
                continue;
            case NF_TAKE_TAKEN:
                counters_.taken++;
                out.push_back(KernelFlow{key, t.state, t.timer_set});
                continue;
        }
    }
    return out.size() - before;
}

}  // namespace netflow
