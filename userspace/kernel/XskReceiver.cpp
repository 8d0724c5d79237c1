#include "kernel/XskReceiver.h"

#include <poll.h>

#include <cerrno>

#include "kernel/CountingPrograms.h"
#include "kernel/XskPayload.h"

namespace netflow {
namespace {

constexpr size_t kBatch = 64;

}  // namespace

XskReceiver::XskReceiver(const std::string &ifname, uint32_t queues, bool try_zero_copy,
                         const XskRingConfig &config)
    : try_zero_copy_(try_zero_copy), ring_frames_(config.frames) {
    sockets_.reserve(queues);
    for (uint32_t q = 0; q < queues; q++)
        sockets_.push_back(std::make_unique<XskSocket>(ifname, q, try_zero_copy, config));
}

XskReceiver::~XskReceiver() {
    (void)close();
}

Result<void> XskReceiver::registerWith(const CountingPrograms &programs) {
    registered_ = &programs;
    for (const auto &s : sockets_) {
        Result<void> ok = programs.registerXsk(s->queue(), s->fd());
        if (!ok)
            return ok;
    }
    return {};
}

Result<void> XskReceiver::close() {
    std::string error;
    if (registered_) {
        for (const auto &s : sockets_) {
            Result<void> ok = registered_->unregisterXsk(s->queue());
            if (!ok && error.empty())
                error = ok.error();
        }
        registered_ = nullptr;
    }
    sockets_.clear();
    return Result<void>::fromMessage(error);
}

Result<size_t> XskReceiver::poll(int timeout_ms, EventHandler &handler) {
    std::vector<pollfd> fds;
    fds.reserve(sockets_.size());
    for (const auto &s : sockets_)
        fds.push_back(pollfd{s->fd(), POLLIN, 0});
    if (::poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR)
        return Result<size_t>::failure(errnoMessage("waiting on the AF_XDP sockets", errno));
    return drain(handler);
}

// At most one ring's worth per socket and call: the caller's other duties
// (the event rings, the sweep) never wait behind a busy queue.
size_t XskReceiver::drain(EventHandler &handler) {
    handler_ = &handler;
    const uint64_t before = counters_.received;
    for (const auto &s : sockets_) {
        for (size_t taken = 0; taken < ring_frames_;) {
            size_t n = s->receive(kBatch, *this);
            taken += n;
            if (n < kBatch)
                break;
        }
    }
    handler_ = nullptr;
    return counters_.received - before;
}

void XskReceiver::onXskFrame(std::span<const uint8_t> headroom, std::span<const uint8_t> frame) {
    counters_.received++;
    XskPayload p;
    switch (decodeXskFrame(headroom, frame, p)) {
        case XskFrameStatus::Ok:
            handler_->onPayload(p.rec, p.packet, p.l3);
            break;
        case XskFrameStatus::BadMetadata:
            counters_.bad_metadata++;
            break;
        case XskFrameStatus::NotParsed:
            counters_.not_parsed++;
            break;
    }
}

Result<XskCounters> XskReceiver::counters() const {
    XskCounters c = counters_;
    for (const auto &s : sockets_) {
        Result<XskStatistics> st = s->statistics();
        if (!st)
            return Result<XskCounters>::failure(st.error());
        c.kernel += st.value();
    }
    return c;
}

std::vector<std::string> XskReceiver::describe() const {
    std::vector<std::string> lines;
    for (const auto &s : sockets_) {
        std::string line = "AF_XDP queue " + std::to_string(s->queue()) + ": " +
                           (s->zeroCopy() ? "zero-copy mode" : "copy mode");
        if (!try_zero_copy_)
            line += " (generic XDP)";
        else if (!s->zeroCopy() && !s->zeroCopyFailure().empty())
            line += " (" + s->zeroCopyFailure() + ")";
        lines.push_back(line);
    }
    return lines;
}

std::string XskReceiver::modeSummary() const {
    size_t zc = 0;
    for (const auto &s : sockets_)
        zc += s->zeroCopy() ? 1 : 0;
    if (zc == 0)
        return "copy";
    if (zc == sockets_.size())
        return "zero-copy";
    return "zero-copy on " + std::to_string(zc) + " of " + std::to_string(sockets_.size()) +
           " queues";
}

std::string formatXskSummary(const XskCounters &c, size_t sockets, const std::string &mode,
                             uint64_t redirected) {
    auto n = [](uint64_t v) { return std::to_string(v); };
    std::string out = "netflow: AF_XDP (" + mode + " mode, " + n(sockets) +
                      (sockets == 1 ? " socket" : " sockets") + "): " + n(c.received) + " of " +
                      n(redirected) + " redirected frames received, " + n(c.lost()) + " lost (" +
                      n(c.kernel.rx_dropped) + " dropped: no free frame or too large, " +
                      n(c.kernel.rx_ring_full) + " RX ring full), fill ring empty " +
                      n(c.kernel.rx_fill_ring_empty) + " times";
    if (c.bad_metadata || c.not_parsed)
        out += ", " + n(c.bad_metadata) + " without metadata, " + n(c.not_parsed) + " not IP";
    if (c.kernel.rx_invalid_descs)
        out += ", " + n(c.kernel.rx_invalid_descs) + " fill addresses refused";
    return out;
}

}  // namespace netflow
