#include "kernel/EventRing.h"

#include <sys/epoll.h>

#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>

#include "flow_key.h"
#include "payload_budget.h"
#include "packet_parse.h"

namespace netflow {

EventRing::EventRing(int map_fd, EventHandler &handler) : handler_(handler) {
    ring_ = ring_buffer__new(map_fd, &EventRing::onRecord, this, nullptr);
    if (!ring_)
        throw KernelError(errnoMessage("opening a BPF ring buffer", errno));
}

EventRing::~EventRing() {
    ring_buffer__free(ring_);
}

void EventRing::addRing(int map_fd) {
    int err = ring_buffer__add(ring_, map_fd, &EventRing::onRecord, this);
    if (err)
        throw KernelError(errnoMessage("adding a BPF ring buffer", err));
}

// The rings in the order they were added: the events before the payload.
// The callback stops libbpf's reading of the payload ring (a negative
// return; the record it was given is consumed and handed on) once the
// budget is spent.
Result<int> EventRing::consumeSome() {
    payload_left_ = kPayloadBudget;
    budget_spent_ = false;
    int n = ring_buffer__consume(ring_);
    if (n < 0 && budget_spent_)
        return kPayloadBudget;
    if (n < 0)
        return Result<int>::failure(errnoMessage("reading the BPF ring buffers", n));
    return n;
}

Result<int> EventRing::consume() {
    int total = 0;
    for (;;) {
        Result<int> n = consumeSome();
        if (!n)
            return n;
        total += n.value();
        if (!budget_spent_)
            return total;
    }
}

// Waits on the rings' epoll descriptor only, then reads them as
// consumeSome() does (ring_buffer__poll would read them to the end, in the
// order epoll lists them).
Result<int> EventRing::poll(int timeout_ms) {
    epoll_event event;
    int ready = epoll_wait(ring_buffer__epoll_fd(ring_), &event, 1, timeout_ms);
    const int err = errno;
    if (ready < 0 && err == EINTR)
        return 0;
    if (ready < 0)
        return Result<int>::failure(errnoMessage("waiting on the BPF ring buffers", err));
    if (ready == 0)
        return 0;
    return consumeSome();
}

bool EventRing::parsePayload(const nf_rec_payload &record, std::span<const uint8_t> l3,
                             nf_packet &packet) {
    std::memset(&packet, 0, sizeof(packet));
    packet.vlan_id = record.key.vlan_id;
    const uint16_t ethertype = record.key.ip_version == 4   ? NF_ETH_P_IPV4
                               : record.key.ip_version == 6 ? NF_ETH_P_IPV6
                                                            : 0;
    if (nf_parse_l3(l3.data(), l3.data() + l3.size(), ethertype, &packet) != NF_PARSE_OK)
        return false;
    nf_flow_key key;
    nf_flow_key_from_packet(&packet, &key);
    return std::memcmp(&key, &record.key, sizeof(key)) == 0;
}

// The header is copied out (the ring's memory is only 8-byte aligned); the
// bytes are handed on where they lie, for the duration of the call: a
// payload packet is read once, by the classifier, and copying every one
// would double the cost of the path.
bool EventRing::onPayloadRecord(const uint8_t *data, size_t size) {
    nf_rec_payload rec;
    if (size < sizeof(rec))
        return false;
    std::memcpy(&rec, data, sizeof(rec));
    if (!nf_payload_record_valid(&rec) || size != sizeof(rec) + rec.cap_len)
        return false;
    std::span<const uint8_t> l3(data + sizeof(rec), rec.cap_len);
    nf_packet packet;
    if (!parsePayload(rec, l3, packet))
        return false;
    handler_.onPayload(rec, packet, l3);
    return true;
}

// Event records are copied out of the ring before use: its memory is only
// 8-byte aligned, and the handler may keep what it is given. Payload
// records: onPayloadRecord.
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
    } else if (hdr.type == NF_REC_TIMERLESS && size == sizeof(nf_rec_timerless)) {
        nf_rec_timerless rec;
        std::memcpy(&rec, data, sizeof(rec));
        self->handler_.onTimerless(rec);
    } else if (hdr.type == NF_REC_PAYLOAD) {
        if (!self->onPayloadRecord(static_cast<const uint8_t *>(data), size))
            self->bad_records_++;
        if (--self->payload_left_ <= 0) {
            self->budget_spent_ = true;
            return -EAGAIN;  // libbpf stops here; the next consume() goes on
        }
    } else {
        self->bad_records_++;
    }
    return 0;
}

}  // namespace netflow
