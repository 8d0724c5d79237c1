// The verdict on one replay: the kernel's flows and statistics against the
// offline path's, every difference a test failure naming the capture, the
// flow and the field (or counter).
#pragma once

#include <cstdint>
#include <string>

#include "CaptureReplay.h"

namespace nftest {

// ADD_FAILURE for each difference; true when there was none. Flows,
// statistics and the payload path (expectPayloadAsOffline).
bool expectSameAsOffline(const std::string &capture, const ReplayResult &r);

// The payload path alone: the statistics' accounting, each flow's
// deliveries, and either the offline hand-offs (DpiDone::FollowClassifier)
// or what the budget implies.
bool expectPayloadAsOffline(const std::string &capture, const ReplayResult &r);

// Running totals for the summary line of a test.
struct ReplayTotals {
    size_t captures = 0;
    size_t unequal = 0;
    size_t damaged = 0;  // replayed up to a record cut off mid-way
    FrameCounts frames;
    uint64_t counted = 0;  // packets that passed the filter
    uint64_t flows = 0;    // compared, per side
    uint64_t ended_in_kernel = 0;
    uint64_t handoffs = 0;    // offline hand-offs to the classifier
    uint64_t copies = 0;      // payload packets the kernel copied to the ring
    uint64_t redirected = 0;  // tap: frames redirected to an AF_XDP socket
    uint64_t flows_with_copies = 0;
    uint64_t copied_bytes = 0;
    uint64_t cut_copies = 0;            // datagrams longer than NF_PAYLOAD_COPY_MAX
    uint64_t beyond_linear_copies = 0;  // frames past the XDP test run's linear part
    uint64_t dpi_done_marks = 0;
    uint64_t dpi_done_seen = 0;

    void add(const ReplayResult &r, bool equal);
    std::string summary(const std::string &what, Hook hook) const;
};

}  // namespace nftest
