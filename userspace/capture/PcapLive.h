// A live interface opened with libpcap (RAII): the fallback capture path
// when the XDP/TC programs cannot be used (--backend pcap, or auto).
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <functional>
#include <string>

#include "capture/PcapFile.h"  // CaptureError
#include "common/Result.h"

namespace netflow {

class PcapLive {
  public:
    // promiscuous: a tap/mirror port sees traffic for other hosts.
    // Throws CaptureError with a one-line reason (no such interface, no
    // permission, ...).
    PcapLive(const std::string &interface, bool promiscuous);
    ~PcapLive();
    PcapLive(const PcapLive &) = delete;
    PcapLive &operator=(const PcapLive &) = delete;

    int linkType() const { return pcap_datalink(pcap_); }
    int snapLength() const { return pcap_snapshot(pcap_); }

    using Handler = std::function<void(const pcap_pkthdr &, const uint8_t *)>;

    // Waits up to timeout_ms for packets and hands each to `handler`.
    // Returns the number handled.
    Result<int> poll(int timeout_ms, const Handler &handler);

    // Packets the kernel dropped because we did not read fast enough, and
    // those the interface dropped.
    struct Drops {
        uint64_t kernel = 0;
        uint64_t interface = 0;
    };
    Drops drops() const;

  private:
    std::string interface_;
    pcap_t *pcap_ = nullptr;
    int fd_ = -1;
};

}  // namespace netflow
