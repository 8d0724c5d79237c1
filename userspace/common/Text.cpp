#include "common/Text.h"

#include <cstdint>
#include <cstdio>

namespace netflow {

// RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF.
size_t utf8SequenceLength(std::string_view s, size_t i) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = byte(i);
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0;
        if (c == 0xED)
            hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90;
        if (c == 0xF4)
            hi = 0x8F;
    } else {
        return 0;
    }
    if (i + n > s.size() || byte(i + 1) < lo || byte(i + 1) > hi)
        return 0;
    for (size_t k = 2; k < n; k++) {
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF)
            return 0;
    }
    return n;
}

namespace {

// Appends text's first bytes, up to `max` (cut at a character's start), as
// printableText shows them; returns how many it took.
size_t appendPrintable(std::string &out, std::string_view text, size_t max) {
    size_t i = 0;
    while (i < text.size() && i < max) {
        const auto b = static_cast<uint8_t>(text[i]);
        size_t n = 1;
        if (b >= 0x20 && b < 0x7f) {
            out += static_cast<char>(b);
        } else if (b >= 0x80 && (n = utf8SequenceLength(text, i)) > 0) {
            out.append(text.substr(i, n));
        } else {
            char hex[5];
            std::snprintf(hex, sizeof(hex), "\\x%02x", b);
            out += hex;
            n = 1;
        }
        i += n;
    }
    return i;
}

}  // namespace

std::string printableText(std::string_view text) {
    std::string out;
    appendPrintable(out, text, text.size());
    return out;
}

std::string quotedText(std::string_view text, size_t max) {
    std::string out = "'";
    const size_t i = appendPrintable(out, text, max);
    out += '\'';
    if (i < text.size())
        out += "... (" + std::to_string(text.size()) + " bytes)";
    return out;
}

}  // namespace netflow
