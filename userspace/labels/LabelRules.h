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
#include <memory>
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

// The lines of a rules file: of a text in memory, or read from a file
// descriptor a part at a time into one reused buffer (a file of 100,000
// rules, 8.5 MB, read whole took five fresh 2 MB pages and a second pass
// to count its lines). A UTF-8 byte order mark before the first line is
// skipped.
class RuleLines {
  public:
    explicit RuleLines(std::string_view text)
        : text_(withoutByteOrderMark(text)), head_(text.substr(0, 4)) {}
    // Reads `fd` (not closed here) `part` bytes at a time (a line longer
    // than that grows the buffer). Read errors throw LabelError naming
    // `path`. Reads the first part at once (head()).
    static constexpr size_t kPart = 256 * 1024;
    RuleLines(int fd, std::string path, size_t part = kPart);

    // The next line, without "\n" or "\r\n"; counts lines in *line_no.
    // The line views the text, or the buffer until the next call.
    bool next(std::string_view &line, size_t *line_no);
    // The same, with what findCommas(line, at, max, quoted) finds of it
    // (*found: how many commas), in the one pass that finds its end (the
    // one reader of lines: next() above is this with max 0).
    bool next(std::string_view &line, size_t *line_no, uint32_t *at, size_t max, size_t *found,
              bool *quoted);
    // Lines of the text in memory, counted (an upper bound of the rules).
    size_t lineCount() const;
    // About how many lines there are, to reserve room: lineCount() for a
    // text in memory or a file of one part; for a larger file, its size
    // over the mean length of the first part's lines, a tenth more, and at
    // most one line for each kMinLine bytes (a first part of blank or
    // comment lines would make it far too many); for a stream, twice the
    // first part's lines. May be off either way.
    static constexpr size_t kMinLine = 16;
    size_t expectedLines() const;
    // The first bytes of the text or file (up to 4 of them, the byte order
    // mark included; fewer when there are fewer): what captureFormatOf
    // reads.
    std::string_view head() const { return head_; }

  private:
    // The next complete lines into text_ (the last one without a newline
    // at the end of the file); false when nothing is left.
    bool refill();
    // One read() into the buffer's free end (the buffer twice as large
    // when it is full); sets eof_ at the end.
    void readMore();

    std::string_view text_;
    size_t pos_ = 0;
    // Reading a file: the buffer, what is in it and what of that is in
    // text_ (complete lines); the rest moves to the buffer's start.
    int fd_ = -1;
    std::string path_;
    std::unique_ptr<char[]> buffer_;
    size_t capacity_ = 0, filled_ = 0, taken_ = 0;
    // The bytes from the buffer's start known to hold no newline (a line
    // longer than a read is not searched again after every read).
    size_t searched_ = 0;
    bool eof_ = false;
    size_t expected_ = 0;
    std::string head_;
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
