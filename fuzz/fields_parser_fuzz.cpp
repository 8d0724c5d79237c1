// The --fields list parser on any text: it returns columns or names the bad
// entry, and every column it returns is one of the program's columns.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "features/Columns.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string_view list(reinterpret_cast<const char *>(data), size);
    std::string bad;
    const auto columns = netflow::parseFieldList(list, &bad);
    if (!columns)
        return 0;
    for (const netflow::SelectedColumn &c : *columns) {
        if (static_cast<size_t>(c.column) >= netflow::kColumnCount)
            std::abort();
        // A selected column's name is accepted again.
        if (netflow::columnByName(netflow::columnName(c.column)) != c.column)
            std::abort();
    }
    return 0;
}
