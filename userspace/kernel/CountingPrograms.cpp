#include "kernel/CountingPrograms.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cassert>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "filter/CbpfProgram.h"
#include "filter/CbpfToEbpf.h"
#include "filter/FilterError.h"
#include "kernel/FilterSplice.h"
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

// The splice handlers are libbpf's for the object from its opening on.
std::unique_ptr<BpfSkeleton<netflow_bpf>> openSkeleton() {
    installSpliceHandlers();
    return std::make_unique<BpfSkeleton<netflow_bpf>>("netflow_bpf");
}

}  // namespace

CountingPrograms::CountingPrograms(const CountingConfig &config)
    : config_(config), skel_(openSkeleton()) {
    BpfSkeleton<netflow_bpf> &skel = *skel_;
    // The filter first, alone: a filter that does not compile or that the
    // verifier refuses fails before it spends seconds on the programs.
    std::unique_ptr<FilterSplice> xdp_splice, tc_splice;
    if (config.filter) {
        // libpcap's message names the filter; the translation's and the
        // verifier's get its name in front.
        const std::vector<CbpfInsn> cbpf = compileCbpf(*config.filter);
        try {
            std::vector<EbpfInsn> xdp = translateCbpf(cbpf, FilterHook::Xdp);
            std::vector<EbpfInsn> tc = translateCbpf(cbpf, FilterHook::Tc);
            verifyFilter(xdp, FilterHook::Xdp);
            verifyFilter(tc, FilterHook::Tc);
            xdp_filter_insns_ = xdp.size();
            tc_filter_insns_ = tc.size();
            xdp_splice = std::make_unique<FilterSplice>(skel->obj, skel->progs.nf_xdp_count,
                                                        NF_FILTER_XDP_FUNC, std::move(xdp));
            tc_splice = std::make_unique<FilterSplice>(skel->obj, skel->progs.nf_tc_count,
                                                       NF_FILTER_TC_FUNC, std::move(tc));
        } catch (const FilterError &e) {
            throw FilterError("filter '" + *config.filter + "': " + e.what());
        }
    }
    skel->rodata->user_filter = config.filter ? 1 : 0;
    skel->rodata->idle_timeout_us = config.timeouts.idle_us;
    skel->rodata->active_timeout_us = config.timeouts.active_us;
    skel->rodata->count_all_ip = config.count_all_ip ? 1 : 0;
    skel->rodata->use_test_clock = config.use_test_clock ? 1 : 0;
    skel->rodata->capture_mode = config.capture_mode;
    skel->rodata->dpi_packets = config.budget.dpi_packets;
    skel->rodata->app_packets = config.budget.app_packets;
    // Tests only: every flow timer fails to set up (bpf/netflow_config.h).
    const char *no_timers = std::getenv("NETFLOW_TEST_NO_TIMERS");
    skel->rodata->fail_timers = no_timers && std::strcmp(no_timers, "1") == 0 ? 1 : 0;
    setMaxEntries(skel->maps.nf_flows, config.flow_map_entries, "the flow map");
    setMaxEntries(skel->maps.nf_events, config.events_bytes, "the event ring buffer");
    setMaxEntries(skel->maps.nf_payload, config.payload_bytes, "the payload ring buffer");
    setMaxEntries(skel->maps.nf_dpi_done, config.dpi_done_entries, "the DPI-done map");
    setMaxEntries(skel->maps.nf_xsks, config.xsk_queues, "the AF_XDP socket map");
    skel.load();
    for (const FilterSplice *splice : {xdp_splice.get(), tc_splice.get()}) {
        if (splice && !splice->error().empty())
            throw KernelError("splicing the filter: " + splice->error());
    }
}

CountingPrograms::~CountingPrograms() = default;

int CountingPrograms::xdpProgramFd() const {
    return bpf_program__fd((*skel_)->progs.nf_xdp_count);
}

int CountingPrograms::tcProgramFd() const {
    return bpf_program__fd((*skel_)->progs.nf_tc_count);
}

int CountingPrograms::takeProgramFd() const {
    return bpf_program__fd((*skel_)->progs.nf_xdp_take);
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

int CountingPrograms::payloadMapFd() const {
    return bpf_map__fd((*skel_)->maps.nf_payload);
}

int CountingPrograms::dpiDoneMapFd() const {
    return bpf_map__fd((*skel_)->maps.nf_dpi_done);
}

int CountingPrograms::xskMapFd() const {
    return bpf_map__fd((*skel_)->maps.nf_xsks);
}

Result<void> CountingPrograms::markDpiDone(const nf_flow_key &key, uint64_t flow_first_us) const {
    const nf_dpi_done_mark mark{flow_first_us};
    // BPF_ANY: a mark left over from an earlier flow under the key (one
    // that was never consumed) is simply replaced.
    int err = bpf_map_update_elem(dpiDoneMapFd(), &key, &mark, BPF_ANY);
    if (err)
        return Result<void>::failure(errnoMessage("marking a flow DPI-done", err));
    return {};
}

Result<void> CountingPrograms::registerXsk(uint32_t queue, int xsk_fd) const {
    const uint32_t fd = static_cast<uint32_t>(xsk_fd);
    int err = bpf_map_update_elem(xskMapFd(), &queue, &fd, BPF_ANY);
    if (err)
        return Result<void>::failure(errnoMessage(
            "registering the AF_XDP socket of RX queue " + std::to_string(queue), err));
    return {};
}

Result<void> CountingPrograms::unregisterXsk(uint32_t queue) const {
    int err = bpf_map_delete_elem(xskMapFd(), &queue);
    if (err && err != -ENOENT)
        return Result<void>::failure(errnoMessage(
            "unregistering the AF_XDP socket of RX queue " + std::to_string(queue), err));
    return {};
}

void CountingPrograms::stopExpiry() {
    (*skel_)->bss->expiry_stopped = 1;
}

void CountingPrograms::setTestClock(uint64_t time_us) {
    assert(config_.use_test_clock && "the programs were loaded with the kernel's clock");
    (*skel_)->bss->test_clock_us = time_us;
}

}  // namespace netflow
