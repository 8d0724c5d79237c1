#include "delivery/JsonFlowEncoder.h"

#include <charconv>
#include <cmath>

#include "common/Text.h"

namespace netflow {

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
