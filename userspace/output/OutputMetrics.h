// --metrics: what one output has done so far (FlowSink::addMetrics). Plain
// values, copied into each metrics snapshot.
#pragma once

#include <cstdint>
#include <string>

namespace netflow {

struct OutputMetrics {
    std::string output;      // the label: "csv", "http", ...
    uint64_t delivered = 0;  // rows written / flows acknowledged by the receiver
    uint64_t retried = 0;    // requests that failed and were sent again
    uint64_t spooled = 0;    // flows that went to the spool file
    uint64_t rejected = 0;   // flows the receiver refused (not retried)
};

}  // namespace netflow
