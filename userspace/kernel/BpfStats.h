// The kernel programs' statistics (netflow_kern_user.h, enum nf_stat_index):
// a per-CPU array of one struct nf_kern_stats, summed over the CPUs.
#pragma once

#include "kernel/KernelError.h"
#include "netflow_kern_user.h"

namespace netflow {

class BpfStats {
  public:
    explicit BpfStats(int map_fd) : map_fd_(map_fd) {}

    Result<nf_kern_stats> read() const;

    // Short names for messages ("seen", "map full", ...).
    static const char *name(int index);

  private:
    int map_fd_;
};

}  // namespace netflow
