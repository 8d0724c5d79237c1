#include "pipeline/FlowOutput.h"

#include <algorithm>

#include "pipeline/SinkFactory.h"

namespace netflow {

bool selectsColumn(const Options &o, Column column) {
    return std::any_of(o.columns.begin(), o.columns.end(),
                       [column](const SelectedColumn &c) { return c.column == column; });
}

LabelSpec labelSpec(const Options &o) {
    return o.attack.empty() ? LabelSpec{} : LabelSpec{true, o.attack};
}

FlowOutput::FlowOutput(const Options &options, int64_t clock_offset_us)
    : classifier_(selectsColumn(options, Column::SERVER_NAME)),
      features_(classifier_, labelSpec(options), clock_offset_us),
      sink_(makeSink(options, features_)) {}

}  // namespace netflow
