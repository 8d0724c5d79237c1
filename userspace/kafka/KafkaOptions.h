// `--export kafka://BROKERS/TOPIC` and its settings, as the command line
// gives them: plain data, so that Options can hold them without librdkafka.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace netflow {

struct KafkaOptions {
    std::string brokers;  // bootstrap.servers: "host:port,host:port"
    std::string topic;
    // --kafka-opt KEY=VALUE, in the order given: librdkafka settings applied
    // after netflow's own (acks=all, enable.idempotence=true,
    // compression.type=lz4), so they can override them.
    std::vector<std::pair<std::string, std::string>> settings;
    std::string spool_path = "netflow-spool.jsonl";  // --spool, as -u
    double timeout_s = 10;  // --timeout: delivery at exit waits at most this long without progress
    bool verbose = false;   // -v: librdkafka's own log on stderr
};

}  // namespace netflow
