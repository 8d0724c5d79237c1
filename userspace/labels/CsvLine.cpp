#include "labels/CsvLine.h"

namespace netflow {
namespace {

bool isBlank(char c) {
    return c == ' ' || c == '\t';
}

}  // namespace

void splitCsvLine(std::string_view line, CsvSplit &out) {
    out.bad_column.reset();
    size_t count = 0;
    // The next field, reusing what the vector holds.
    auto next = [&]() -> CsvField & {
        if (count == out.fields.size())
            out.fields.emplace_back();
        CsvField &f = out.fields[count++];
        f.text.clear();
        return f;
    };
    size_t i = 0;
    while (true) {
        size_t start = i;
        while (i < line.size() && isBlank(line[i]))
            i++;
        CsvField &field = next();
        field.column = i + 1;
        if (i < line.size() && line[i] == '"') {
            size_t quote = i++;
            bool closed = false;
            while (i < line.size()) {
                if (line[i] == '"') {
                    if (i + 1 < line.size() && line[i + 1] == '"') {
                        field.text += '"';
                        i += 2;
                        continue;
                    }
                    closed = true;
                    i++;
                    break;
                }
                field.text += line[i++];
            }
            if (!closed) {
                out.bad_column = quote + 1;
                out.fields.resize(count);
                return;
            }
            while (i < line.size() && isBlank(line[i]))
                i++;
            if (i < line.size() && line[i] != ',') {
                out.bad_column = i + 1;
                out.fields.resize(count);
                return;
            }
        } else {
            size_t end = i;
            while (end < line.size() && line[end] != ',')
                end++;
            size_t last = end;
            while (last > i && isBlank(line[last - 1]))
                last--;
            field.text.assign(line.substr(i, last - i));
            if (field.text.empty())
                field.column = start + 1;
            i = end;
        }
        if (i >= line.size()) {
            out.fields.resize(count);
            return;
        }
        i++;  // the comma
    }
}

}  // namespace netflow
