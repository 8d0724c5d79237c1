// --export ipfix://, ipfix+tcp://, netflow9://: each finished flow encoded
// into the current message on the capture thread; a full message (or a
// live round's flush) goes to the collector through its MessageSender.
// Templates go out on start, then (UDP) again every N seconds and every N
// messages; the L7_PROTO id-to-name table on start and every N seconds.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "export/ExportOptions.h"
#include "export/MessageEncoder.h"
#include "export/MessageSender.h"
#include "output/FlowSink.h"

namespace netflow {

using L7NameTable = std::vector<std::pair<uint16_t, std::string>>;

class CollectorSink : public FlowSink {
  public:
    // Throws std::runtime_error when the collector's address does not resolve.
    CollectorSink(const ExportTarget &target, const ExportSettings &settings,
                  const std::vector<SelectedColumn> &columns, const FlowFeatures &features,
                  L7NameTable l7_names);
    // For tests: any sender.
    CollectorSink(const ExportTarget &target, const ExportSettings &settings,
                  const std::vector<SelectedColumn> &columns, const FlowFeatures &features,
                  L7NameTable l7_names, std::unique_ptr<MessageSender> sender);
    ~CollectorSink() override;

    void exportFlow(const FlowRecord &flow) override;
    void flush() override;
    Result<void> finish() override;
    std::string summary() const override;

    const SendCounters &counters() const { return counters_; }
    uint64_t templateMessages() const { return template_messages_; }

  private:
    using Clock = std::chrono::steady_clock;
    void sendCurrent();
    void startMessage();  // templates (and names) first when they are due
    void appendNames();
    std::vector<std::vector<uint8_t>> sessionPreamble();

    ExportTarget target_;
    ExportSettings settings_;
    const std::vector<SelectedColumn> columns_;
    const FlowFeatures &features_;
    L7NameTable l7_names_;
    MessageEncoder encoder_;
    std::unique_ptr<MessageSender> sender_;
    bool in_band_templates_;
    bool finished_ = false;
    Clock::time_point start_ = Clock::now();
    Clock::time_point last_templates_{};
    bool templates_sent_ = false;
    uint32_t messages_since_templates_ = 0;
    bool message_has_templates_ = false;
    uint64_t template_messages_ = 0;
    uint64_t flows_exported_ = 0;
    SendCounters counters_;
};

const char *schemeName(ExportScheme scheme);

}  // namespace netflow
