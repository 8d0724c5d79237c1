// Several outputs in one run (-c, -u and any number of --export): every
// flow goes to each sink in turn. Each sink bounds its own cost: the CSV
// writes to a file, HTTP and TCP export queue for a thread of their own
// (then spool or count), UDP export never waits for its collector.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "output/FlowSink.h"

namespace netflow {

class SinkSet : public FlowSink {
  public:
    explicit SinkSet(std::vector<std::unique_ptr<FlowSink>> sinks) : sinks_(std::move(sinks)) {}

    void exportFlow(const FlowRecord &flow) override {
        for (auto &sink : sinks_)
            sink->exportFlow(flow);
    }
    void flush() override {
        for (auto &sink : sinks_)
            sink->flush();
    }
    // Finishes every sink, also after one failed; their errors joined by "; ".
    Result<void> finish() override {
        std::string errors;
        for (auto &sink : sinks_) {
            Result<void> r = sink->finish();
            if (!r)
                errors += (errors.empty() ? "" : "; ") + r.error();
        }
        return Result<void>::fromMessage(errors);
    }
    std::string summary() const override {
        std::string out;
        for (const auto &sink : sinks_) {
            const std::string line = sink->summary();
            if (!line.empty())
                out += (out.empty() ? "" : "\n") + line;
        }
        return out;
    }

  private:
    std::vector<std::unique_ptr<FlowSink>> sinks_;
};

}  // namespace netflow
