// What a RuleLines reader hands out, line by line (the line, its number,
// the commas found in it, whether it holds a quote): the unit tests and
// the rules parser's fuzz target compare a file read a part at a time
// with the same text in memory through it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "labels/LabelRules.h"

struct LineSeen {
    std::string line;
    size_t line_no;
    std::vector<uint32_t> commas;
    bool quoted;
    bool operator==(const LineSeen &) const = default;
};

// Every line `lines` has left, with the commas of its first `max` fields.
inline std::vector<LineSeen> linesOf(netflow::RuleLines &lines, size_t max = 6) {
    std::vector<LineSeen> out;
    std::string_view line;
    size_t line_no = 0, found = 0;
    std::vector<uint32_t> at(max);
    bool quoted = false;
    while (lines.next(line, &line_no, at.data(), max, &found, &quoted))
        out.push_back(
            LineSeen{std::string(line), line_no, {at.begin(), at.begin() + found}, quoted});
    return out;
}
