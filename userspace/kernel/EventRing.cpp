#include "kernel/EventRing.h"

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>

namespace netflow {

EventRing::EventRing(int map_fd, EventHandler &handler) : handler_(handler) {
    ring_ = ring_buffer__new(map_fd, &EventRing::onRecord, this, nullptr);
    if (!ring_)
        throw KernelError(errnoMessage("opening the event ring buffer", errno));
}

EventRing::~EventRing() {
    ring_buffer__free(ring_);
}

Result<int> EventRing::consume() {
    int n = ring_buffer__consume(ring_);
    if (n < 0)
        return Result<int>::failure(errnoMessage("reading the event ring buffer", n));
    return n;
}

Result<int> EventRing::poll(int timeout_ms) {
    int n = ring_buffer__poll(ring_, timeout_ms);
    if (n == -EINTR)
        return 0;
    if (n < 0)
        return Result<int>::failure(errnoMessage("waiting on the event ring buffer", n));
    return n;
}

// Records are copied out of the ring before use: its memory is only
// 8-byte aligned, and the handler may keep what it is given.
int EventRing::onRecord(void *ctx, void *data, size_t size) {
    auto *self = static_cast<EventRing *>(ctx);
    nf_rec_header hdr;
    if (size < sizeof(hdr)) {
        self->bad_records_++;
        return 0;
    }
    std::memcpy(&hdr, data, sizeof(hdr));
    if (hdr.type == NF_REC_FLOW_ENDED && size == sizeof(nf_rec_flow_ended)) {
        nf_rec_flow_ended rec;
        std::memcpy(&rec, data, sizeof(rec));
        self->handler_.onFlowEnded(rec);
    } else if (hdr.type == NF_REC_PACKET && size == sizeof(nf_rec_packet)) {
        nf_rec_packet rec;
        std::memcpy(&rec, data, sizeof(rec));
        self->handler_.onUnmappedPacket(rec);
    } else {
        self->bad_records_++;
    }
    return 0;
}

}  // namespace netflow
