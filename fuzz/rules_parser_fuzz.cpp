// The --labels rules parser on any file: byte 0 picks the format (cic-ids
// or unsw-nb15) and the size of the parts a file is read in, the rest is
// the file. It returns rules or throws LabelError with
// "file:line:column: what" (one line); nothing else. And the file read a
// part at a time (RuleLines over a file descriptor, parts of 16-79 bytes:
// lines across parts, lines longer than a part) gives the lines, line
// numbers, commas and quotes the text in memory gives.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include "common/UniqueFd.h"
#include "labels/LabelError.h"
#include "labels/LabelRules.h"
#include "support/RuleLinesSeen.h"

namespace {

void compareParts(std::string_view text, size_t part) {
    const netflow::UniqueFd fd(::memfd_create("rules", MFD_CLOEXEC));
    if (!fd || ::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
        ::lseek(fd.get(), 0, SEEK_SET) != 0)
        return;
    netflow::RuleLines whole(text), parts(fd.get(), "rules.csv", part);
    if (parts.head() != text.substr(0, 4) || linesOf(parts) != linesOf(whole))
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    const netflow::LabelFormat format =
        (data[0] & 1) ? netflow::LabelFormat::UnswNb15 : netflow::LabelFormat::CicIds;
    const std::string text(reinterpret_cast<const char *>(data + 1), size - 1);
    compareParts(text, 16 + (data[0] >> 1) % 64);
    std::istringstream in(text);
    try {
        netflow::parseLabelRules(in, "rules.csv", format, 0);
    } catch (const netflow::LabelError &e) {
        const std::string what = e.what();
        if (what.rfind("rules.csv:", 0) != 0)
            std::abort();  // every error names the file (and line)
    }
    return 0;
}
