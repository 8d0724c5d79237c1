#include "delivery/JsonArraySplit.h"

namespace netflow {
namespace {

bool isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && isSpace(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isSpace(s.back()))
        s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<std::vector<std::string_view>> splitJsonArray(std::string_view text) {
    text = trim(text);
    if (text.size() < 2 || text.front() != '[' || text.back() != ']')
        return std::nullopt;
    std::vector<std::string_view> out;
    int depth = 0;
    bool in_string = false, escaped = false;
    size_t start = 1;
    for (size_t i = 1; i + 1 < text.size(); i++) {
        const char c = text[i];
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            depth++;
        } else if (c == ']' || c == '}') {
            if (--depth < 0)
                return std::nullopt;
        } else if (c == ',' && depth == 0) {
            std::string_view element = trim(text.substr(start, i - start));
            if (element.empty())
                return std::nullopt;
            out.push_back(element);
            start = i + 1;
        }
    }
    if (in_string || depth != 0)
        return std::nullopt;
    std::string_view last = trim(text.substr(start, text.size() - 1 - start));
    if (last.empty()) {
        if (!out.empty())
            return std::nullopt;  // "[1,]"
        return out;               // "[]"
    }
    out.push_back(last);
    return out;
}

}  // namespace netflow
