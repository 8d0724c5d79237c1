// Where finished flows go: a CSV file or an HTTP endpoint. The runs (offline,
// live libpcap, live kernel) hold one through this interface, made by
// makeSink() (pipeline/SinkFactory.h) from the options.
#pragma once

#include <string>

#include "flow/FlowMeter.h"

namespace netflow {

class FlowSink : public FlowExporter {
  public:
    // Writes or delivers what is still buffered and closes the output.
    // Returns "" on success, else one line saying what failed (a write
    // error, flows left undelivered and where they are).
    virtual std::string finish() = 0;

    // A line for the end-of-run summary after finish(), or "" (the CSV
    // writer has nothing to add to the run's own summary).
    virtual std::string summary() const { return {}; }
};

}  // namespace netflow
