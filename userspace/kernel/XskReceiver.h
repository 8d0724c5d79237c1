// tap capture's AF_XDP half (docs/spec/DESIGN.md, "Payload path"): an AF_XDP socket
// on every RX queue of the interface, each registered in the programs'
// XSKMAP, so the payload packets the XDP program redirects arrive here with
// their metadata. Each frame becomes the payload record the host capture's
// ring would have carried (decodeXskFrame) and goes to the same
// EventHandler::onPayload; then the frame is lent to the kernel again.
//
//   XskReceiver xsk(ifname, queues, try_zero_copy);   // bind every socket
//   xsk.registerWith(programs);                       // only now redirected
//   while (...) xsk.poll(100, engine);
//   detach XDP; xsk.drain(engine); counters(); xsk.close();
//
// Nothing lost goes unsaid: frames the kernel could not deliver are in the
// sockets' statistics (counters().kernel), frames that were not ours in
// bad_metadata / not_parsed.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kernel/EventRing.h"
#include "kernel/KernelError.h"
#include "kernel/XskSocket.h"

namespace netflow {

class CountingPrograms;

struct XskCounters {
    uint64_t received = 0;      // frames read from the RX rings, all of them
    uint64_t bad_metadata = 0;  // of those: no valid nf_xsk_meta in front
    uint64_t not_parsed = 0;    // of those: metadata, but no IP packet behind it
    XskStatistics kernel;       // summed over the sockets

    // Redirected by the program but never received: no free frame (copy
    // mode), larger than a frame, or the RX ring full. A fill ring found
    // empty is counted in rx_dropped too in copy mode; in zero-copy mode
    // the driver drops before XDP, so those packets were never counted.
    uint64_t lost() const { return kernel.rx_dropped + kernel.rx_ring_full; }
};

class XskReceiver : private XskFrameHandler {
  public:
    // Binds a socket on RX queues 0..queues-1 of ifname (see XskSocket on
    // try_zero_copy). Throws KernelError naming the queue that failed.
    XskReceiver(const std::string &ifname, uint32_t queues, bool try_zero_copy,
                const XskRingConfig &config = {});
    ~XskReceiver() override;  // close()
    XskReceiver(const XskReceiver &) = delete;
    XskReceiver &operator=(const XskReceiver &) = delete;

    // Every socket into the XSKMAP, queue by queue. The programs must
    // outlive this receiver (or close() must come first).
    Result<void> registerWith(const CountingPrograms &programs);

    // Waits up to timeout_ms for frames on any socket, then hands on every
    // frame waiting; the number handed on (or bad).
    Result<size_t> poll(int timeout_ms, EventHandler &handler);
    // Every frame waiting now, without waiting.
    size_t drain(EventHandler &handler);

    // Frames handled here and the sockets' statistics, read now.
    Result<XskCounters> counters() const;

    // Out of the XSKMAP, then closed. "" or the first error; idempotent.
    Result<void> close();

    size_t sockets() const { return sockets_.size(); }
    // "queue 0: copy mode (zero-copy: Operation not supported ...)", one
    // line per socket: for -v.
    std::vector<std::string> describe() const;
    // "zero-copy", "copy" or "zero-copy on 2 of 4 queues": for the summary.
    std::string modeSummary() const;

  private:
    void onXskFrame(std::span<const uint8_t> headroom, std::span<const uint8_t> frame) override;

    std::vector<std::unique_ptr<XskSocket>> sockets_;
    const CountingPrograms *registered_ = nullptr;
    bool try_zero_copy_;
    uint32_t ring_frames_;
    EventHandler *handler_ = nullptr;  // during poll()/drain() only
    XskCounters counters_;
};

// The summary's line: "AF_XDP (copy mode, 1 socket): 812 of 812 redirected
// frames received, 0 lost (...)". redirected: the programs' count
// (NF_STAT_XSK_REDIRECTED); when the sockets were read to the end,
// redirected == received + lost.
std::string formatXskSummary(const XskCounters &c, size_t sockets, const std::string &mode,
                             uint64_t redirected);

}  // namespace netflow
