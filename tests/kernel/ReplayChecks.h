// The verdict on one replay: the kernel's flows and statistics against the
// offline path's, every difference a test failure naming the capture, the
// flow and the field (or counter).
#pragma once

#include <cstdint>
#include <string>

#include "CaptureReplay.h"

namespace nftest {

// ADD_FAILURE for each difference; true when there was none.
bool expectSameAsOffline(const std::string &capture, const ReplayResult &r);

// Running totals for the summary line of a test.
struct ReplayTotals {
    size_t captures = 0;
    size_t unequal = 0;
    size_t damaged = 0;  // replayed up to a record cut off mid-way
    FrameCounts frames;
    uint64_t counted = 0;  // packets that passed the filter
    uint64_t flows = 0;    // compared, per side
    uint64_t ended_in_kernel = 0;

    void add(const ReplayResult &r, bool equal);
    std::string summary(const std::string &what, Hook hook) const;
};

}  // namespace nftest
