// The output the options ask for: a CSV writer (-c), HTTP delivery (-u) or
// Kafka (--export kafka://).
#pragma once

#include <memory>

#include "cli/Options.h"
#include "features/FlowFeatures.h"
#include "output/FlowSink.h"

namespace netflow {

// Throws std::runtime_error (a CSV that cannot be created, a spool that
// cannot be opened or is in use).
std::unique_ptr<FlowSink> makeSink(const Options &options, const FlowFeatures &features);

}  // namespace netflow
