#include "OfflineHandoffs.h"

#include <cassert>
#include <span>

#include "dpi/FlowClassifier.h"

namespace nftest {
namespace {

HandoffObserver *g_observer = nullptr;

}  // namespace

ObserveHandoffs::ObserveHandoffs(HandoffObserver &observer) {
    assert(!g_observer && "one observer at a time");
    g_observer = &observer;
}

ObserveHandoffs::~ObserveHandoffs() {
    g_observer = nullptr;
}

}  // namespace nftest

// NF_ON_PAYLOAD (tests/kernel/CMakeLists.txt, which also tells the linker)
// is the mangled name of netflow::FlowClassifier::onPayload(
// FlowClassification &, const nf_flow_key &, const nf_packet &,
// std::span<const uint8_t>, uint64_t, int, bool); a member function takes
// `this` as its first argument. A changed signature fails the link (no
// __real_ symbol), never silently.
#define NF_CONCAT2(a, b) a##b
#define NF_CONCAT(a, b) NF_CONCAT2(a, b)

extern "C" bool NF_CONCAT(__real_, NF_ON_PAYLOAD)(netflow::FlowClassifier *self,
                                                  netflow::FlowClassification &cls,
                                                  const nf_flow_key &key, const nf_packet &pkt,
                                                  std::span<const uint8_t> l3, uint64_t time_us,
                                                  int want, bool last_dpi_packet);

extern "C" bool NF_CONCAT(__wrap_, NF_ON_PAYLOAD)(netflow::FlowClassifier *self,
                                                  netflow::FlowClassification &cls,
                                                  const nf_flow_key &key, const nf_packet &pkt,
                                                  std::span<const uint8_t> l3, uint64_t time_us,
                                                  int want, bool last_dpi_packet) {
    bool finished =
        NF_CONCAT(__real_, NF_ON_PAYLOAD)(self, cls, key, pkt, l3, time_us, want, last_dpi_packet);
    if (nftest::g_observer)
        nftest::g_observer->onHandoff(nftest::Handoff{key, pkt,
                                                      std::vector<uint8_t>(l3.begin(), l3.end()),
                                                      time_us, want, last_dpi_packet, finished});
    return finished;
}
