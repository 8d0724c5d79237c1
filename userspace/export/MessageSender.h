// Where a collector export's messages go: UDP (one datagram a message) or
// TCP (a stream, reconnected when it breaks). Counts what it sent and what
// it could not.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "common/Result.h"

namespace netflow {

struct SendCounters {
    uint64_t messages = 0;  // sent (UDP: handed to the kernel; TCP: written)
    uint64_t bytes = 0;
    uint64_t flows = 0;
    uint64_t refused = 0;     // UDP: messages lost to ICMP port unreachable
    uint64_t failed = 0;      // messages not sent for another reason
    uint64_t flows_lost = 0;  // flows in refused or failed messages
    uint64_t reconnects = 0;  // TCP: connections made after the first
    std::string last_error;
};

class MessageSender {
  public:
    virtual ~MessageSender() = default;
    // One message holding `flows` flow records. Never blocks for long.
    virtual void send(std::span<const uint8_t> message, uint32_t flows) = 0;
    // Sends what is pending (TCP: waits up to its timeout) and closes; an
    // error when flows were not delivered.
    virtual Result<void> finish() = 0;
    // Valid after finish().
    virtual SendCounters counters() const = 0;
    // TCP: the collector learns the templates once per connection (RFC
    // 7011 8.1), which the sender sends itself; UDP: they go in-band.
    virtual bool templatesInBand() const { return true; }
};

}  // namespace netflow
