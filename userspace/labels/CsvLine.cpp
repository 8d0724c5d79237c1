#include "labels/CsvLine.h"

#include <cstring>

namespace netflow {
namespace {

bool isBlank(char c) {
    return c == ' ' || c == '\t';
}

}  // namespace

void splitCsvLine(std::string_view line, CsvSplit &out) {
    out.bad_column.reset();
    size_t count = 0;
    bool owned = false;  // a field views its unquoted_ (fixed up at the end)
    // The next field, reusing what the vector holds.
    auto next = [&]() -> CsvField & {
        if (count == out.fields.size())
            out.fields.emplace_back();
        CsvField &f = out.fields[count++];
        f.text = {};
        f.owned_ = false;
        return f;
    };
    auto done = [&] {
        out.fields.resize(count);
        if (owned) {  // the vector may have moved the strings since
            for (CsvField &f : out.fields) {
                if (f.owned_)
                    f.text = f.unquoted_;
            }
        }
    };
    const char *const s = line.data();
    const size_t n = line.size();
    size_t i = 0;
    while (true) {
        size_t start = i;
        while (i < n && isBlank(s[i]))
            i++;
        CsvField &field = next();
        field.column = i + 1;
        if (i < n && s[i] == '"') {
            size_t quote = i++;
            bool closed = false, doubled = false;
            const size_t body = i;
            while (i < n) {
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') {
                        doubled = true;
                        i += 2;
                        continue;
                    }
                    closed = true;
                    break;
                }
                i++;
            }
            if (!closed) {
                out.bad_column = quote + 1;
                done();
                return;
            }
            if (doubled) {
                field.unquoted_.clear();
                for (size_t k = body; k < i; k++) {
                    field.unquoted_ += s[k];
                    if (s[k] == '"')
                        k++;
                }
                field.owned_ = owned = true;  // text points at unquoted_ in done()
            } else {
                field.text = line.substr(body, i - body);
            }
            i++;  // the closing quote
            while (i < n && isBlank(s[i]))
                i++;
            if (i < n && s[i] != ',') {
                out.bad_column = i + 1;
                done();
                return;
            }
        } else {
            const void *comma = i < n ? std::memchr(s + i, ',', n - i) : nullptr;
            size_t end = comma ? static_cast<size_t>(static_cast<const char *>(comma) - s) : n;
            size_t last = end;
            while (last > i && isBlank(s[last - 1]))
                last--;
            field.text = line.substr(i, last - i);
            if (field.text.empty())
                field.column = start + 1;
            i = end;
        }
        if (i >= n) {
            done();
            return;
        }
        i++;  // the comma
    }
}

}  // namespace netflow
