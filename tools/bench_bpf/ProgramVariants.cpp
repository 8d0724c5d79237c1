#include "ProgramVariants.h"

#include <bpf/libbpf.h>

#include <string>

#include "kernel/BpfSkeleton.h"
#include "kernel/CountingPrograms.h"
#include "minimal_counter.skel.h"
#include "nf_stages.h"
#include "nf_stages.skel.h"
#include "xdp_pass.skel.h"

namespace nfbench {
namespace {

using netflow::BpfSkeleton;
using netflow::CountingConfig;
using netflow::CountingPrograms;

// Every flow map the same size as the sensor's, so that a lookup walks
// buckets of the same load in every program.
const uint32_t kFlowMapEntries = CountingConfig{}.flow_map_entries;

void setMaxEntries(bpf_map *map, uint32_t entries) {
    if (int err = bpf_map__set_max_entries(map, entries))
        throw netflow::KernelError(
            netflow::errnoMessage(std::string("sizing map ") + bpf_map__name(map), err));
}

// A reader busy elsewhere: its ring buffers are consumed after this many
// packets, so records find it behind and wake nobody, and yet the payload
// ring never fills (1024 records of at most 4 KiB: half of its 8 MiB).
constexpr unsigned kBusyReaderRuns = 1024;

ProgramUnderTest xdpPass() {
    auto skel = std::make_shared<BpfSkeleton<xdp_pass>>("xdp_pass");
    skel->load();
    return ProgramUnderTest({.name = "xdp_pass",
                             .what = "returns XDP_PASS: the test-run harness alone",
                             .role = Role::Floor,
                             .owner = skel,
                             .prog_fd = bpf_program__fd((*skel)->progs.xdp_pass)});
}

ProgramUnderTest minimalCounter() {
    auto skel = std::make_shared<BpfSkeleton<minimal_counter>>("minimal_counter");
    setMaxEntries((*skel)->maps.mc_flows, kFlowMapEntries);
    skel->load();
    return ProgramUnderTest({.name = "minimal_counter",
                             .what = "5-tuple hash lookup/insert, atomic packets and bytes",
                             .role = Role::Reference,
                             .owner = skel,
                             .prog_fd = bpf_program__fd((*skel)->progs.mc_count)});
}

// The sensor's own loader: the kernel clock, the default filter, host
// capture and, unless `config` says otherwise, its DPI budget of 32/256
// payload packets.
ProgramUnderTest netflowProgram(const char *name, const char *what, Role role,
                                const CountingConfig &config, unsigned drain_every) {
    auto programs = std::make_shared<CountingPrograms>(config);
    return ProgramUnderTest({.name = name,
                             .what = what,
                             .role = role,
                             .owner = programs,
                             .prog_fd = programs->xdpProgramFd(),
                             .stats_fd = programs->statsMapFd(),
                             .drain_every = drain_every});
}

// The sensor's program with `--filter expression` spliced in.
ProgramUnderTest filteredProgram(const char *name, const std::string &expression,
                                 double max_overhead) {
    CountingConfig config;
    config.filter = expression;
    auto programs = std::make_shared<CountingPrograms>(config);
    return ProgramUnderTest({.name = name,
                             .what = "netflow with --filter '" + expression + "'",
                             .role = Role::Filtered,
                             .owner = programs,
                             .prog_fd = programs->xdpProgramFd(),
                             .stats_fd = programs->statsMapFd(),
                             .drain_every = 1,
                             .filter = expression,
                             .max_overhead = max_overhead});
}

// A DPI budget of 0: no packet is wanted, so none takes the payload path.
CountingConfig withoutPayload() {
    CountingConfig config;
    config.budget = {0, 0};
    return config;
}

ProgramUnderTest stage(nf_stage last, const char *name, const char *what) {
    auto skel = std::make_shared<BpfSkeleton<nf_stages>>("nf_stages");
    (*skel)->rodata->last_stage = static_cast<__u8>(last);
    setMaxEntries((*skel)->maps.st_flows, kFlowMapEntries);
    skel->load();
    return ProgramUnderTest({.name = name,
                             .what = what,
                             .owner = skel,
                             .prog_fd = bpf_program__fd((*skel)->progs.nf_stage_count),
                             .stats_fd = bpf_map__fd((*skel)->maps.st_stats)});
}

}  // namespace

std::vector<ProgramUnderTest> loadVariants(const VariantOptions &options) {
    std::vector<ProgramUnderTest> v;
    v.push_back(xdpPass());
    v.push_back(minimalCounter());
    v.push_back(netflowProgram("netflow",
                               "nf_xdp_count as the sensor loads it; its reader keeps up, so "
                               "each payload record wakes it",
                               Role::Target, CountingConfig{}, 1));
    // The default filter's meaning as a user filter (3 clauses): it may
    // add at most 10% per packet. Then 10 clauses that keep the same
    // packets of the bench capture (same flows, "map entries"), so that
    // the difference is the filter's own cost: measured, no target.
    v.push_back(filteredProgram("  --filter 3", "ip and (tcp or udp or icmp)", 0.10));
    v.push_back(filteredProgram("  --filter 10",
                                "ip and (tcp or udp or icmp) and not port 9 and not port 19 and "
                                "not net 198.18.0.0/15 and not host 192.0.2.1 and not ether host "
                                "02:00:00:00:00:01 and len > 0",
                                0));
    if (!options.breakdown)
        return v;
    // Each stage adds to the one before (tools/bench_bpf/nf_stages.h).
    v.push_back(stage(NF_STAGE_PARSE, "  1 parse", "parse to L4, the default filter"));
    v.push_back(stage(NF_STAGE_KEY, "  2 +key", "+ the canonical flow key"));
    v.push_back(stage(NF_STAGE_CLOCK, "  3 +clock", "+ bpf_ktime_get_ns() / 1000"));
    v.push_back(stage(NF_STAGE_LOOKUP, "  4 +lookup", "+ flow map lookup, insert on a miss"));
    v.push_back(stage(NF_STAGE_LOCK, "  4a +lock only",
                      "+ a bpf_spin_lock helper pair (netflow's lock until now)"));
    v.push_back(stage(NF_STAGE_ATOMIC_LOCK, "  4b +atomic lock",
                      "+ netflow's inline lock pair instead (cmpxchg, xchg)"));
    v.push_back(stage(NF_STAGE_COUNT, "  5 +count", "+ lock, expiry, every flow counter"));
    v.push_back(stage(NF_STAGE_STATS, "  6 +stats", "+ the per-CPU statistics"));
    v.push_back(netflowProgram("  real, no payload",
                               "netflow with a DPI budget of 0: no payload copies",
                               Role::Diagnostic, withoutPayload(), 1));
    v.push_back(netflowProgram("  real, reader busy",
                               "netflow, rings consumed every 1024 packets: records wake nobody",
                               Role::Diagnostic, CountingConfig{}, kBusyReaderRuns));
    return v;
}

}  // namespace nfbench
