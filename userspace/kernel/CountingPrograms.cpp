#include "kernel/CountingPrograms.h"

#include <bpf/libbpf.h>

#include <cassert>

#include "kernel/BpfSkeleton.h"
#include "netflow_bpf.skel.h"

namespace netflow {
namespace {

void setMaxEntries(bpf_map *map, uint32_t entries, const char *what) {
    int err = bpf_map__set_max_entries(map, entries);
    if (err)
        throw KernelError(errnoMessage(
            std::string("setting the size of ") + what + " to " + std::to_string(entries), err));
}

}  // namespace

CountingPrograms::CountingPrograms(const CountingConfig &config)
    : config_(config), skel_(std::make_unique<BpfSkeleton<netflow_bpf>>("netflow_bpf")) {
    BpfSkeleton<netflow_bpf> &skel = *skel_;
    skel->rodata->idle_timeout_us = config.timeouts.idle_us;
    skel->rodata->active_timeout_us = config.timeouts.active_us;
    skel->rodata->count_all_ip = config.count_all_ip ? 1 : 0;
    skel->rodata->use_test_clock = config.use_test_clock ? 1 : 0;
    setMaxEntries(skel->maps.nf_flows, config.flow_map_entries, "the flow map");
    setMaxEntries(skel->maps.nf_events, config.events_bytes, "the event ring buffer");
    skel.load();
}

CountingPrograms::~CountingPrograms() = default;

int CountingPrograms::xdpProgramFd() const {
    return bpf_program__fd((*skel_)->progs.nf_xdp_count);
}

int CountingPrograms::tcProgramFd() const {
    return bpf_program__fd((*skel_)->progs.nf_tc_count);
}

int CountingPrograms::flowMapFd() const {
    return bpf_map__fd((*skel_)->maps.nf_flows);
}

int CountingPrograms::eventsMapFd() const {
    return bpf_map__fd((*skel_)->maps.nf_events);
}

int CountingPrograms::statsMapFd() const {
    return bpf_map__fd((*skel_)->maps.nf_stats);
}

void CountingPrograms::setTestClock(uint64_t time_us) {
    assert(config_.use_test_clock && "the programs were loaded with the kernel's clock");
    (*skel_)->bss->test_clock_us = time_us;
}

}  // namespace netflow
