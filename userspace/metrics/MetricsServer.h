// --metrics ADDR:PORT: a small HTTP server (cpp-httplib) answering GET
// /metrics with the latest MetricsSnapshot in Prometheus' text format, on
// threads of its own, off the packet path: the capture loop only copies a
// snapshot in under a mutex once a round.
//
//   MetricsServer server(address);   // binds now (before privileges go)
//   ... drop privileges ...
//   server.start();                  // threads start without capabilities
//   loop: server.publish(snapshot);
//
// Capabilities are per thread: the threads start after the privilege drop
// so that none of them keeps what the main thread gave up.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "metrics/MetricsAddress.h"
#include "metrics/MetricsSnapshot.h"

namespace httplib {
class Server;
}

namespace netflow {

class MetricsServer {
  public:
    // Binds the listening socket (port 0: any free one, see port()). Throws std::runtime_error
    // naming the address ("--metrics 127.0.0.1:9100: cannot listen: ...").
    explicit MetricsServer(const MetricsAddress &address);
    ~MetricsServer();
    MetricsServer(const MetricsServer &) = delete;
    MetricsServer &operator=(const MetricsServer &) = delete;

    // Serves from now on, on its own threads (signals blocked there: SIGINT
    // and SIGTERM stay with the capture loop).
    void start();
    // The counters scrapes see from now on.
    void publish(MetricsSnapshot snapshot);

    int port() const { return port_; }

  private:
    std::string render();

    std::unique_ptr<httplib::Server> server_;
    int port_ = 0;
    std::mutex mutex_;
    MetricsSnapshot latest_;
    bool published_ = false;
    std::atomic<bool> stopped_{false};
    std::thread thread_;
};

}  // namespace netflow
