// The one-line summary at the end of a run (docs/spec/CLI.md): packets, flows,
// duration, packets/s, and every packet not counted, by reason.
#pragma once

#include <string>

#include "capture/CaptureCounters.h"
#include "common/Result.h"

namespace netflow {

std::string formatSummary(const CaptureCounters &counters, uint64_t flows, double seconds);

// --stats: one line a second on stderr, the same for every live run.
struct LiveStatus {
    uint64_t packets = 0;  // seen so far
    uint64_t packets_per_second = 0;
    uint64_t flows_active = 0;
    uint64_t flows_exported = 0;
    uint64_t not_counted = 0;  // filtered out, not IP, truncated, malformed
    uint64_t lost = 0;         // dropped before netflow saw them, or records lost
    // The kernel path only: packets counted in userspace (map full), and
    // payload packets handed to userspace.
    bool kernel = false;
    uint64_t map_full = 0;
    uint64_t payload_copies = 0;
};
std::string formatStatus(const LiveStatus &status);

// "netflow: error: MESSAGE" on stderr; returns code.
int reportError(int code, const std::string &message);

// The end of every run: the output's error if it had one (then the exit
// code is kExitRuntimeError), the summary line, and the sink's own line
// (HTTP delivery). Returns the run's exit code.
int reportRunEnd(int exit_code, const Result<void> &written, const CaptureCounters &counters,
                 uint64_t flows, double seconds, const std::string &sink_summary);

}  // namespace netflow
