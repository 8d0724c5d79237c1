// One physical line of a rules file split into fields (RFC 4180 quoting
// within the line), each with the 1-based column where it starts, for
// error messages. Unquoted fields are trimmed of spaces and tabs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace netflow {

struct CsvField {
    // A view into the line, or into unquoted_ when the field holds a
    // doubled quote (""), valid until the next split into the same CsvSplit.
    std::string_view text;
    size_t column;  // 1-based, of the field's first character
    std::string unquoted_;
    bool owned_ = false;  // text views unquoted_
};

// Splits line (without its line end) into fields. Returns the column of an
// unterminated quote or of a character after a closing quote, as an error.
struct CsvSplit {
    std::vector<CsvField> fields;
    std::optional<size_t> bad_column;
};
// out's vectors are reused (one line after another: no allocation); the
// fields view the line, which must outlive them.
void splitCsvLine(std::string_view line, CsvSplit &out);
inline CsvSplit splitCsvLine(std::string_view line) {
    CsvSplit out;
    splitCsvLine(line, out);
    return out;
}

// The positions of line's first commas, at most max of them, into at;
// returns how many, and in *quoted whether the line holds a quote
// anywhere (then splitCsvLine must split it). Sixteen bytes a step (a
// memchr call a field cost more than the rest of the split).
size_t findCommas(std::string_view line, uint32_t *at, size_t max, bool *quoted);

// A field of a quote-free line between begin and end (the next comma or
// the line's end), trimmed of blanks as splitCsvLine trims: its text and
// its 1-based column (of its first character; of the field's start when
// it is empty), written into *text and *column part by part (returned as
// one struct and copied into the caller's, GCC stored the view's two
// halves and loaded them back as one 16-byte word, which waited for the
// stores: a failed store forwarding, half of reading a UNSW-NB15 line's
// fields).
inline void plainField(std::string_view line, size_t begin, size_t end, std::string_view *text,
                       size_t *column) {
    const char *const s = line.data();
    size_t i = begin;
    while (i < end && (s[i] == ' ' || s[i] == '\t'))
        i++;
    size_t last = end;
    while (last > i && (s[last - 1] == ' ' || s[last - 1] == '\t'))
        last--;
    *text = std::string_view(s + i, last - i);
    *column = last > i ? i + 1 : begin + 1;
}

}  // namespace netflow
