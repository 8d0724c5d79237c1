#include "ReplayChecks.h"

#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "FlowCompare.h"
#include "PayloadChecks.h"
#include "ProgramTestRun.h"
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
    // One rule for frames with no IP header (nf_unparsed_bucket): filtered
    // out under the default filter, "not IP" under a user filter.
    ok &= expectCount(capture, kernel(NF_STAT_FILTERED_OUT), k[NF_STAT_FILTERED_OUT],
                      "filtered out", u.filtered_out);
    ok &= expectCount(capture, kernel(NF_STAT_NOT_IP), k[NF_STAT_NOT_IP], "not IP", u.not_ip);
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
    return ok & expectPayloadAsOffline(capture, r);
}

bool expectPayloadAsOffline(const std::string &capture, const ReplayResult &r) {
    bool ok = true;
    // The payload path's accounting: every wanted packet is copied, lost
    // and counted, or (tap) redirected.
    const __u64 *k = r.kernel_stats.counters;
    ok &= expectCount(
        capture, "payload wanted", k[NF_STAT_PAYLOAD_WANTED], "copied + copy failed + redirected",
        k[NF_STAT_PAYLOAD_COPIED] + k[NF_STAT_PAYLOAD_COPY_FAILED] + k[NF_STAT_XSK_REDIRECTED]);
    ok &= expectCount(capture, "payload copied", k[NF_STAT_PAYLOAD_COPIED],
                      "payload records received", r.copies.size());
    ok &= expectCount(capture, "redirected to AF_XDP", k[NF_STAT_XSK_REDIRECTED],
                      "frames redirected", r.xsk_frames.size());
    ok &= expectCount(capture, "payload ring full", k[NF_STAT_PAYLOAD_COPY_FAILED], "(none)", 0);
    if (r.capture_mode == NF_CAPTURE_HOST)
        ok &= expectCount(capture, "AF_XDP redirects and misses",
                          k[NF_STAT_XSK_REDIRECTED] + k[NF_STAT_XSK_REDIRECT_FAILED],
                          "(host capture)", 0);
    if (k[NF_STAT_DPI_DONE_SEEN] > r.dpi_done_marks) {
        ADD_FAILURE() << capture << ": " << k[NF_STAT_DPI_DONE_SEEN] << " DPI-done marks taken, "
                      << r.dpi_done_marks << " written";
        ok = false;
    }

    auto report = [&](const std::vector<std::string> &lines) {
        for (const std::string &line : lines)
            ADD_FAILURE() << capture << ": " << line;
        ok &= lines.empty();
    };
    report(checkCopiesPerFlow(r));
    if (r.dpi_done == DpiDone::FollowClassifier)
        report(compareDeliveriesWithHandoffs(r));
    else
        report(checkCopiesAgainstBudget(r));
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
    handoffs += r.handoffs.size();
    copies += r.copies.size();
    redirected += r.xsk_frames.size();
    dpi_done_marks += r.dpi_done_marks;
    dpi_done_seen += r.kernel_stats.counters[NF_STAT_DPI_DONE_SEEN];
    std::set<std::pair<std::string, uint64_t>> with_copies;
    for (const PayloadCopy &c : r.copies) {
        with_copies.emplace(
            std::string(reinterpret_cast<const char *>(&c.rec.key), sizeof(c.rec.key)),
            c.rec.flow_first_us);
        cut_copies += c.rec.cap_len < c.rec.datagram_len;
        beyond_linear_copies += c.rec.datagram_len + 14 > kXdpLinearBytes;
        copied_bytes += c.bytes.size();
    }
    flows_with_copies += with_copies.size();
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
    out += "; payload: " + n(copies) + " packets of " + n(flows_with_copies) + " flows copied (" +
           n(copied_bytes) + " bytes, ";
    if (hook == Hook::Xdp)
        out += n(beyond_linear_copies) + " past the XDP linear part, ";
    out += n(cut_copies) + " cut at " + n(NF_PAYLOAD_COPY_MAX) + ")";
    if (redirected)
        out += ", " + n(redirected) + " redirected to AF_XDP";
    if (handoffs)
        out += ", " + n(handoffs) + " offline hand-offs compared";
    if (dpi_done_marks)
        out += ", " + n(dpi_done_marks) + " flows marked DPI-done, " + n(dpi_done_seen) +
               " marks taken by the kernel";
    return out;
}

}  // namespace nftest
