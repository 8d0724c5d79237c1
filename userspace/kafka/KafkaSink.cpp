#include "kafka/KafkaSink.h"

namespace netflow {
namespace {

std::string count(uint64_t n, const char *what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

}  // namespace

KafkaSink::KafkaSink(const KafkaOptions &options, const std::vector<SelectedColumn> &columns,
                     const FlowFeatures &features, bool wait_for_room)
    : encoder_(columns, features),
      keys_(columns, features),
      producer_(options, keys_, wait_for_room) {}

void KafkaSink::exportFlow(const FlowRecord &flow) {
    line_.clear();
    encoder_.encode(flow, line_);
    keys_.fromFlow(flow, key_);
    producer_.submit(line_, key_);
}

Result<void> KafkaSink::finish() {
    const std::string spool_error = producer_.finish().error();
    const KafkaCounters &c = producer_.counters();
    std::string out;
    if (c.left_in_spool)
        out = "kafka: " + count(c.left_in_spool, "flow") + " not delivered (" +
              (c.last_failure.empty() ? std::string("brokers unreachable") : c.last_failure) +
              "): kept in the spool " + producer_.options().spool_path + ", sent on the next run";
    if (c.lost) {
        out += out.empty() ? "kafka: " : "; ";
        out += count(c.lost, "flow") + " lost: the spool could not take them";
    }
    if (!spool_error.empty()) {
        out += out.empty() ? "kafka: " : "; ";
        out += spool_error;
    }
    return Result<void>::fromMessage(out);
}

std::string KafkaSink::summary() const {
    const KafkaCounters &c = producer_.counters();
    std::string out = "netflow: kafka: " + count(c.delivered, "flow") + " delivered to " +
                      producer_.options().topic;
    if (c.inherited)
        out += "; " + count(c.inherited, "flow") + " from an earlier run's spool";
    if (c.failed)
        out += "; " + count(c.failed, "delivery failure");
    if (c.spooled)
        out += "; " + count(c.spooled, "flow") + " spooled";
    if (c.resent)
        out += "; " + std::to_string(c.resent) + " sent again from the spool";
    if (c.lost)
        out += "; " + count(c.lost, "flow") + " lost";
    out += "; " + count(c.left_in_spool, "flow") + " left in the spool";
    if (c.left_in_spool)
        out += " " + producer_.options().spool_path;
    return out;
}

}  // namespace netflow
