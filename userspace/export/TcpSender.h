// IPFIX over TCP (RFC 7011 10.4): messages queued by the capture thread
// (bounded: a full queue drops and counts, it never stalls the run) and
// written by a thread of their own, which connects, sends the templates
// first on every connection, and reconnects when the collector goes away
// (the message being written is sent again on the new connection).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/UniqueFd.h"
#include "export/MessageSender.h"
#include "export/Resolve.h"

namespace netflow {

class TcpSender : public MessageSender {
  public:
    // Throws std::runtime_error when the host does not resolve.
    TcpSender(const std::string &host, uint16_t port, size_t queue_messages,
              double drain_timeout_s = 5);
    ~TcpSender() override;

    // The messages each connection starts with (templates, names); set
    // before the first send().
    void setPreamble(std::vector<std::vector<uint8_t>> preamble);

    void send(std::span<const uint8_t> message, uint32_t flows) override;
    Result<void> finish() override;
    SendCounters counters() const override;
    bool templatesInBand() const override { return false; }

  private:
    struct Item {
        std::vector<uint8_t> bytes;
        uint32_t flows;
    };
    void run();
    bool connect();
    bool writeAll(const uint8_t *data, size_t n);

    SocketAddress address_;
    std::string host_;
    size_t capacity_;
    double drain_timeout_s_;
    std::vector<std::vector<uint8_t>> preamble_;

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Item> queue_;
    bool stopping_ = false;
    SendCounters counters_;
    std::thread thread_;
    UniqueFd fd_;  // the sender thread's
    bool ever_connected_ = false;
};

}  // namespace netflow
