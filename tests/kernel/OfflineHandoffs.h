// What the offline path hands the classifier: every call FlowMeter makes to
// FlowClassifier::onPayload, observed as it happens in the unmodified
// offline code. The kernel's payload copies are compared with these.
//
// The seam is the linker's: the kernel test binary links with
// --wrap=<FlowClassifier::onPayload> (tests/kernel/CMakeLists.txt), so
// FlowMeter's call lands in OfflineHandoffs.cpp, which passes it on to the
// real classifier and reports it, return value included, to the observer.
#pragma once

#include <cstdint>
#include <vector>

#include "flow_types.h"

namespace nftest {

struct Handoff {
    nf_flow_key key;
    nf_packet pkt;
    std::vector<uint8_t> l3;  // the datagram as handed over
    uint64_t time_us;
    int want;
    bool last_dpi_packet;
    bool dpi_finished;  // what onPayload returned: FlowMeter sets dpi_done
};

class HandoffObserver {
  public:
    virtual ~HandoffObserver() = default;
    virtual void onHandoff(const Handoff &handoff) = 0;
};

// Reports every hand-off to `observer` until the scope ends; one at a time.
class ObserveHandoffs {
  public:
    explicit ObserveHandoffs(HandoffObserver &observer);
    ~ObserveHandoffs();
    ObserveHandoffs(const ObserveHandoffs &) = delete;
    ObserveHandoffs &operator=(const ObserveHandoffs &) = delete;
};

}  // namespace nftest
