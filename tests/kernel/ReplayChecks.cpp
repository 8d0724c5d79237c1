#include "ReplayChecks.h"

#include <gtest/gtest.h>

#include "FlowCompare.h"
#include "kernel/BpfStats.h"

namespace nftest {
namespace {

using netflow::BpfStats;

// A kernel count against the offline path's, by name.
bool expectCount(const std::string &capture, const std::string &kernel_name, uint64_t kernel,
                 const std::string &offline_name, uint64_t offline) {
    if (kernel == offline)
        return true;
    ADD_FAILURE() << capture << ": kernel " << kernel_name << " is " << kernel << ", offline "
                  << offline_name << " is " << offline;
    return false;
}

}  // namespace

bool expectSameAsOffline(const std::string &capture, const ReplayResult &r) {
    if (!r.error.empty()) {
        ADD_FAILURE() << capture << ": " << r.error;
        return false;
    }
    bool ok = true;
    for (const std::string &line : compareFlows(r.kernel_flows, r.user_flows)) {
        ADD_FAILURE() << capture << ": " << line;
        ok = false;
    }

    // Frames: the kernel's buckets against the decoder's outcomes, counter
    // by counter.
    const auto &u = r.user_counters;
    const __u64 *k = r.kernel_stats.counters;
    auto kernel = [&](int i) { return std::string("\"") + BpfStats::name(i) + "\""; };
    ok &= expectCount(capture, kernel(NF_STAT_SEEN), k[NF_STAT_SEEN], "frames run", r.frames.run);
    ok &= expectCount(capture, kernel(NF_STAT_COUNTED), k[NF_STAT_COUNTED], "counted", u.counted);
    ok &= expectCount(capture, kernel(NF_STAT_MAP_FULL), k[NF_STAT_MAP_FULL], "(none)", 0);
    if (r.all_ip) {
        ok &= expectCount(capture, kernel(NF_STAT_FILTERED_OUT), k[NF_STAT_FILTERED_OUT],
                          "filtered out", u.filtered_out);
        ok &= expectCount(capture, kernel(NF_STAT_NOT_IP), k[NF_STAT_NOT_IP], "not IP", u.not_ip);
    } else {
        // Without --filter, a frame with no IP header fails the default
        // filter offline (docs/decisions.md): the kernel tells them apart.
        ok &= expectCount(capture, "\"filtered out\" + \"not IP\"",
                          k[NF_STAT_FILTERED_OUT] + k[NF_STAT_NOT_IP], "filtered out",
                          u.filtered_out);
        ok &= expectCount(capture, "(default filter)", 0, "not IP", u.not_ip);
    }
    ok &= expectCount(capture, kernel(NF_STAT_TRUNCATED), k[NF_STAT_TRUNCATED],
                      "IP header truncated", u.truncated);
    ok &= expectCount(capture, kernel(NF_STAT_MALFORMED), k[NF_STAT_MALFORMED],
                      "malformed IP header", u.malformed);
    ok &= expectCount(capture, kernel(NF_STAT_FLOWS_ENDED), k[NF_STAT_FLOWS_ENDED],
                      "flow-ended records received", r.ended_records);
    ok &= expectCount(capture, kernel(NF_STAT_RINGBUF_FAILED), k[NF_STAT_RINGBUF_FAILED], "(none)",
                      0);
    ok &= expectCount(capture, "malformed ring records", r.bad_records, "(none)", 0);
    ok &= expectCount(capture, "map-full records", r.unmapped.size(), "(none)", 0);

    // Every frame seen lands in exactly one bucket.
    const uint64_t buckets = k[NF_STAT_COUNTED] + k[NF_STAT_MAP_FULL] + k[NF_STAT_FILTERED_OUT] +
                             k[NF_STAT_NOT_IP] + k[NF_STAT_TRUNCATED] + k[NF_STAT_MALFORMED];
    ok &= expectCount(capture, "frames in the buckets", buckets, "frames seen", k[NF_STAT_SEEN]);
    return ok;
}

void ReplayTotals::add(const ReplayResult &r, bool equal) {
    captures++;
    unequal += !equal;
    damaged += !r.read_error.empty();
    frames.in_capture += r.frames.in_capture;
    frames.run += r.frames.run;
    frames.too_short += r.frames.too_short;
    frames.too_long += r.frames.too_long;
    frames.beyond_linear += r.frames.beyond_linear;
    flows += r.kernel_flows.size();
    counted += r.user_counters.counted;
    ended_in_kernel += r.ended_records;
}

std::string ReplayTotals::summary(const std::string &what, Hook hook) const {
    auto n = [](uint64_t v) { return std::to_string(v); };
    std::string out = what + ": " + n(captures) + " captures, " + n(frames.in_capture) +
                      " frames, " + n(frames.run) + " run on both sides";
    if (hook == Hook::Xdp)
        out += " (" + n(frames.beyond_linear) + " longer than the XDP linear part)";
    out += ", skipped on both sides: " + n(frames.too_short) + " too short, " + n(frames.too_long) +
           " too long for the test run; " + n(counted) + " packets counted, " + n(flows) +
           " flows compared (" + n(ended_in_kernel) + " ended in the kernel); " +
           n(captures - unequal) + " of " + n(captures) + " captures equal";
    if (damaged)
        out += " (" + n(damaged) + " end in a damaged record, replayed up to it)";
    return out;
}

}  // namespace nftest
