// Splits a JSON array answer into its elements, for `-v` with --batch: a
// server that answers a batch with one verdict per flow gets one line per
// flow. Parsed by nlohmann-json (Debian's nlohmann-json3-dev).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netflow {

// The elements of `text` when it is a valid JSON array, each as compact
// JSON with its keys in their order; nullopt when it is not an array or
// not valid JSON.
std::optional<std::vector<std::string>> splitJsonArray(std::string_view text);

}  // namespace netflow
