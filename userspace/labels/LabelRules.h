// Reads a labelling rules file (--labels FILE) in one of two formats:
//
//   cic-ids    (default) CSV with a header naming the columns
//              attack,src,dst,sport,dport,proto,start,end[,options]
//   unsw-nb15  the UNSW-NB15 ground-truth table (NUSW-NB15_GT.csv)
//
// README.md ("Labels") shows both. Errors throw LabelError with
// "file:line:column: what".
#pragma once

#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include "common/Text.h"
#include "labels/LabelRule.h"

namespace netflow {

enum class LabelFormat { CicIds, UnswNb15 };

// "cic-ids" or "unsw-nb15".
std::optional<LabelFormat> parseLabelFormat(std::string_view text);

// tz_offset_s: the UTC offset of times written without one (--labels-tz).
LabelRuleSet loadLabelRules(const std::string &path, LabelFormat format, int32_t tz_offset_s);
// The same from a stream; path only names it in messages.
LabelRuleSet parseLabelRules(std::istream &in, const std::string &path, LabelFormat format,
                             int32_t tz_offset_s);

// The lines of a rules file read whole.
class RuleLines {
  public:
    // A UTF-8 byte order mark before the first line is skipped.
    explicit RuleLines(std::string_view text) : text_(withoutByteOrderMark(text)) {}
    // The next line, without "\n" or "\r\n"; counts lines in *line_no.
    bool next(std::string_view &line, size_t *line_no);
    // The same, with what findCommas(line, at, max, quoted) finds of it
    // (*found: how many commas), in the one pass that finds its end (the
    // one reader of lines: next() above is this with max 0).
    bool next(std::string_view &line, size_t *line_no, uint32_t *at, size_t max, size_t *found,
              bool *quoted);
    // Lines in all (an upper bound of the rules, to reserve room).
    size_t lineCount() const;

  private:
    std::string_view text_;
    size_t pos_ = 0;
};

// The CIC-IDS style format alone (LabelRules.cpp) and the UNSW-NB15 one
// (UnswGroundTruth.cpp).
LabelRuleSet parseRulesCsv(RuleLines &in, const std::string &path, int32_t tz_offset_s);
LabelRuleSet parseUnswGroundTruth(RuleLines &in, const std::string &path);

// The line number a rule keeps (LabelRule::line), at most UINT32_MAX.
inline uint32_t ruleLine(size_t line_no) {
    return line_no < UINT32_MAX ? static_cast<uint32_t>(line_no) : UINT32_MAX;
}

// "path:line:column: message" as a LabelError.
[[noreturn]] void throwLabelError(const std::string &path, size_t line, size_t column,
                                  const std::string &message);

}  // namespace netflow
