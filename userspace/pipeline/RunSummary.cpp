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

std::string formatStatus(const LiveStatus &s) {
    auto n = [](uint64_t v) { return std::to_string(v); };
    std::string line = "netflow: " + n(s.packets) + " packets (" + n(s.packets_per_second) +
                       "/s), " + n(s.flows_active) + " flows active, " + n(s.flows_exported) +
                       " exported, " + n(s.not_counted) + " not counted, " + n(s.lost) + " lost";
    if (s.kernel)
        line += ", " + n(s.map_full) + " map full, " + n(s.payload_copies) + " payload copies";
    return line;
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
