// Puts each flow's payload records back in the order the kernel numbered
// them before DPI sees them.
//
// In tap capture every RX queue has its own AF_XDP socket, and the packets
// of one flow can arrive on different queues (RSS, or the sending CPU on
// veth): read socket by socket, a server's answer can reach nDPI before the
// request it answers, and detection then ends on the answer (an HTTP flow
// without its Host). The kernel numbers each flow's payload packets under
// the flow's lock (payload_index, 1-based), so the order is known exactly:
// a record that comes ahead of a missing one waits here until the gap is
// filled, or for a whole round of the engine (the missing record was lost
// on the way: ring or socket full, counted there), then goes on in index
// order.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <map>
#include <unordered_map>
#include <vector>

#include "flow/LiveClassifications.h"
#include "netflow_kern_user.h"
#include "packet_parse.h"

namespace netflow {

class PayloadOrder {
  public:
    using Deliver =
        std::function<void(const nf_rec_payload &, const nf_packet &, std::span<const uint8_t>)>;

    // `deliver` gets every record, in each flow's payload order. The next
    // index each flow expects is kept with its classification (`flows`),
    // so it lives and goes exactly as long.
    PayloadOrder(LiveClassifications &flows, Deliver deliver)
        : flows_(flows), deliver_(std::move(deliver)) {}

    // A record as it arrives; `l3` is only read during the call.
    void add(const nf_rec_payload &rec, const nf_packet &pkt, std::span<const uint8_t> l3);

    // Once a round: delivers, in index order and gaps and all, the records
    // of every flow that has had one waiting since the previous round.
    void endRound();

    // Delivers every waiting record (end of capture).
    void release();

    // The flow instance is being exported: delivers what it has waiting.
    void release(const FlowInstance &flow);

    // Records that came ahead of a missing one and waited.
    uint64_t reordered() const { return reordered_; }
    // Waiting records released with a record before them still missing.
    uint64_t releasedPastGap() const { return past_gap_; }
    size_t waiting() const { return waiting_count_; }

  private:
    struct Waiting {
        nf_rec_payload rec;
        nf_packet pkt;
        std::vector<uint8_t> l3;
        uint64_t round;  // the round it came in
    };
    using WaitingByIndex = std::map<uint32_t, Waiting>;

    // Delivers a flow's waiting records from the front while they are next
    // in line (gaps: every one), and forgets the emptied list.
    void deliverFront(const FlowInstance &flow, WaitingByIndex &list, bool gaps);

    // Bounds the memory a flood of gaps could take: past this many waiting
    // records, everything waiting is released.
    static constexpr size_t kMaxWaiting = 1 << 16;

    LiveClassifications &flows_;
    Deliver deliver_;
    std::unordered_map<FlowInstance, WaitingByIndex, FlowInstanceHash> waiting_;
    size_t waiting_count_ = 0;
    uint64_t round_ = 0;
    uint64_t reordered_ = 0;
    uint64_t past_gap_ = 0;
};

}  // namespace netflow
