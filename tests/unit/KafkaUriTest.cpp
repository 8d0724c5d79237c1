// --export kafka://BROKERS/TOPIC and --kafka-opt KEY=VALUE as the command
// line checks them (kafka/KafkaUri.h), and the whole librdkafka
// configuration (kafka/KafkaConfig.h).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/CommandLine.h"
#include "kafka/KafkaConfig.h"
#include "kafka/KafkaUri.h"

namespace {

using netflow::KafkaOptions;

KafkaOptions parsed(const std::string &uri) {
    KafkaOptions o;
    auto bad = netflow::parseKafkaUri(uri, o);
    EXPECT_FALSE(bad) << uri << ": " << bad.value_or("");
    return o;
}

std::string refused(const std::string &uri) {
    KafkaOptions o;
    auto bad = netflow::parseKafkaUri(uri, o);
    EXPECT_TRUE(bad) << uri << " was accepted";
    EXPECT_TRUE(o.brokers.empty() && o.topic.empty()) << uri;
    return bad.value_or("");
}

TEST(KafkaUri, BrokersAndTopic) {
    KafkaOptions o = parsed("kafka://127.0.0.1:9092/flows");
    EXPECT_EQ(o.brokers, "127.0.0.1:9092");
    EXPECT_EQ(o.topic, "flows");
    o = parsed("kafka://k1.example.com:9092,k2.example.com,[2001:db8::1]:9093/net.flows-v2_x");
    EXPECT_EQ(o.brokers, "k1.example.com:9092,k2.example.com,[2001:db8::1]:9093");
    EXPECT_EQ(o.topic, "net.flows-v2_x");
    EXPECT_EQ(parsed("KAFKA://h/t").topic, "t");
    EXPECT_EQ(parsed("kafka://h/" + std::string(249, 'a')).topic.size(), 249u);
    EXPECT_TRUE(netflow::isKafkaUri("Kafka://x/y"));
    EXPECT_FALSE(netflow::isKafkaUri("http://x/y"));
}

TEST(KafkaUri, RefusedWithTheReason) {
    EXPECT_NE(refused("kafka://127.0.0.1:9092").find("no topic"), std::string::npos);
    EXPECT_NE(refused("kafka://127.0.0.1:9092/").find("no topic"), std::string::npos);
    EXPECT_NE(refused("kafka:///flows").find("no broker"), std::string::npos);
    EXPECT_NE(refused("kafka://h:0/t").find("port"), std::string::npos);
    EXPECT_NE(refused("kafka://h:65536/t").find("port"), std::string::npos);
    EXPECT_NE(refused("kafka://h:+1/t").find("port"), std::string::npos);
    EXPECT_NE(refused("kafka://h:/t").find("port"), std::string::npos);
    EXPECT_NE(refused("kafka://a,,b/t").find("empty broker"), std::string::npos);
    EXPECT_NE(refused("kafka://a,/t").find("empty broker"), std::string::npos);
    EXPECT_NE(refused("kafka://[2001:db8::1/t").find("']'"), std::string::npos);
    EXPECT_NE(refused("kafka://[not:v6]:1/t").find("IPv6"), std::string::npos);
    EXPECT_NE(refused("kafka://2001:db8::1:9092/t").find("host"), std::string::npos);
    EXPECT_NE(refused("kafka://ho st/t").find("host"), std::string::npos);
    EXPECT_NE(refused("kafka://user@h/t").find("host"), std::string::npos);
    EXPECT_NE(refused("kafka://h/a/b").find("topic"), std::string::npos);
    EXPECT_NE(refused("kafka://h/t?x=1").find("topic"), std::string::npos);
    EXPECT_NE(refused("kafka://h/..").find("topic"), std::string::npos);
    EXPECT_NE(refused("kafka://h/" + std::string(250, 'a')).find("topic"), std::string::npos);
    EXPECT_NE(refused("http://h/t").find("kafka://"), std::string::npos);
    EXPECT_NE(refused("h:9092/t").find("kafka://"), std::string::npos);
}

TEST(KafkaSettings, PassedThroughWhenLibrdkafkaKnowsThem) {
    KafkaOptions o;
    EXPECT_FALSE(netflow::addKafkaSetting("compression.type=zstd", o));
    EXPECT_FALSE(netflow::addKafkaSetting("linger.ms=50", o));
    EXPECT_FALSE(netflow::addKafkaSetting("client.id=a=b", o));  // the first '=' splits
    ASSERT_EQ(o.settings.size(), 3u);
    EXPECT_EQ(o.settings[0], std::make_pair(std::string("compression.type"), std::string("zstd")));
    EXPECT_EQ(o.settings[2], std::make_pair(std::string("client.id"), std::string("a=b")));
}

TEST(KafkaSettings, BadKeysAndValuesRefused) {
    KafkaOptions o;
    auto unknown = netflow::addKafkaSetting("no.such.thing=1", o);
    ASSERT_TRUE(unknown);
    EXPECT_NE(unknown->find("No such configuration property"), std::string::npos) << *unknown;
    auto bad_value = netflow::addKafkaSetting("compression.type=bogus", o);
    ASSERT_TRUE(bad_value);
    EXPECT_NE(bad_value->find("Invalid value"), std::string::npos) << *bad_value;
    EXPECT_TRUE(netflow::addKafkaSetting("linger.ms=-5", o));
    EXPECT_TRUE(netflow::addKafkaSetting("linger.ms", o));
    EXPECT_TRUE(netflow::addKafkaSetting("=1", o));
    EXPECT_TRUE(netflow::addKafkaSetting("bootstrap.servers=h:1", o));
    EXPECT_TRUE(netflow::addKafkaSetting("dr_msg_cb=x", o));  // callbacks are not text
    EXPECT_TRUE(o.settings.empty());
}

TEST(KafkaSettings, DefaultsThenOverrides) {
    KafkaOptions o;
    o.brokers = "127.0.0.1:1";
    o.topic = "t";
    auto conf = netflow::makeProducerConf(o);
    ASSERT_TRUE(conf) << conf.error();
    auto get = [](rd_kafka_conf_t *c, const char *key) {
        char value[256];
        size_t size = sizeof value;
        EXPECT_EQ(rd_kafka_conf_get(c, key, value, &size), RD_KAFKA_CONF_OK) << key;
        return std::string(value);
    };
    EXPECT_EQ(get(conf.value().get(), "acks"), "-1");  // all
    EXPECT_EQ(get(conf.value().get(), "enable.idempotence"), "true");
    EXPECT_EQ(get(conf.value().get(), "compression.codec"), "lz4");
    EXPECT_EQ(get(conf.value().get(), "bootstrap.servers"), "127.0.0.1:1");
    o.settings = {{"compression.type", "zstd"}};
    conf = netflow::makeProducerConf(o);
    ASSERT_TRUE(conf) << conf.error();
    EXPECT_EQ(get(conf.value().get(), "compression.codec"), "zstd");
}

TEST(KafkaSettings, ContradictionsFoundBeforeTheRun) {
    KafkaOptions o;
    o.brokers = "127.0.0.1:1";
    o.topic = "t";
    EXPECT_EQ(netflow::checkKafkaConfiguration(o), "");
    o.settings = {{"acks", "1"}};  // idempotence needs acks=all
    EXPECT_NE(netflow::checkKafkaConfiguration(o).find("acks"), std::string::npos);
    o.settings = {{"group.id", "g"}};  // a consumer's property
    EXPECT_NE(netflow::checkKafkaConfiguration(o).find("group.id"), std::string::npos);
    o.settings = {{"acks", "1"}, {"enable.idempotence", "false"}};
    EXPECT_EQ(netflow::checkKafkaConfiguration(o), "");
}

std::variant<netflow::Options, netflow::CommandLineExit> parse(std::vector<const char *> args) {
    args.insert(args.begin(), "netflow");
    return netflow::parseCommandLine(static_cast<int>(args.size()), args.data());
}

std::string usage(std::vector<const char *> args) {
    auto r = parse(std::move(args));
    auto *exit = std::get_if<netflow::CommandLineExit>(&r);
    if (!exit)
        return "accepted";
    EXPECT_EQ(exit->exit_code, netflow::kExitUsage);
    EXPECT_EQ(exit->text.find('\n'), std::string::npos) << exit->text;
    return exit->text;
}

TEST(KafkaCommandLine, ExportKafkaAlone) {
    auto r = parse({"-f", "x.pcap", "--export", "kafka://127.0.0.1:9092/flows", "--kafka-opt",
                    "linger.ms=20", "--kafka-opt=compression.type=zstd", "--spool", "s.jsonl",
                    "--timeout", "3", "-v"});
    auto *o = std::get_if<netflow::Options>(&r);
    ASSERT_TRUE(o) << std::get<netflow::CommandLineExit>(r).text;
    EXPECT_EQ(o->output_kind, netflow::OutputKind::None);
    ASSERT_EQ(o->kafka_exports.size(), 1u);
    const netflow::KafkaOptions &kafka = o->kafka_exports[0];
    EXPECT_EQ(kafka.brokers, "127.0.0.1:9092");
    EXPECT_EQ(kafka.topic, "flows");
    ASSERT_EQ(kafka.settings.size(), 2u);
    EXPECT_EQ(kafka.settings[1].second, "zstd");
    EXPECT_EQ(kafka.spool_path, "s.jsonl");
    EXPECT_EQ(kafka.timeout_s, 3);
    EXPECT_TRUE(kafka.verbose);
}

TEST(KafkaCommandLine, UsageErrors) {
    const char *k = "kafka://127.0.0.1:9092/flows";
    EXPECT_NE(usage({"-f", "x.pcap", "--export", k, "--kafka-opt", "nope=1"})
                  .find("No such configuration property"),
              std::string::npos);
    EXPECT_NE(usage({"-f", "x.pcap", "--export", k, "--kafka-opt", "acks=0"}).find("acks"),
              std::string::npos);
    EXPECT_NE(usage({"-f", "x.pcap", "--export", "kafka://h"}).find("kafka://BROKERS/TOPIC"),
              std::string::npos);
    EXPECT_EQ(usage({"-f", "x.pcap", "--export", k, "-c", "o.csv"}), "accepted");
    EXPECT_NE(usage({"-f", "x.pcap", "--export", k, "--batch", "5"}).find("-u only"),
              std::string::npos);
    EXPECT_NE(usage({"-f", "x.pcap", "--export", k, "--spool", "/dev/null"}).find("regular file"),
              std::string::npos);
    EXPECT_NE(
        usage({"-f", "x.pcap", "-c", "o.csv", "--kafka-opt", "linger.ms=1"}).find("--export kafka"),
        std::string::npos);
    EXPECT_NE(usage({"-f", "x.pcap", "-c"}).find("output is required"), std::string::npos);
    EXPECT_NE(usage({"-f", "x.pcap"}).find("is required"), std::string::npos);
}

}  // namespace
