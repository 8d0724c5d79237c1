// The one-line summary at the end of a run (CLI.md): packets, flows,
// duration, packets/s, and every packet not counted, by reason.
#pragma once

#include <string>

#include "capture/CaptureCounters.h"

namespace netflow {

std::string formatSummary(const CaptureCounters &counters, uint64_t flows, double seconds);

}  // namespace netflow
