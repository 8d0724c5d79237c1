// Reads the kernel's flow map (key -> struct nf_flow_entry) into (key,
// state) pairs. Userspace cannot take an entry's lock (bpf/netflow_lock.h):
// a read while the programs run is a snapshot that may catch a packet half
// counted, good for choosing (FlowSweeper, which then takes each flow
// through the kernel, FlowTaker) and for the final drain, which runs once
// the programs are detached. Entries their timer has retired are
// left out (counted). Batch operations where the kernel has
// them (one syscall per batch), else key-by-key iteration.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernel/KernelError.h"
#include "netflow_kern_user.h"

namespace netflow {

struct KernelFlow {
    nf_flow_key key;
    nf_flow_state state;
    // Read from the map: its entry has a timer armed (nf_flow_entry's
    // timer_set). Records from the ring buffer leave it true.
    bool has_timer = true;
};

class FlowMapReader {
  public:
    // allow_batch false: always iterate (tests cover both ways).
    explicit FlowMapReader(int map_fd, bool allow_batch = true, uint32_t batch_size = 1024)
        : map_fd_(map_fd), batch_size_(batch_size), batch_ok_(allow_batch) {}

    // Both append to `out` and return how many flows they appended. On a
    // failure `out` still holds every flow read before it: a drained flow
    // is never dropped.

    // Every flow; the map is left as it is.
    Result<size_t> readAll(std::vector<KernelFlow> &out) { return collect(false, out); }

    // Every flow, each deleted as it is read.
    Result<size_t> drain(std::vector<KernelFlow> &out) { return collect(true, out); }

    // readAll() calls so far: reads of the whole map that left it as it
    // was (the live path's -v summary reports them; a periodic sweep would
    // show here).
    uint64_t fullReads() const { return full_reads_; }

    // Whether the last read used batch operations (false: the fallback).
    bool usedBatch() const { return batch_ok_; }

    // Entries left out because their timer had retired them: their flow
    // went to userspace on the ring buffer (bpf/netflow_expiry.h).
    uint64_t retiredSkipped() const { return retired_; }

  private:
    Result<size_t> collect(bool remove, std::vector<KernelFlow> &out);
    // false with batch_ok_ cleared when the kernel has no batch operations
    // for this map; false with `error` set on a real failure.
    bool collectBatch(bool remove, std::vector<KernelFlow> &out, std::string &error);
    bool collectByKey(bool remove, std::vector<KernelFlow> &out, std::string &error);
    void append(const std::vector<nf_flow_key> &keys, const std::vector<nf_flow_entry> &values,
                uint32_t count, std::vector<KernelFlow> &out);

    int map_fd_;
    uint32_t batch_size_;
    bool batch_ok_;
    uint64_t retired_ = 0;
    uint64_t full_reads_ = 0;
};

}  // namespace netflow
