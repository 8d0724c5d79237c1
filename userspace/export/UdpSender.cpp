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
    std::vector<uint8_t> &buffer = buffers_[pending_];
    buffer.assign(message.begin(), message.end());  // no allocation once warm
    flows_[pending_] = flows;
    iov_[pending_] = {buffer.data(), buffer.size()};
    pending_++;
    if (pending_ == kBatch)
        flush();
}

void UdpSender::lost(size_t i, bool refused, const char *why) {
    (refused ? counters_.refused : counters_.failed)++;
    counters_.flows_lost += flows_[i];
    counters_.last_error = why;
}

void UdpSender::flush() {
    size_t next = 0;
    int interrupted = 0;
    while (next < pending_ && fd_) {
        const size_t n = pending_ - next;
        for (size_t i = 0; i < n; i++) {
            headers_[i] = {};
            headers_[i].msg_hdr.msg_iov = &iov_[next + i];
            headers_[i].msg_hdr.msg_iovlen = 1;
        }
        const int sent =
            ::sendmmsg(fd_.get(), headers_.data(), static_cast<unsigned>(n), MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR && ++interrupted < 3)
                continue;
            // The first message of the call was not sent. ECONNREFUSED: the
            // collector's port was unreachable for an earlier datagram.
            if (errno == ECONNREFUSED)
                lost(next, true, "port unreachable");
            else
                lost(next, false, std::strerror(errno));
            next++;
            continue;
        }
        for (size_t i = next; i < next + static_cast<size_t>(sent); i++) {
            counters_.messages++;
            counters_.bytes += iov_[i].iov_len;
            counters_.flows += flows_[i];
        }
        next += static_cast<size_t>(sent);
        // Fewer sent than given: the next one failed, and sendmmsg() keeps
        // its error to itself (the kernel consumed it). On a connected UDP
        // socket that is the collector's ICMP report (port unreachable, as
        // the closed-port test sees it); not sent, counted as refused.
        if (next < pending_ && sent > 0) {
            lost(next, true, "port unreachable");
            next++;
        }
    }
    for (size_t i = next; i < pending_; i++)
        lost(i, false, "socket closed");
    pending_ = 0;
}

Result<void> UdpSender::finish() {
    flush();
    fd_.reset();
    return {};
}

}  // namespace netflow
