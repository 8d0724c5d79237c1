#include "delivery/HttpSink.h"

#include <algorithm>

namespace netflow {
namespace {

std::string count(uint64_t n, const char *what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

}  // namespace

HttpSink::HttpSink(const HttpOptions &options, const std::vector<SelectedColumn> &columns,
                   const FlowFeatures &features, bool wait_for_room)
    : encoder_(columns, features), sender_(options, wait_for_room) {}

void HttpSink::exportFlow(const FlowRecord &flow) {
    std::string line;
    line.reserve(line_reserve_);
    encoder_.encode(flow, line);
    line_reserve_ = std::max(line_reserve_, line.size());
    sender_.submit(std::move(line));
}

Result<void> HttpSink::finish() {
    const std::string spool_error = sender_.finish().error();
    const DeliveryCounters &c = sender_.counters();
    std::string out;
    if (c.left_in_spool)
        out = count(c.left_in_spool, "flow") + " not delivered (" +
              (c.last_failure.empty() ? std::string("endpoint unreachable") : c.last_failure) +
              "): kept in the spool " + sender_.spoolPath() + ", sent on the next run";
    if (c.rejected) {
        out += out.empty() ? "" : "; ";
        out += count(c.rejected, "flow") + " rejected by the server (HTTP " +
               std::to_string(c.last_reject_status) + "), not retried";
    }
    if (c.lost) {
        out += out.empty() ? "" : "; ";
        out += count(c.lost, "flow") + " lost: the spool could not take them";
    }
    if (!spool_error.empty()) {
        out += out.empty() ? "" : "; ";
        out += spool_error;
    }
    return Result<void>::fromMessage(out);
}

std::string HttpSink::summary() const {
    const DeliveryCounters &c = sender_.counters();
    std::string out = "netflow: http: " + count(c.delivered, "flow") + " delivered in " +
                      count(c.requests, "request");
    if (c.retries)
        out += " (" + count(c.retries, "failed request") + ", retried)";
    if (c.inherited)
        out += "; " + count(c.inherited, "flow") + " from an earlier run's spool";
    if (c.spooled)
        out += "; " + count(c.spooled, "flow") + " spooled while the queue was full";
    if (c.rejected)
        out += "; " + count(c.rejected, "flow") + " rejected";
    if (c.lost)
        out += "; " + count(c.lost, "flow") + " lost";
    out += "; " + count(c.left_in_spool, "flow") + " left in the spool";
    if (c.left_in_spool)
        out += " " + sender_.spoolPath();
    return out;
}

}  // namespace netflow
