#include "export/TcpSender.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "common/QuietThread.h"

namespace netflow {
namespace {

using Clock = std::chrono::steady_clock;

}  // namespace

TcpSender::TcpSender(const std::string &host, uint16_t port, size_t queue_messages,
                     double drain_timeout_s)
    : host_(host),
      capacity_(queue_messages ? queue_messages : 1),
      drain_timeout_s_(drain_timeout_s) {
    auto address = resolveCollector(host, port, SOCK_STREAM);
    if (!address)
        throw std::runtime_error(address.error());
    address_ = address.value();
}

TcpSender::~TcpSender() {
    finish();
}

void TcpSender::setPreamble(std::vector<std::vector<uint8_t>> preamble) {
    preamble_ = std::move(preamble);
    thread_ = startQuietThread([this] { run(); });
}

void TcpSender::send(std::span<const uint8_t> message, uint32_t flows) {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= capacity_) {
        counters_.failed++;
        counters_.flows_lost += flows;
        counters_.last_error = "queue full";
        return;
    }
    queue_.push_back({std::vector<uint8_t>(message.begin(), message.end()), flows});
    wake_.notify_one();
}

// Non-blocking connect, at most a second.
bool TcpSender::connect() {
    fd_.reset(::socket(address_.family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd_)
        return false;
    int rc = ::connect(fd_.get(), reinterpret_cast<const sockaddr *>(&address_.addr), address_.len);
    if (rc != 0 && errno == EINPROGRESS) {
        pollfd p{fd_.get(), POLLOUT, 0};
        int err = 0;
        socklen_t len = sizeof(err);
        if (::poll(&p, 1, 1000) == 1 &&
            ::getsockopt(fd_.get(), SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
            rc = 0;
        else
            errno = err ? err : ETIMEDOUT;
    }
    if (rc != 0) {
        std::lock_guard lock(mutex_);
        counters_.last_error = std::string("connect: ") + std::strerror(errno);
        fd_.reset();
        return false;
    }
    ::fcntl(fd_.get(), F_SETFL, ::fcntl(fd_.get(), F_GETFL) & ~O_NONBLOCK);
    timeval tv{2, 0};  // a collector that stops reading counts as gone
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    return true;
}

bool TcpSender::writeAll(const uint8_t *data, size_t n) {
    while (n > 0) {
        const ssize_t w = ::send(fd_.get(), data, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            std::lock_guard lock(mutex_);
            counters_.last_error = std::string("send: ") + std::strerror(w < 0 ? errno : EPIPE);
            return false;
        }
        data += w;
        n -= static_cast<size_t>(w);
    }
    return true;
}

void TcpSender::run() {
    Clock::time_point deadline = Clock::time_point::max();
    auto backoff = std::chrono::milliseconds(100);
    while (true) {
        std::unique_lock lock(mutex_);
        if (stopping_ && deadline == Clock::time_point::max())
            deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(drain_timeout_s_));
        if (stopping_ && (queue_.empty() || Clock::now() >= deadline))
            break;
        if (queue_.empty()) {
            wake_.wait_for(lock, std::chrono::milliseconds(100));
            continue;
        }
        Item &front = queue_.front();
        lock.unlock();

        if (!fd_) {
            if (!connect()) {
                std::unique_lock wait(mutex_);
                wake_.wait_for(wait, backoff, [this] { return stopping_; });
                backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
                continue;
            }
            backoff = std::chrono::milliseconds(100);
            bool ok = true;
            for (std::vector<uint8_t> m : preamble_) {
                if (m.size() >= 12 && front.bytes.size() >= 12)
                    std::memcpy(&m[8], &front.bytes[8], 4);  // the stream's sequence number
                ok = ok && writeAll(m.data(), m.size());
            }
            std::lock_guard count(mutex_);
            if (ever_connected_)
                counters_.reconnects++;
            ever_connected_ = true;
            if (!ok) {
                fd_.reset();
                continue;
            }
        }
        if (!writeAll(front.bytes.data(), front.bytes.size())) {
            fd_.reset();  // sent again, whole, on the next connection
            continue;
        }
        lock.lock();
        counters_.messages++;
        counters_.bytes += front.bytes.size();
        counters_.flows += front.flows;
        queue_.pop_front();
    }
    std::lock_guard lock(mutex_);
    for (const Item &item : queue_) {
        counters_.failed++;
        counters_.flows_lost += item.flows;
    }
    queue_.clear();
    fd_.reset();
}

Result<void> TcpSender::finish() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        wake_.notify_all();
    }
    if (thread_.joinable())
        thread_.join();
    std::lock_guard lock(mutex_);
    if (counters_.flows_lost)
        return Result<void>::failure(std::to_string(counters_.flows_lost) +
                                     " flows not delivered (" + counters_.last_error + ")");
    return {};
}

SendCounters TcpSender::counters() const {
    std::lock_guard lock(mutex_);
    return counters_;
}

}  // namespace netflow
