#include "CostMeter.h"

#include <algorithm>

#include "DispatcherHold.h"

namespace nfbench {

double median(std::vector<double> v) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    size_t mid = v.size() / 2;
    return v.size() % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

std::vector<ProgramCost> measure(const Scenario &scenario, std::vector<ProgramUnderTest> &programs,
                                 const MeterSetup &setup) {
    const size_t n = programs.size();
    std::vector<ProgramCost> costs(n);
    std::vector<std::optional<nf_kern_stats>> before(n);
    std::vector<uint64_t> probe_runs(n, 0);
    for (size_t i = 0; i < n; i++) {
        before[i] = programs[i].stats(setup.cpu);
        programs[i].resetState();
    }
    const double runs = static_cast<double>(scenario.frames.size()) * scenario.repeat;
    for (unsigned r = 0; r < setup.rounds; r++) {
        for (size_t k = 0; k < n; k++) {
            const size_t i = (k + r) % n;
            ProgramUnderTest &p = programs[i];
            DispatcherHold hold(p.fd(), setup.hold_cpu);
            costs[i].held = costs[i].held && hold.held();
            probe_runs[i] += hold.probeRuns();
            double kernel = 0;
            double wall = 0;
            for (std::span<const uint8_t> frame : scenario.frames) {
                TestRun t = p.run(frame, scenario.repeat);
                kernel += t.duration_ns;
                wall += static_cast<double>(t.wall_ns);
                // Outside the timed part: the sensor's reader empties the
                // rings on another CPU while the program runs.
                p.afterRun(scenario.repeat);
            }
            costs[i].kernel_ns.push_back(kernel / static_cast<double>(scenario.frames.size()));
            costs[i].wall_ns.push_back(wall / runs);
            uint64_t left = p.resetState();
            if (r == 0)
                costs[i].entries = left;
        }
    }
    for (size_t i = 0; i < n; i++) {
        auto after = programs[i].stats(setup.cpu);
        if (!after || !before[i])
            continue;
        nf_kern_stats delta{};
        for (int c = 0; c < NF_STAT_COUNT; c++)
            delta.counters[c] = after->counters[c] - before[i]->counters[c];
        // Not the scenario's frames: the hold's confirmation runs (ARP).
        delta.counters[NF_STAT_SEEN] -= probe_runs[i];
        delta.counters[NF_STAT_NOT_IP] -= probe_runs[i];
        costs[i].stats = delta;
    }
    return costs;
}

}  // namespace nfbench
