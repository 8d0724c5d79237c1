// One flow as a JSON object (RFC 8259) whose keys are the selected columns'
// headers, in the selected order: integers and reals as JSON numbers (reals
// formatted as in the CSV), addresses, L7_PROTO and the other text columns as
// strings. The same text is the request body (one flow) and a spool line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "features/FlowFeatures.h"
#include "features/Columns.h"

namespace netflow {

// Appends `text` as a JSON string: quotes, backslashes and control
// characters escaped; valid UTF-8 kept as is; each byte of an invalid UTF-8
// sequence (a server name is whatever bytes the packet carried) becomes
// U+FFFD, so the document is always valid UTF-8.
void appendJsonString(std::string &out, std::string_view text);

class JsonFlowEncoder {
  public:
    JsonFlowEncoder(const std::vector<SelectedColumn> &columns, const FlowFeatures &features);

    // Appends the flow's object to `out` (no line break: escaping keeps
    // every line break out of the text, so a spool line is one object).
    void encode(const FlowRecord &flow, std::string &out);

  private:
    struct Key {
        Column column;
        std::string prefix;  // `{"NAME":` for the first key, `,"NAME":` after
    };
    std::vector<Key> keys_;
    const FlowFeatures &features_;
    FeatureValue value_;
};

}  // namespace netflow
