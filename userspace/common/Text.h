// Small text helpers the command line, the columns, the HTTP headers, the
// JSON encoder and the messages that quote a user's file share.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace netflow {

// Without leading and trailing white space.
inline std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

// ASCII case-insensitive equality.
inline bool equalsIgnoreCase(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

// Without a leading UTF-8 byte order mark (a spreadsheet's or an editor's):
// it is no part of the text a user sees.
inline std::string_view withoutByteOrderMark(std::string_view s) {
    return s.starts_with("\xEF\xBB\xBF") ? s.substr(3) : s;
}

// The length of the valid UTF-8 sequence starting at s[i] (2-4 bytes), or
// 0 when none starts there.
size_t utf8SequenceLength(std::string_view s, size_t i);

// Text read from a user's file, as a message shows it whole (a rules
// file's Attack names in the run's summary): on one line and readable on a
// terminal, control bytes, DEL and bytes that are no UTF-8 as \xNN; valid
// UTF-8 as it is.
std::string printableText(std::string_view text);

// Text read from a user's file, as an error message quotes it: between
// single quotes, on one line and readable on a terminal whatever the file
// held (a capture given where a CSV was meant): control bytes, DEL and
// bytes that are no UTF-8 as \xNN; past `max` bytes cut at a character's
// start, with "..." and the whole length.
std::string quotedText(std::string_view text, size_t max = 64);

// ASCII lower case.
inline std::string toLower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

}  // namespace netflow
