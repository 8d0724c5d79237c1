#include "kafka/KafkaConfig.h"

#include <cstring>
#include <mutex>

namespace netflow {
namespace {

std::string trimmed(const char *text) {
    std::string s(text);
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

bool set(rd_kafka_conf_t *conf, const std::string &key, const std::string &value,
         std::string &error) {
    char err[512] = "";
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) == RD_KAFKA_CONF_OK)
        return true;
    error = trimmed(err);
    return false;
}

// What librdkafka says about the configuration while a producer is made
// (CONFWARN log lines), collected by the check below.
struct ConfWarnings {
    std::mutex mutex;
    std::string first;
};

void collectConfWarning(const rd_kafka_t *rk, int /*level*/, const char *fac, const char *buf) {
    auto *warnings = static_cast<ConfWarnings *>(rd_kafka_opaque(rk));
    if (!warnings || std::strcmp(fac, "CONFWARN") != 0 ||
        std::strstr(buf, "bootstrap.servers"))  // no brokers, on purpose
        return;
    std::lock_guard lock(warnings->mutex);
    if (warnings->first.empty())
        warnings->first = trimmed(buf);
}

}  // namespace

std::string checkKafkaProperty(const std::string &key, const std::string &value) {
    KafkaConf conf(rd_kafka_conf_new());
    std::string error;
    set(conf.get(), key, value, error);
    return error;
}

Result<KafkaConf> makeProducerConf(const KafkaOptions &options) {
    KafkaConf conf(rd_kafka_conf_new());
    std::string error;
    if (!set(conf.get(), "bootstrap.servers", options.brokers, error))
        return Result<KafkaConf>::failure("kafka: brokers " + options.brokers + ": " + error);
    for (const auto &[key, value] : kKafkaDefaults) {
        if (!set(conf.get(), key, value, error))
            return Result<KafkaConf>::failure(std::string("kafka: ") + key + ": " + error);
    }
    for (const auto &[key, value] : options.settings) {
        if (!set(conf.get(), key, value, error))
            return Result<KafkaConf>::failure("kafka: --kafka-opt " + key + ": " + error);
    }
    return conf;
}

std::string checkKafkaConfiguration(const KafkaOptions &options) {
    KafkaOptions no_brokers = options;
    no_brokers.brokers.clear();
    Result<KafkaConf> conf = makeProducerConf(no_brokers);
    if (!conf)
        return conf.error();
    ConfWarnings warnings;
    rd_kafka_conf_set_opaque(conf.value().get(), &warnings);
    rd_kafka_conf_set_log_cb(conf.value().get(), collectConfWarning);
    char err[512] = "";
    // rd_kafka_new takes the configuration only when it succeeds.
    KafkaHandle producer(rd_kafka_new(RD_KAFKA_PRODUCER, conf.value().get(), err, sizeof err));
    if (!producer)
        return trimmed(err);
    conf.value().release();
    producer.reset();  // joins librdkafka's threads: the warnings are all in
    std::lock_guard lock(warnings.mutex);
    return warnings.first;
}

}  // namespace netflow
