#include "kernel/TimerlessQueue.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "flow_count.h"

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
        nf_flow_entry entry{};
        int err = bpf_map_lookup_elem_flags(map_fd_, &key, &entry, BPF_F_LOCK);
        if (err == -ENOENT)
            continue;  // ended meanwhile (by userspace, or drained)
        if (err != 0)
            return Result<size_t>::failure(std::string("cannot look up a flow without a timer: ") +
                                           std::strerror(-err));
        if (entry.retired || entry.timer_set) {
            counters_.timed++;
            continue;  // its timer ends it
        }
        if (!nf_flow_expired(&entry.st, now_us, &timeouts_)) {
            counters_.requeued++;
            heap_.push(Due{nf_flow_deadline_us(&entry.st, &timeouts_) + 1, key});
            continue;
        }
        const uint64_t first_us = entry.st.first_us;
        err = bpf_map_lookup_and_delete_elem_flags(map_fd_, &key, &entry, BPF_F_LOCK);
        if (err == -ENOENT)
            continue;
        if (err != 0)
            return Result<size_t>::failure(std::string("cannot remove an expired flow: ") +
                                           std::strerror(-err));
        if (entry.retired)
            continue;  // its (late) timer took it: its record has it
        // A packet between the two looks that restarted the flow in the
        // entry ended the one looked at (its record has it); the one taken
        // here is the entry's flow as it is now, final: exported the same,
        // counted (as the sweep counted it).
        if (entry.st.first_us != first_us)
            counters_.raced++;
        counters_.taken++;
        out.push_back(KernelFlow{key, entry.st, entry.timer_set != 0});
    }
    return out.size() - before;
}

}  // namespace netflow
