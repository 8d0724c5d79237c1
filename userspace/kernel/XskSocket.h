// One AF_XDP socket on one RX queue of an interface, with its own UMEM:
// tap capture's path for the payload packets the XDP program redirects
// (netflow_payload_copy.h). Receive only: a fill ring that lends the kernel
// every frame, an RX ring it hands them back on; no TX.
//
// The program is ours (XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD: libxdp loads
// nothing); the socket only becomes a target once its fd is in the
// programs' XSKMAP (CountingPrograms::registerXsk), which must come after
// the bind done here.
//
// libxdp's <xdp/xsk.h> brings <linux/bpf.h>, which cannot be included next
// to libpcap's <pcap/bpf.h>: it stays in the .cpp, behind Rings.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "kernel/KernelError.h"

namespace netflow {

// UMEM and ring sizes (docs/decisions.md, "Kernel programs").
struct XskRingConfig {
    // Frames of the UMEM, all lent to the kernel on the fill ring, which
    // has as many entries, as does the RX ring: the kernel never waits for
    // a frame userspace could have given back. A power of 2.
    uint32_t frames = 2048;
    // A page per frame: the kernel keeps XDP_PACKET_HEADROOM (256 bytes,
    // where the metadata goes) in front of the packet, which leaves 3840
    // bytes, every frame of a 1500-MTU link with VLAN tags.
    uint32_t frame_size = 4096;
};

// The kernel's counts for one socket (XDP_STATISTICS), since it was bound.
struct XskStatistics {
    uint64_t rx_dropped = 0;          // no frame free (copy mode), or larger than a frame
    uint64_t rx_invalid_descs = 0;    // fill ring addresses the kernel refused (a bug here)
    uint64_t rx_ring_full = 0;        // RX ring full: userspace fell behind
    uint64_t rx_fill_ring_empty = 0;  // times the kernel found the fill ring empty

    XskStatistics &operator+=(const XskStatistics &o);
};

class XskFrameHandler {
  public:
    virtual ~XskFrameHandler() = default;
    // A received frame: `headroom` is the UMEM frame's memory in front of
    // it (where the XDP program's metadata ends), `frame` the packet from
    // its Ethernet header. Both valid during the call only.
    virtual void onXskFrame(std::span<const uint8_t> headroom, std::span<const uint8_t> frame) = 0;
};

class XskSocket {
  public:
    // Binds a socket to RX queue `queue` of `ifname` (current network
    // namespace). With try_zero_copy, zero-copy first (XDP_ZEROCOPY) and,
    // when the driver does not offer it, copy mode (XDP_COPY); otherwise
    // copy mode only (generic XDP hands over skbs, never driver frames).
    // Throws KernelError naming the queue.
    XskSocket(const std::string &ifname, uint32_t queue, bool try_zero_copy,
              const XskRingConfig &config = {});
    ~XskSocket();
    XskSocket(const XskSocket &) = delete;
    XskSocket &operator=(const XskSocket &) = delete;

    int fd() const;
    uint32_t queue() const { return queue_; }
    // The mode the kernel bound (XDP_OPTIONS), not the one asked for.
    bool zeroCopy() const { return zero_copy_; }
    // Why zero-copy was not used when it was tried ("" otherwise): for -v.
    const std::string &zeroCopyFailure() const { return zero_copy_failure_; }

    // Hands up to `max` frames waiting on the RX ring to `handler`, then
    // lends them to the kernel again. Never blocks; the number handled.
    size_t receive(size_t max, XskFrameHandler &handler);

    Result<XskStatistics> statistics() const;

  private:
    struct Rings;
    int bind(const std::string &ifname, uint16_t bind_flags);
    void lendFreeFrames();

    uint32_t queue_;
    XskRingConfig config_;
    bool zero_copy_ = false;
    std::string zero_copy_failure_;
    std::unique_ptr<Rings> rings_;
};

}  // namespace netflow
