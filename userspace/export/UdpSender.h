// Messages as UDP datagrams to a collector, from a connected socket: an ICMP
// port unreachable (collector down) comes back as ECONNREFUSED on a later
// send, which is counted, and export goes on.
#pragma once

#include <string>

#include "export/MessageSender.h"
#include "kernel/UniqueFd.h"

namespace netflow {

class UdpSender : public MessageSender {
  public:
    // Throws std::runtime_error when the host does not resolve or no socket
    // can be made.
    UdpSender(const std::string &host, uint16_t port);

    void send(std::span<const uint8_t> message, uint32_t flows) override;
    Result<void> finish() override;
    SendCounters counters() const override { return counters_; }

  private:
    UniqueFd fd_;
    SendCounters counters_;
};

}  // namespace netflow
