// The spool reader on any file an earlier run (or a crash, or a mistake)
// left: it refuses it with a SpoolError, or hands back exactly the lines it
// counted, each a JSON object's line, then the flows appended after them,
// and leaves no file behind once everything was read.
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "delivery/SpoolFile.h"

namespace {

std::string spoolPath() {
    static const std::string path = [] {
        char dir[] = "/tmp/netflow-spool-fuzz-XXXXXX";
        if (!::mkdtemp(dir))
            std::abort();
        return std::string(dir) + "/spool.jsonl";
    }();
    return path;
}

void writeFile(const std::string &path, const uint8_t *data, size_t size) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        std::abort();
    while (size > 0) {
        const ssize_t w = ::write(fd, data, size);
        if (w <= 0)
            std::abort();
        data += w;
        size -= static_cast<size_t>(w);
    }
    ::close(fd);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const std::string path = spoolPath();
    writeFile(path, data, size);
    try {
        netflow::SpoolFile spool(path);
        const uint64_t inherited = spool.inherited();
        if (spool.pending() != inherited)
            std::abort();
        // Between the earlier run's lines, this run's.
        spool.append(R"({"flow":1})");
        std::string line;
        uint64_t read = 0;
        while (read < inherited && spool.readLine(line)) {
            if (line.empty() || line.front() != '{' || line.back() != '}' ||
                line.find('\n') != std::string::npos)
                std::abort();
            read++;
        }
        if (read != inherited)
            std::abort();
        spool.append(R"({"flow":2})");
        for (const char *expected : {R"({"flow":1})", R"({"flow":2})"}) {
            if (!spool.readLine(line) || line != expected)
                std::abort();
        }
        if (spool.readLine(line) || spool.pending() != 0)
            std::abort();
        if (!spool.close().ok() || ::access(path.c_str(), F_OK) == 0)
            std::abort();  // every line was read: the file is gone
    } catch (const netflow::SpoolError &) {
        // Refused (not a spool): fine, with a reason.
    }
    ::unlink(path.c_str());
    return 0;
}
