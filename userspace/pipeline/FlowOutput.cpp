#include "pipeline/FlowOutput.h"

#include <algorithm>

#include "pipeline/SinkFactory.h"

namespace netflow {

bool selectsColumn(const Options &o, Column column) {
    return std::any_of(o.columns.begin(), o.columns.end(),
                       [column](const SelectedColumn &c) { return c.column == column; });
}

LabelSpec labelSpec(const Options &o) {
    LabelSpec spec = o.attack.empty() ? LabelSpec{} : LabelSpec{true, o.attack};
    spec.rules = o.labels;
    spec.anonymize = o.anonymize;
    return spec;
}

FlowOutput::FlowOutput(const Options &options, int64_t clock_offset_us)
    // A capture file's rows must not depend on how its flows are split among
    // threads: no classification from other flows (docs/threads.md).
    : classifier_(selectsColumn(options, Column::SERVER_NAME), options.files.empty()),
      features_(classifier_, labelSpec(options), clock_offset_us),
      sink_(makeSink(options, features_, classifier_)),
      label_summary_(options.labels != nullptr),
      verbose_(options.verbose) {}

std::string FlowOutput::summary() const {
    std::string out = label_summary_ ? features_.labelSummary(verbose_) : std::string();
    const std::string sink = sink_->summary();
    if (!sink.empty())
        out += out.empty() ? sink : "\n" + sink;
    return out;
}

}  // namespace netflow
