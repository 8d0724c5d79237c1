// The command line's side of `--export kafka://BROKERS/TOPIC` and
// `--kafka-opt KEY=VALUE`: text checked and turned into KafkaOptions. Each
// returns nothing, or the one-line usage error.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/KafkaOptions.h"

namespace netflow {

// True when `uri` asks for Kafka (its scheme is kafka, any case).
bool isKafkaUri(std::string_view uri);

// "kafka://BROKERS/TOPIC": BROKERS is host[:port] (IPv6 in brackets),
// comma-separated, librdkafka's default port 9092 when none is given; TOPIC
// a Kafka topic name (1 to 249 of [A-Za-z0-9._-], not "." or ".."). Nothing
// after the topic (no path, query or fragment). Sets options.brokers and
// options.topic.
std::optional<std::string> parseKafkaUri(std::string_view uri, KafkaOptions &options);

// "KEY=VALUE" (the first '=' splits; VALUE may be empty or hold '='),
// appended to options.settings. KEY must be a librdkafka property
// librdkafka accepts VALUE for (checked by librdkafka itself); the brokers
// come from the URI only (bootstrap.servers, metadata.broker.list refused).
std::optional<std::string> addKafkaSetting(std::string_view setting, KafkaOptions &options);

// Everything the command line gives `--export kafka://...`: the URI, each
// --kafka-opt, and the settings shared with -u (--spool, --timeout, -v),
// checked and put into `options`; then the whole librdkafka configuration
// is checked (checkKafkaConfiguration). Nothing, or the usage error.
std::optional<std::string> kafkaFromCommandLine(std::string_view uri,
                                                const std::vector<std::string> &settings,
                                                const std::string &spool_path, double timeout_s,
                                                bool verbose, KafkaOptions &options);

}  // namespace netflow
