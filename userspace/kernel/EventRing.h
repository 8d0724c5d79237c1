// Consumes the kernel programs' ring buffers: the events (map nf_events:
// "flow ended" records, packets that found the flow map full) and, once
// added, the payload packets (map nf_payload), netflow_kern_user.h. Every
// record's type and size are checked before it is handed on; records that
// fail the check are counted, never read.
#pragma once

#include <cstdint>
#include <span>

#include "kernel/KernelError.h"
#include "netflow_kern_user.h"

struct ring_buffer;

namespace netflow {

class EventHandler {
  public:
    virtual ~EventHandler() = default;
    // A flow the kernel ended (expired or restarted by a SYN) with its
    // final counters; the map entry already holds the next flow.
    virtual void onFlowEnded(const nf_rec_flow_ended &record) = 0;
    // A packet that passed the filter but was not counted in the map.
    virtual void onUnmappedPacket(const nf_rec_packet &record) = 0;
    // A new map entry whose timer could not be set up: userspace expires
    // it (TimerlessQueue). Only live runs send these (the test clock arms
    // no timers), hence a default that ignores them.
    virtual void onTimerless(const nf_rec_timerless &record) { (void)record; }
    // A packet whose payload userspace wants (payload ring): the record's
    // header; the packet parsed again from its bytes by the core, as the
    // offline path parsed it (only payload_captured is smaller when the
    // datagram was longer than NF_PAYLOAD_COPY_MAX); and its cap_len bytes
    // from the IP header on, valid during the call only. With those,
    // FlowClassifier::onPayload(cls, record.key, packet, l3,
    // record.time_us, record.want, record.payload_index >= dpi_packets)
    // does what the offline path does for the same packet. Only a handler
    // whose ring has the payload ring added gets these, hence a default
    // that ignores them rather than a duty for every handler.
    virtual void onPayload(const nf_rec_payload &record, const nf_packet &packet,
                           std::span<const uint8_t> l3) {
        (void)record;
        (void)packet;
        (void)l3;
    }
};

class EventRing {
  public:
    // Reads the ring buffer map_fd (the events). Throws KernelError.
    EventRing(int map_fd, EventHandler &handler);
    ~EventRing();
    EventRing(const EventRing &) = delete;
    EventRing &operator=(const EventRing &) = delete;

    // Reads another ring buffer too (the payload ring), through the same
    // handler, consume() and poll(). Throws KernelError.
    void addRing(int map_fd);

    // Hands on every record available now; the number of records.
    Result<int> consume();
    // The same, the event ring's first, but at most kPayloadBudget payload
    // records (the rest wait for the next call). libbpf reads a ring until
    // it is empty, so under a flood of payload a loop around consume()
    // (exports, expiry, --stats) would wait as long as the flood lasts,
    // and the event ring would fill meanwhile (nic_bench's 1 M-flow run:
    // 949 K records lost, no --stats line for a minute).
    Result<int> consumeSome();
    // Waits up to timeout_ms for records, then as consumeSome().
    Result<int> poll(int timeout_ms);
    static constexpr int kPayloadBudget = 4096;

    // Records of unknown type or wrong size (a kernel/userspace mismatch).
    uint64_t badRecords() const { return bad_records_; }

    // A payload record's bytes parsed again by the core: the key gives the
    // IP version and VLAN. False when they do not parse as the packet the
    // record names (its key).
    static bool parsePayload(const nf_rec_payload &record, std::span<const uint8_t> l3,
                             nf_packet &packet);

  private:
    static int onRecord(void *ctx, void *data, size_t size);
    bool onPayloadRecord(const uint8_t *data, size_t size);

    EventHandler &handler_;
    ring_buffer *ring_ = nullptr;
    uint64_t bad_records_ = 0;
    int payload_left_ = kPayloadBudget;  // in the current consume()
    bool budget_spent_ = false;
};

}  // namespace netflow
