// Splits a JSON array's text into its top-level elements, for `-v` with
// --batch: a server that answers a batch with one verdict per flow gets one
// line per flow. Not a validator: it tracks strings, escapes and nesting
// only, enough to find the commas between elements.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace netflow {

// The elements of `text` when it is a JSON array (surrounding whitespace
// allowed), each without surrounding whitespace; nullopt when it is not an
// array or its brackets or strings do not balance.
std::optional<std::vector<std::string_view>> splitJsonArray(std::string_view text);

}  // namespace netflow
