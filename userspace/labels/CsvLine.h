// One physical line of a rules file split into fields (RFC 4180 quoting
// within the line), each with the 1-based column where it starts, for
// error messages. Unquoted fields are trimmed of spaces and tabs.
#pragma once

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

}  // namespace netflow
