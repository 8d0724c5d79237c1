#include "flow/LiveClassifications.h"

namespace netflow {

FlowClassification LiveClassifications::take(const FlowInstance &flow) {
    auto it = map_.find(flow);
    if (it == map_.end())
        return FlowClassification{};
    FlowClassification cls = std::move(it->second.cls);
    map_.erase(it);
    return cls;
}

size_t LiveClassifications::dropOlderThan(uint64_t cutoff_us) {
    return std::erase_if(
        map_, [cutoff_us](const auto &entry) { return entry.first.first_us < cutoff_us; });
}

}  // namespace netflow
