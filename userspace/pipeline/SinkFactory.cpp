#include "pipeline/SinkFactory.h"

#include "delivery/HttpSink.h"
#include "output/CsvWriter.h"

namespace netflow {
namespace {

// --labels: the output, with the labels' lines added to its summary (every
// run prints the sink's summary after its own). Everything else is the
// output's own.
class LabelSummarySink : public FlowSink {
  public:
    LabelSummarySink(std::unique_ptr<FlowSink> sink, const FlowFeatures &features, bool verbose)
        : sink_(std::move(sink)), features_(features), verbose_(verbose) {}

    void exportFlow(const FlowRecord &flow) override { sink_->exportFlow(flow); }
    void flush() override { sink_->flush(); }
    std::string finish() override { return sink_->finish(); }
    std::string summary() const override {
        std::string out = features_.labelSummary(verbose_);
        std::string inner = sink_->summary();
        return inner.empty() ? out : out + "\n" + inner;
    }

  private:
    std::unique_ptr<FlowSink> sink_;
    const FlowFeatures &features_;
    bool verbose_;
};

std::unique_ptr<FlowSink> makeOutput(const Options &options, const FlowFeatures &features) {
    if (options.output_kind == OutputKind::Url) {
        // A capture file can wait for a slow endpoint; a live network cannot
        // (its flows spool instead).
        const bool offline = !options.file.empty();
        return std::make_unique<HttpSink>(options.http, options.columns, features, offline);
    }
    return std::make_unique<CsvWriter>(options.output, options.columns, features);
}

}  // namespace

std::unique_ptr<FlowSink> makeSink(const Options &options, const FlowFeatures &features) {
    std::unique_ptr<FlowSink> sink = makeOutput(options, features);
    if (options.labels)
        sink = std::make_unique<LabelSummarySink>(std::move(sink), features, options.verbose);
    return sink;
}

}  // namespace netflow
