#include "labels/CsvLine.h"

namespace netflow {
namespace {

bool isBlank(char c) {
    return c == ' ' || c == '\t';
}

}  // namespace

CsvSplit splitCsvLine(std::string_view line) {
    CsvSplit out;
    size_t i = 0;
    while (true) {
        size_t start = i;
        while (i < line.size() && isBlank(line[i]))
            i++;
        CsvField field{std::string(), i + 1};
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
                return out;
            }
            while (i < line.size() && isBlank(line[i]))
                i++;
            if (i < line.size() && line[i] != ',') {
                out.bad_column = i + 1;
                return out;
            }
        } else {
            size_t end = line.find(',', i);
            if (end == std::string_view::npos)
                end = line.size();
            size_t last = end;
            while (last > i && isBlank(line[last - 1]))
                last--;
            field.text.assign(line.substr(i, last - i));
            if (field.text.empty())
                field.column = start + 1;
            i = end;
        }
        out.fields.push_back(std::move(field));
        if (i >= line.size())
            return out;
        i++;  // the comma
    }
}

}  // namespace netflow
