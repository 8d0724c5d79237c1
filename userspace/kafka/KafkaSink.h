// `--export kafka://BROKERS/TOPIC`: each finished flow encoded on the
// capture thread as the same JSON object as -u's (delivery/JsonFlowEncoder),
// keyed by its canonical 5-tuple (FlowMessageKey.h), and handed to the
// KafkaProducer, which delivers it off the capture path.
#pragma once

#include <string>
#include <vector>

#include "delivery/JsonFlowEncoder.h"
#include "kafka/FlowMessageKey.h"
#include "kafka/KafkaOptions.h"
#include "kafka/KafkaProducer.h"
#include "output/FlowSink.h"

namespace netflow {

class KafkaSink : public FlowSink {
  public:
    // Throws SpoolError or std::runtime_error (see KafkaProducer).
    KafkaSink(const KafkaOptions &options, const std::vector<SelectedColumn> &columns,
              const FlowFeatures &features, bool wait_for_room);

    void exportFlow(const FlowRecord &flow) override;

    // Fails unless every flow was delivered: how many were not, why, and
    // where they are.
    Result<void> finish() override;

    // "netflow: kafka: N flows delivered to TOPIC; ..." (after finish).
    std::string summary() const override;

    const KafkaCounters &counters() const { return producer_.counters(); }

  private:
    JsonFlowEncoder encoder_;
    FlowMessageKey keys_;
    KafkaProducer producer_;
    std::string line_, key_;
};

}  // namespace netflow
