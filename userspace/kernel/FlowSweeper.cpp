#include "kernel/FlowSweeper.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>
#include <functional>

#include "flow_count.h"

namespace netflow {

Result<size_t> FlowSweeper::takeExpired(uint64_t now_us, std::vector<KernelFlow> &out) {
    return take(out, [&](const KernelFlow &flow) {
        return nf_flow_expired(&flow.state, now_us, &timeouts_) != 0;
    });
}

Result<size_t> FlowSweeper::takeTimerless(uint64_t now_us, uint64_t margin_us,
                                          std::vector<KernelFlow> &out) {
    timerless_ = 0;
    const uint64_t late_us = now_us > margin_us ? now_us - margin_us : 0;
    return take(out, [&](const KernelFlow &flow) {
        if (!flow.has_timer && nf_flow_expired(&flow.state, now_us, &timeouts_))
            return true;
        if (!flow.has_timer)
            timerless_++;
        return nf_flow_expired(&flow.state, late_us, &timeouts_) != 0;
    });
}

Result<size_t> FlowSweeper::take(std::vector<KernelFlow> &out,
                                 const std::function<bool(const KernelFlow &)> &expired) {
    seen_.clear();
    Result<size_t> read = reader_.readAll(seen_);
    if (!read)
        return read;
    const size_t before = out.size();
    for (const KernelFlow &flow : seen_) {
        if (!expired(flow))
            continue;
        nf_flow_entry entry{};
        int err = bpf_map_lookup_and_delete_elem_flags(map_fd_, &flow.key, &entry, BPF_F_LOCK);
        if (err == -ENOENT)
            continue;  // the kernel ended it meanwhile: its record has it
        if (err != 0)
            return Result<size_t>::failure(std::string("cannot remove an expired flow: ") +
                                           std::strerror(-err));
        if (entry.retired) {
            retired_++;
            continue;  // its timer took it meanwhile: its record has it
        }
        if (entry.st.first_us != flow.state.first_us)
            raced_++;
        out.push_back(KernelFlow{flow.key, entry.st});
    }
    return out.size() - before;
}

}  // namespace netflow
