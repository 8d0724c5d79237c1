// How many RX queues an interface has: tap capture opens an AF_XDP socket
// on each, since the XDP program redirects a packet to the socket of the
// queue it arrived on.
#pragma once

#include <cstdint>
#include <string>

namespace netflow {

struct RxQueues {
    uint32_t count = 1;
    // Where the count came from, for -v: "ethtool channels", "sysfs", or
    // "assumed" when neither answered (a single queue).
    std::string source;
};

// The driver's channel counts (SIOCETHTOOL ETHTOOL_GCHANNELS: combined +
// rx-only channels) first, since they need no /sys of this network
// namespace; then /sys/class/net/IF/queues/rx-*.
RxQueues rxQueues(const std::string &ifname);

}  // namespace netflow
