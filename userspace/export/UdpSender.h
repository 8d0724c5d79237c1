// Messages as UDP datagrams to a collector, from a connected socket: an ICMP
// port unreachable (collector down) comes back as ECONNREFUSED on a later
// send, which is counted, and export goes on. Messages are copied into a
// batch that goes to the kernel in one sendmmsg() when full, at flush()
// (each live round) and at finish(): one system call per kBatch datagrams.
#pragma once

#include <sys/socket.h>

#include <array>
#include <string>
#include <vector>

#include "export/MessageSender.h"
#include "common/UniqueFd.h"

namespace netflow {

class UdpSender : public MessageSender {
  public:
    static constexpr size_t kBatch = 32;

    // Throws std::runtime_error when the host does not resolve or no socket
    // can be made.
    UdpSender(const std::string &host, uint16_t port);

    void send(std::span<const uint8_t> message, uint32_t flows) override;
    void flush() override;
    Result<void> finish() override;
    SendCounters counters() const override { return counters_; }

  private:
    void lost(size_t i, bool refused, const char *why);

    UniqueFd fd_;
    SendCounters counters_;
    // The batch: messages [0, pending_) are waiting.
    std::array<std::vector<uint8_t>, kBatch> buffers_;
    std::array<uint32_t, kBatch> flows_{};
    std::array<iovec, kBatch> iov_{};
    std::array<mmsghdr, kBatch> headers_{};
    size_t pending_ = 0;
};

}  // namespace netflow
