// Consumes the kernel programs' ring buffer (map nf_events): "flow ended"
// records and packets that found the flow map full (netflow_kern_user.h).
// Every record's type and size are checked before it is handed on; records
// that fail the check are counted, never read.
#pragma once

#include <cstdint>

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
};

class EventRing {
  public:
    // Throws KernelError.
    EventRing(int map_fd, EventHandler &handler);
    ~EventRing();
    EventRing(const EventRing &) = delete;
    EventRing &operator=(const EventRing &) = delete;

    // Hands on every record available now; the number of records.
    Result<int> consume();
    // Waits up to timeout_ms for records, then as consume().
    Result<int> poll(int timeout_ms);

    // Records of unknown type or wrong size (a kernel/userspace mismatch).
    uint64_t badRecords() const { return bad_records_; }

  private:
    static int onRecord(void *ctx, void *data, size_t size);

    EventHandler &handler_;
    ring_buffer *ring_ = nullptr;
    uint64_t bad_records_ = 0;
};

}  // namespace netflow
