#include "delivery/JsonFlowEncoder.h"

#include <charconv>
#include <cmath>

namespace netflow {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF).
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

}  // namespace

void appendJsonString(std::string &out, std::string_view text) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += '"';
    for (size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
            out += static_cast<char>(c);
            i++;
            continue;
        }
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (c < 0x20 || c == 0x7F) {
                    // DEL is legal JSON but no use to anyone reading a line.
                    out += "\\u00";
                    out += kHex[c >> 4];
                    out += kHex[c & 0xF];
                } else if (size_t n = utf8SequenceLength(text, i)) {
                    out.append(text.substr(i, n));
                    i += n;
                    continue;
                } else {
                    out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
                }
        }
        i++;
    }
    out += '"';
}

JsonFlowEncoder::JsonFlowEncoder(const std::vector<SelectedColumn> &columns,
                                 const FlowFeatures &features)
    : features_(features) {
    for (const SelectedColumn &c : columns) {
        Key key{c.column, keys_.empty() ? "{" : ","};
        appendJsonString(key.prefix, c.header);
        key.prefix += ':';
        keys_.push_back(std::move(key));
    }
}

void JsonFlowEncoder::encode(const FlowRecord &flow, std::string &out) {
    if (keys_.empty()) {
        out += "{}";
        return;
    }
    features_.beginRow(flow);
    for (const Key &key : keys_) {
        out += key.prefix;
        features_.compute(key.column, flow, value_);
        switch (value_.kind) {
            case FeatureValue::Kind::Integer: {
                char buf[24];
                out.append(buf, std::to_chars(buf, buf + sizeof(buf), value_.integer).ptr);
                break;
            }
            case FeatureValue::Kind::Real:
                // JSON has no NaN or infinity; no feature produces them
                // today, and null keeps the document valid if one ever does.
                if (!std::isfinite(value_.real)) {
                    out += "null";
                } else {
                    appendReal(out, value_.real);
                }
                break;
            case FeatureValue::Kind::Text:
                appendJsonString(out, value_.text);
                break;
        }
    }
    out += '}';
}

}  // namespace netflow
