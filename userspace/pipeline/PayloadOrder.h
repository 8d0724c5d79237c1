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
//
// Every call returns the records that are ready, in order; the caller
// hands them to DPI before its next call (their bytes stay valid until then).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <span>
#include <unordered_map>
#include <vector>

#include "flow/LiveClassifications.h"
#include "netflow_kern_user.h"
#include "packet_parse.h"

namespace netflow {

// A payload record ready for DPI: the record, its packet as parsed, its
// bytes from the IP header on, and its flow's classification (the entry
// PayloadOrder looked up for the record's place in line: DPI needs no
// lookup of its own).
struct ReadyPayload {
    const nf_rec_payload *rec;
    const nf_packet *pkt;
    std::span<const uint8_t> l3;
    FlowClassification *cls;
};

class PayloadOrder {
  public:
    using Ready = std::span<const ReadyPayload>;

    // Each flow's next expected index lives in `store` (with its
    // classification); here only the flows with a record waiting.
    explicit PayloadOrder(LiveClassifications &store) : store_(store) {}

    // A record as it arrives; `l3` is only read during the call (a record
    // that has to wait is copied). Returns it, and what it let go, when it
    // is next in line; nothing when it has to wait.
    Ready add(const nf_rec_payload &rec, const nf_packet &pkt, std::span<const uint8_t> l3);

    // Once a round: the records, in index order and gaps and all, of every
    // flow that has had one waiting since the previous round.
    Ready endRound();

    // Every waiting record (end of capture).
    Ready release();

    // The flow instance is being exported: what it has waiting, and its
    // place in line is forgotten (a record after this starts a new line).
    // `entry`: the instance's, which the caller found (a flow without one
    // never had a record, so it has nothing waiting either).
    Ready release(const FlowInstance &flow, LiveClassifications::Entry &entry);

    // Forgets the waiting records of flows that started before cutoff_us
    // (exported long ago: their records came too late). Returns how many
    // flows had some.
    size_t dropOlderThan(uint64_t cutoff_us);

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
    struct Line {
        bool listed = false;  // in waiting_lines_
        WaitingByIndex waiting;
    };

    // Starts a call's answer: what the previous call returned is done with.
    void startReady();
    // Moves a line's waiting records to the answer from the front while
    // they are next in line (gaps: every one). `entry`: the flow's.
    void releaseFront(LiveClassifications::Entry &entry, Line &line, bool gaps);
    // All of a line's waiting records, gaps and all (its entry looked up
    // only when it has some).
    void releaseLine(const FlowInstance &flow, Line &line);
    Ready ready();

    // Bounds the memory a flood of gaps could take: past this many waiting
    // records, everything waiting is released.
    static constexpr size_t kMaxWaiting = 1 << 16;

    LiveClassifications &store_;
    // Flows with records waiting (a line is erased once it has none).
    std::unordered_map<FlowInstance, Line, FlowInstanceHash> lines_;
    // The lines that have had a record waiting since endRound last looked
    // (some may be gone since): endRound visits these, not every line (a
    // scan of every flow with payload each round was 13% of the sensor's
    // CPU in nic_bench with 200 K flows).
    std::vector<FlowInstance> waiting_lines_;
    // The answer of the current call, pointing into the caller's record or
    // into released_ (a deque: its elements stay where they are).
    std::vector<ReadyPayload> ready_;
    std::deque<Waiting> released_;
    size_t waiting_count_ = 0;
    uint64_t round_ = 0;
    uint64_t reordered_ = 0;
    uint64_t past_gap_ = 0;
};

}  // namespace netflow
