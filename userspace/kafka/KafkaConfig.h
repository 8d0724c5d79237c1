// librdkafka's configuration for the producer: netflow's settings
// (acks=all, idempotence, lz4 compression), then --kafka-opt's, checked by
// librdkafka itself. Owning handles for its objects.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>

#include "common/Result.h"
#include "kafka/KafkaOptions.h"

namespace netflow {

struct KafkaConfFree {
    void operator()(rd_kafka_conf_t *conf) const { rd_kafka_conf_destroy(conf); }
};
struct KafkaHandleFree {
    void operator()(rd_kafka_t *rk) const { rd_kafka_destroy(rk); }
};
using KafkaConf = std::unique_ptr<rd_kafka_conf_t, KafkaConfFree>;
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaHandleFree>;

// netflow's own settings, before --kafka-opt's (which may override them).
inline constexpr const char *kKafkaDefaults[][2] = {
    {"client.id", "netflow"},
    {"acks", "all"},
    {"enable.idempotence", "true"},
    {"compression.type", "lz4"},
};

// "" when librdkafka takes KEY=VALUE, else its reason ("No such
// configuration property", "Invalid value ... ").
std::string checkKafkaProperty(const std::string &key, const std::string &value);

// The producer's configuration: bootstrap.servers from the URI, the
// defaults, then options.settings. Fails with librdkafka's reason.
Result<KafkaConf> makeProducerConf(const KafkaOptions &options);

// The whole configuration as librdkafka checks it when a producer is made
// (settings that contradict each other, e.g. acks=1 with idempotence;
// consumer-only properties): a producer without brokers made and dropped
// (~10 ms, no connection). "" or librdkafka's first complaint.
std::string checkKafkaConfiguration(const KafkaOptions &options);

}  // namespace netflow
