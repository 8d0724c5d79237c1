// A collector's address: HOST (name, IPv4 or IPv6) and PORT, resolved once.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "common/Result.h"

namespace netflow {

struct SocketAddress {
    sockaddr_storage addr{};
    socklen_t len = 0;
    int family = 0;
};

// The first address getaddrinfo gives, or why there is none.
Result<SocketAddress> resolveCollector(const std::string &host, uint16_t port, int socktype);

}  // namespace netflow
