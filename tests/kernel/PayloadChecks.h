// Verdicts on the payload path of one replay: what the kernel delivered
// (payload records, or AF_XDP frames in tap mode) against what the offline
// path handed the classifier, frame by frame; the deliveries of each flow;
// and the deliveries the budget alone implies when no classifier decides.
// Each returns one line per difference (at most max_lines), empty when all
// agree.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "CaptureReplay.h"

namespace nftest {

// DpiDone::FollowClassifier: for every frame, a delivery exactly when the
// offline path handed the packet to the classifier, with the same want
// mask, time, flow key and bytes (the datagram, up to
// NF_PAYLOAD_COPY_MAX), the packet parsed again from the copy equal to the
// offline parse, and the same "last packet of the DPI budget".
std::vector<std::string> compareDeliveriesWithHandoffs(const ReplayResult &r,
                                                       size_t max_lines = 20);

// Every payload record names a flow the kernel counted (key, first_us);
// a flow's records carry payload numbers 1, 2, ... n in order (what is
// wanted is always a prefix of the flow's payload packets), n at most its
// payload packets, each with the packet's direction in that flow and a time
// within it.
std::vector<std::string> checkCopiesPerFlow(const ReplayResult &r, size_t max_lines = 20);

// DpiDone::Never or AfterPayloadPacket: each flow's records are exactly
// those the budget implies. Payload packet i is wanted for DPI when i <=
// min(dpi_packets, k) (k: the mark's packet, or no limit), for the app
// parsers when the flow is on port 53/21 and i <= app_packets.
std::vector<std::string> checkCopiesAgainstBudget(const ReplayResult &r, size_t max_lines = 20);

// How many packets the budget implies are wanted in r's flows (the same
// rule, summed).
uint64_t wantedByBudget(const ReplayResult &r);

}  // namespace nftest
