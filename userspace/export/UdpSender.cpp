#include "export/UdpSender.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "export/Resolve.h"

namespace netflow {

UdpSender::UdpSender(const std::string &host, uint16_t port) {
    auto address = resolveCollector(host, port, SOCK_DGRAM);
    if (!address)
        throw std::runtime_error(address.error());
    const SocketAddress &a = address.value();
    fd_ = UniqueFd(::socket(a.family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd_)
        throw std::runtime_error(std::string("cannot create a UDP socket: ") +
                                 std::strerror(errno));
    // Connected: the kernel reports ICMP errors for this collector to us.
    if (::connect(fd_.get(), reinterpret_cast<const sockaddr *>(&a.addr), a.len) != 0)
        throw std::runtime_error("cannot reach " + host + ": " + std::strerror(errno));
}

void UdpSender::send(std::span<const uint8_t> message, uint32_t flows) {
    for (int attempt = 0; attempt < 3; attempt++) {
        const ssize_t n = ::send(fd_.get(), message.data(), message.size(), MSG_NOSIGNAL);
        if (n == static_cast<ssize_t>(message.size())) {
            counters_.messages++;
            counters_.bytes += message.size();
            counters_.flows += flows;
            return;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == ECONNREFUSED) {
            // The collector's port was unreachable for an earlier datagram;
            // this one was not sent. Count it and go on.
            counters_.refused++;
            counters_.flows_lost += flows;
            counters_.last_error = "port unreachable";
            return;
        }
        break;
    }
    counters_.failed++;
    counters_.flows_lost += flows;
    counters_.last_error = std::strerror(errno);
}

Result<void> UdpSender::finish() {
    fd_.reset();
    return {};
}

}  // namespace netflow
