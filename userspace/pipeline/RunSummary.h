// The one-line summary at the end of a run (docs/spec/CLI.md): packets, flows,
// duration, packets/s, and every packet not counted, by reason.
#pragma once

#include <string>

#include "capture/CaptureCounters.h"
#include "common/Result.h"

namespace netflow {

std::string formatSummary(const CaptureCounters &counters, uint64_t flows, double seconds);

// "netflow: error: MESSAGE" on stderr; returns code.
int reportError(int code, const std::string &message);

// The end of every run: the output's error if it had one (then the exit
// code is kExitRuntimeError), the summary line, and the sink's own line
// (HTTP delivery). Returns the run's exit code.
int reportRunEnd(int exit_code, const Result<void> &written, const CaptureCounters &counters,
                 uint64_t flows, double seconds, const std::string &sink_summary);

}  // namespace netflow
