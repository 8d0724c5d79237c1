#include "pipeline/RunSummary.h"

#include <cstdio>

#include "cli/CommandLine.h"

namespace netflow {

std::string formatSummary(const CaptureCounters &c, uint64_t flows, double seconds) {
    char buf[256];
    double pps = seconds > 0 ? static_cast<double>(c.read) / seconds : 0;
    std::snprintf(buf, sizeof(buf), "netflow: %llu packets, %llu flows, %.2f s, %.0f packets/s",
                  static_cast<unsigned long long>(c.read), static_cast<unsigned long long>(flows),
                  seconds, pps);
    std::string out = buf;
    if (c.dropped)
        out += "; " + std::to_string(c.dropped) + " dropped before capture (buffers full)";
    if (c.notCounted() == 0)
        return out;

    out += "; not counted:";
    bool first = true;
    auto add = [&](uint64_t n, const char *why) {
        if (!n)
            return;
        out += first ? " " : ", ";
        out += std::to_string(n) + " " + why;
        first = false;
    };
    add(c.filtered_out, "filtered out");
    add(c.not_ip, "not IP");
    add(c.truncated, "IP header truncated");
    add(c.malformed, "malformed IP header");
    add(c.after_limit, "after --max-flows");
    return out;
}

int reportError(int code, const std::string &message) {
    std::fprintf(stderr, "netflow: error: %s\n", message.c_str());
    return code;
}

int reportRunEnd(int exit_code, const Result<void> &written, const CaptureCounters &counters,
                 uint64_t flows, double seconds, const std::string &sink_summary) {
    if (!written)
        exit_code = reportError(kExitRuntimeError, written.error());
    std::fprintf(stderr, "%s\n", formatSummary(counters, flows, seconds).c_str());
    if (!sink_summary.empty())
        std::fprintf(stderr, "%s\n", sink_summary.c_str());
    return exit_code;
}

}  // namespace netflow
