// The outputs the options ask for: a CSV writer (-c), HTTP delivery (-u),
// collector exports and Kafka (--export), one sink each, behind one
// SinkSet when there are several.
#pragma once

#include <memory>

#include "cli/Options.h"
#include "dpi/FlowClassifier.h"
#include "features/FlowFeatures.h"
#include "output/FlowSink.h"

namespace netflow {

// Throws std::runtime_error (a CSV that cannot be created, a spool that
// cannot be opened or is in use, a collector whose name does not resolve).
std::unique_ptr<FlowSink> makeSink(const Options &options, const FlowFeatures &features,
                                   const FlowClassifier &classifier);

}  // namespace netflow
