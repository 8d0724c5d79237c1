#include "metrics/MetricsServer.h"

#include <httplib.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "common/QuietThread.h"
#include "metrics/PrometheusText.h"

namespace netflow {
namespace {

// Scrapes are rare and small: two workers (a kept-alive connection holds
// one), idle connections closed after 2 s.
constexpr size_t kWorkers = 2;
constexpr time_t kKeepAliveSeconds = 2;

}  // namespace

MetricsServer::MetricsServer(const MetricsAddress &address)
    : server_(std::make_unique<httplib::Server>()) {
    server_->new_task_queue = [] { return new httplib::ThreadPool(kWorkers); };
    server_->set_keep_alive_timeout(kKeepAliveSeconds);
    // httplib's default is SO_REUSEPORT, with which a second sensor given
    // the same --metrics address would bind it too and take half the
    // scrapes: SO_REUSEADDR only (a restart still binds at once).
    server_->set_socket_options([](socket_t sock) {
        int yes = 1;
        ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    });
    server_->Get("/metrics", [this](const httplib::Request &, httplib::Response &res) {
        res.set_content(render(), kPrometheusContentType);
    });
    server_->Get("/", [](const httplib::Request &, httplib::Response &res) {
        res.set_content("netflow: metrics at /metrics\n", "text/plain");
    });
    errno = 0;
    // Port 0 (tests): any free port, read back.
    const int bound = address.port == 0
                          ? server_->bind_to_any_port(address.host)
                          : (server_->bind_to_port(address.host, address.port) ? address.port : -1);
    if (bound <= 0) {
        const int err = errno;
        std::string where =
            address.host.find(':') == std::string::npos ? address.host : "[" + address.host + "]";
        throw std::runtime_error("--metrics " + where + ":" + std::to_string(address.port) +
                                 ": cannot listen" +
                                 (err ? std::string(": ") + std::strerror(err) : std::string()));
    }
    port_ = bound;
}

MetricsServer::~MetricsServer() {
    // httplib closes the listening socket only through stop() on a running
    // server, and stop() before the thread runs does nothing: so the
    // server is started if it was not, and stopped until it has stopped.
    if (!thread_.joinable())
        start();
    while (!stopped_.load()) {
        server_->stop();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    thread_.join();
}

void MetricsServer::start() {
    thread_ = startQuietThread([this] {
        server_->listen_after_bind();
        stopped_ = true;
    });
}

void MetricsServer::publish(MetricsSnapshot snapshot) {
    std::lock_guard lock(mutex_);
    latest_ = std::move(snapshot);
    published_ = true;
}

std::string MetricsServer::render() {
    MetricsSnapshot copy;
    {
        std::lock_guard lock(mutex_);
        if (!published_)
            return "";
        copy = latest_;
    }
    return prometheusText(copy);
}

}  // namespace netflow
