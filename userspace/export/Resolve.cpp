#include "export/Resolve.h"

#include <netdb.h>

#include <cstring>

namespace netflow {

Result<SocketAddress> resolveCollector(const std::string &host, uint16_t port, int socktype) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = socktype;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo *res = nullptr;
    const std::string service = std::to_string(port);
    const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
    if (rc != 0 || !res)
        return Result<SocketAddress>::failure("cannot resolve " + host + ": " + ::gai_strerror(rc));
    SocketAddress out;
    std::memcpy(&out.addr, res->ai_addr, res->ai_addrlen);
    out.len = res->ai_addrlen;
    out.family = res->ai_family;
    ::freeaddrinfo(res);
    return out;
}

}  // namespace netflow
