// `-u URL`: each finished flow encoded as JSON on the capture thread (the
// column values formatted by the same code as the CSV), then handed to the
// HttpSender, which delivers it off the capture path.
#pragma once

#include <string>
#include <vector>

#include "delivery/HttpOptions.h"
#include "delivery/HttpSender.h"
#include "delivery/JsonFlowEncoder.h"
#include "output/FlowSink.h"

namespace netflow {

class HttpSink : public FlowSink {
  public:
    // Throws SpoolError or std::runtime_error (see HttpSender).
    HttpSink(const HttpOptions &options, const std::vector<SelectedColumn> &columns,
             const FlowFeatures &features, bool wait_for_room);

    void exportFlow(const FlowRecord &flow) override;

    // Fails unless every flow was delivered: how many were not, why, and
    // where they are.
    Result<void> finish() override;

    // "netflow: http: N flows delivered in R requests ..." (after finish).
    std::string summary() const override;

    const DeliveryCounters &counters() const { return sender_.counters(); }

    void addMetrics(std::vector<OutputMetrics> &out) const override {
        out.push_back(sender_.liveMetrics());
    }

  private:
    JsonFlowEncoder encoder_;
    HttpSender sender_;
    size_t line_reserve_ = 256;
};

}  // namespace netflow
