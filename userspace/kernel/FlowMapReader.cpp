#include "kernel/FlowMapReader.h"

#include <bpf/bpf.h>

#include <algorithm>
#include <cerrno>

namespace netflow {
namespace {

// libbpf's ENOTSUPP (524), the kernel-internal "operation not supported"
// some map types return for batch operations.
constexpr int kEnotsupp = 524;

}  // namespace

// A retired entry's flow was already sent by its timer (netflow_expiry.h).
void FlowMapReader::append(const std::vector<nf_flow_key> &keys,
                           const std::vector<nf_flow_entry> &values, uint32_t count,
                           std::vector<KernelFlow> &out) {
    for (uint32_t i = 0; i < count; i++) {
        if (values[i].retired)
            retired_++;
        else
            out.push_back(KernelFlow{keys[i], values[i].st, values[i].timer_set != 0});
    }
}

Result<size_t> FlowMapReader::collect(bool remove, std::vector<KernelFlow> &out) {
    const size_t before = out.size();
    if (!remove)
        full_reads_++;
    std::string error;
    // A batch path that is unavailable fails at its first call, before it
    // read (or removed) anything; then iterate.
    if (batch_ok_ && collectBatch(remove, out, error))
        return out.size() - before;
    if (error.empty() && collectByKey(remove, out, error))
        return out.size() - before;
    return Result<size_t>::failure(error);
}

bool FlowMapReader::collectBatch(bool remove, std::vector<KernelFlow> &out, std::string &error) {
    uint32_t size = std::max<uint32_t>(batch_size_, 1);
    std::vector<nf_flow_key> keys(size);
    std::vector<nf_flow_entry> values(size);
    // The resume token: a bucket index for hash maps; key-sized to be safe.
    nf_flow_key token{};
    bool first = true;
    // Not LIBBPF_OPTS: its statement expression is not ISO C++.
    bpf_map_batch_opts opts{};
    opts.sz = sizeof(opts);
    // No BPF_F_LOCK: the entries' lock is the programs' own word
    // (bpf/netflow_lock.h), which the kernel's copy does not know. A copy
    // made while a packet is being counted may be torn: a live read serves
    // to choose (FlowSweeper, FlowTaker takes under the lock); the final
    // drain runs after the programs are detached.
    opts.elem_flags = 0;

    for (;;) {
        uint32_t count = size;
        void *in = first ? nullptr : &token;
        int err = remove ? bpf_map_lookup_and_delete_batch(map_fd_, in, &token, keys.data(),
                                                           values.data(), &count, &opts)
                         : bpf_map_lookup_batch(map_fd_, in, &token, keys.data(), values.data(),
                                                &count, &opts);
        if (err == 0 || err == -ENOENT) {
            // ENOENT: the end of the map, possibly with a last partial batch.
            append(keys, values, count, out);
            if (err == -ENOENT)
                return true;
            first = false;
            continue;
        }
        if (err == -ENOSPC) {
            // One hash bucket holds more entries than fit: nothing was
            // copied; retry the same position with room for more.
            size *= 2;
            keys.resize(size);
            values.resize(size);
            continue;
        }
        if (first && (err == -EINVAL || err == -EOPNOTSUPP || err == -kEnotsupp)) {
            batch_ok_ = false;  // an older kernel: iterate instead
            return false;
        }
        error = errnoMessage(remove ? "draining the flow map" : "reading the flow map", err);
        return false;
    }
}

// Without batch operations: list the keys, then copy each value. Draining this way deletes after
// reading, so live a packet counted in between would be lost; kernels from 5.6 on have batch
// operations for hash maps and never get here.
bool FlowMapReader::collectByKey(bool remove, std::vector<KernelFlow> &out, std::string &error) {
    std::vector<nf_flow_key> keys;
    nf_flow_key prev{}, next{};
    const void *cursor = nullptr;
    int err;
    while ((err = bpf_map_get_next_key(map_fd_, cursor, &next)) == 0) {
        keys.push_back(next);
        prev = next;
        cursor = &prev;
    }
    if (err != -ENOENT) {
        error = errnoMessage("listing the flow map's keys", err);
        return false;
    }

    for (const nf_flow_key &key : keys) {
        nf_flow_entry value{};
        err = bpf_map_lookup_elem(map_fd_, &key, &value);
        if (err == -ENOENT)
            continue;  // deleted in between
        if (err) {
            error = errnoMessage("reading a flow map entry", err);
            return false;
        }
        if (value.retired)
            retired_++;
        else
            out.push_back(KernelFlow{key, value.st, value.timer_set != 0});
        if (remove && (err = bpf_map_delete_elem(map_fd_, &key)) != 0 && err != -ENOENT) {
            error = errnoMessage("deleting a flow map entry", err);
            return false;
        }
    }
    return true;
}

}  // namespace netflow
