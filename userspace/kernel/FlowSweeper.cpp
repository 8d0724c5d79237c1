#include "kernel/FlowSweeper.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <cstring>

#include "flow_count.h"

namespace netflow {

Result<size_t> FlowSweeper::takeExpired(uint64_t now_us, std::vector<KernelFlow> &out) {
    seen_.clear();
    Result<size_t> read = reader_.readAll(seen_);
    if (!read)
        return read;
    const size_t before = out.size();
    for (const KernelFlow &flow : seen_) {
        if (!nf_flow_expired(&flow.state, now_us, &timeouts_))
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
