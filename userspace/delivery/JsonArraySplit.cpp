#include "delivery/JsonArraySplit.h"

#include <nlohmann/json.hpp>

namespace netflow {

std::optional<std::vector<std::string>> splitJsonArray(std::string_view text) {
    // ordered_json: a verdict's keys stay in the server's order.
    nlohmann::ordered_json parsed =
        nlohmann::ordered_json::parse(text.begin(), text.end(), nullptr, false);
    if (parsed.is_discarded() || !parsed.is_array())
        return std::nullopt;
    std::vector<std::string> out;
    out.reserve(parsed.size());
    for (const auto &element : parsed)
        out.push_back(element.dump());
    return out;
}

}  // namespace netflow
