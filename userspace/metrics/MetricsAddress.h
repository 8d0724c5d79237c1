// --metrics ADDR:PORT: where the Prometheus endpoint listens. ADDR is an
// IPv4 address, an IPv6 address in brackets ([::1]:9100) or a host name;
// PORT 1-65535.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace netflow {

struct MetricsAddress {
    std::string host;  // without brackets
    uint16_t port = 0;
};

// The address, or nullopt with *why set to a one-line reason.
std::optional<MetricsAddress> parseMetricsAddress(const std::string &text, std::string *why);

}  // namespace netflow
