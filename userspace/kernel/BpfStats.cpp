#include "kernel/BpfStats.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <vector>

namespace netflow {

Result<nf_kern_stats> BpfStats::read() const {
    int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0)
        return Result<nf_kern_stats>::failure(errnoMessage("counting the possible CPUs", cpus));
    // Per-CPU values come one per possible CPU, each rounded up to 8 bytes
    // (nf_kern_stats already is a multiple of 8).
    std::vector<nf_kern_stats> per_cpu(static_cast<size_t>(cpus));
    uint32_t key = 0;
    int err = bpf_map_lookup_elem(map_fd_, &key, per_cpu.data());
    if (err)
        return Result<nf_kern_stats>::failure(errnoMessage("reading the kernel statistics", err));

    nf_kern_stats sum{};
    for (const nf_kern_stats &cpu : per_cpu)
        for (int i = 0; i < NF_STAT_COUNT; i++)
            sum.counters[i] += cpu.counters[i];
    return sum;
}

const char *BpfStats::name(int index) {
    switch (index) {
        case NF_STAT_SEEN:
            return "seen";
        case NF_STAT_COUNTED:
            return "counted";
        case NF_STAT_MAP_FULL:
            return "map full";
        case NF_STAT_FILTERED_OUT:
            return "filtered out";
        case NF_STAT_NOT_IP:
            return "not IP";
        case NF_STAT_TRUNCATED:
            return "IP header truncated";
        case NF_STAT_MALFORMED:
            return "malformed IP header";
        case NF_STAT_FLOWS_ENDED:
            return "flows ended in kernel";
        case NF_STAT_RINGBUF_FAILED:
            return "ring buffer full";
        case NF_STAT_PAYLOAD_WANTED:
            return "payload wanted";
        case NF_STAT_PAYLOAD_COPIED:
            return "payload copied";
        case NF_STAT_PAYLOAD_COPY_FAILED:
            return "payload ring full";
        case NF_STAT_XSK_REDIRECTED:
            return "redirected to AF_XDP";
        case NF_STAT_XSK_REDIRECT_FAILED:
            return "AF_XDP redirect failed, copied";
        case NF_STAT_DPI_DONE_SEEN:
            return "DPI-done marks taken";
        case NF_STAT_FLOWS_STARTED:
            return "flows started in kernel";
        case NF_STAT_FLOWS_EXPIRED:
            return "flows expired by timer";
        case NF_STAT_EXPIRY_DEFERRED:
            return "expiry deferred (ring full)";
        case NF_STAT_EXPIRY_RACED:
            return "packets raced their flow's expiry";
        case NF_STAT_TIMER_FAILED:
            return "flow timers not set up";
        case NF_STAT_TIMER_RETRIED:
            return "flow timers set up by a later packet";
        case NF_STAT_TIMERLESS_SENT:
            return "flows without a timer sent to userspace";
        case NF_STAT_TIMERLESS_LOST:
            return "flows without a timer lost (ring full)";
        case NF_STAT_LOCK_BUSY:
            return "packets that found their flow's lock busy too long";
        default:
            return "?";
    }
}

}  // namespace netflow
