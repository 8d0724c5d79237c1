// The --labels rules parser on any file: byte 0 picks the format (cic-ids
// or unsw-nb15), the rest is the file. It returns rules or throws
// LabelError with "file:line:column: what" (one line); nothing else.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "labels/LabelError.h"
#include "labels/LabelRules.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    const netflow::LabelFormat format =
        (data[0] & 1) ? netflow::LabelFormat::UnswNb15 : netflow::LabelFormat::CicIds;
    std::istringstream in(std::string(reinterpret_cast<const char *>(data + 1), size - 1));
    try {
        netflow::parseLabelRules(in, "rules.csv", format, 0);
    } catch (const netflow::LabelError &e) {
        const std::string what = e.what();
        if (what.rfind("rules.csv:", 0) != 0)
            std::abort();  // every error names the file (and line)
    }
    return 0;
}
