// --export URIs and the outputs of a run (-c, -u, --export together).
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "cli/CommandLine.h"
#include "export/ExportUri.h"

using namespace netflow;

namespace {

std::variant<Options, CommandLineExit> parse(std::vector<const char *> args) {
    args.insert(args.begin(), "netflow");
    return parseCommandLine(static_cast<int>(args.size()), args.data());
}

std::string usage(std::vector<const char *> args) {
    auto r = parse(std::move(args));
    auto *exit = std::get_if<CommandLineExit>(&r);
    if (!exit)
        return "(accepted)";
    EXPECT_EQ(exit->exit_code, kExitUsage);
    return exit->text;
}

}  // namespace

TEST(ExportUri, Schemes) {
    auto t = std::get<ExportTarget>(parseExportUri("ipfix://collector.example:4739"));
    EXPECT_EQ(t.scheme, ExportScheme::Ipfix);
    EXPECT_EQ(t.host, "collector.example");
    EXPECT_EQ(t.port, 4739);
    EXPECT_EQ(std::get<ExportTarget>(parseExportUri("tcp://10.0.0.1:4739")).scheme,
              ExportScheme::IpfixTcp);
    EXPECT_EQ(std::get<ExportTarget>(parseExportUri("ipfix+tcp://10.0.0.1:4739")).scheme,
              ExportScheme::IpfixTcp);
    t = std::get<ExportTarget>(parseExportUri("netflow9://[2001:db8::1]:2055"));
    EXPECT_EQ(t.scheme, ExportScheme::Netflow9);
    EXPECT_EQ(t.host, "2001:db8::1");
    EXPECT_EQ(t.port, 2055);
    t = std::get<ExportTarget>(parseExportUri("kafka://b1:9092,b2:9092/flows"));
    EXPECT_EQ(t.scheme, ExportScheme::Kafka);
    EXPECT_EQ(t.brokers, "b1:9092,b2:9092");
    EXPECT_EQ(t.topic, "flows");
}

TEST(ExportUri, BadUris) {
    for (const char *bad :
         {"udp://h:1", "ipfix://h", "ipfix://h:0", "ipfix://h:65536", "ipfix://:4739",
          "ipfix://h:47x", "ipfix://2001:db8::1:4739", "ipfix://h:1/path", "kafka://brokers",
          "kafka:///topic", "kafka://b/t/x"}) {
        auto r = parseExportUri(bad);
        ASSERT_TRUE(std::holds_alternative<std::string>(r)) << bad;
        EXPECT_NE(std::get<std::string>(r).find(bad), std::string::npos);
    }
}

TEST(ExportOptions, OutputsTogether) {
    auto r = parse({"-f", "x.pcap", "--export", "ipfix://127.0.0.1:4739"});
    ASSERT_TRUE(std::holds_alternative<Options>(r));
    EXPECT_EQ(std::get<Options>(r).output_kind, OutputKind::None);
    EXPECT_EQ(std::get<Options>(r).exports.size(), 1u);

    r = parse({"-f", "x.pcap", "-c", "-u", "out.csv", "http://127.0.0.1:1/p", "--export",
               "ipfix://127.0.0.1:4739", "--export", "netflow9://127.0.0.1:2055", "--export-domain",
               "7", "--export-mtu", "9000"});
    ASSERT_TRUE(std::holds_alternative<Options>(r));
    const Options &o = std::get<Options>(r);
    EXPECT_EQ(o.output_kind, OutputKind::CsvAndUrl);
    EXPECT_EQ(o.output, "out.csv");
    EXPECT_EQ(o.http.url, "http://127.0.0.1:1/p");
    ASSERT_EQ(o.exports.size(), 2u);
    EXPECT_EQ(o.exports[1].scheme, ExportScheme::Netflow9);
    EXPECT_EQ(o.export_settings.observation_domain, 7u);
    EXPECT_EQ(o.export_settings.mtu, 9000u);

    // The earlier tool's invocations keep their meaning.
    r = parse({"-f", "x.pcap", "-c", "out.csv"});
    ASSERT_TRUE(std::holds_alternative<Options>(r));
    EXPECT_EQ(std::get<Options>(r).output_kind, OutputKind::Csv);
}

TEST(ExportOptions, UsageErrors) {
    EXPECT_NE(usage({"-f", "x.pcap"}).find("is required"), std::string::npos);
    EXPECT_NE(usage({"-f", "x.pcap", "-c", "-u", "out.csv"}).find("not both"), std::string::npos);
    EXPECT_NE(usage({"-f", "x.pcap", "--export", "ftp://h:1"}).find("unknown scheme"),
              std::string::npos);
    EXPECT_EQ(usage({"-f", "x.pcap", "--export", "kafka://b:9092/t"}), "(accepted)");
    EXPECT_NE(usage({"-f", "x.pcap", "-c", "o.csv", "--export-mtu", "1400"}).find("--export only"),
              std::string::npos);
    EXPECT_NE(usage({"-f", "x.pcap", "--export", "ipfix://h:1", "--export-mtu", "100"}),
              "(accepted)");
    EXPECT_NE(usage({"-f", "x.pcap", "--export", "ipfix://h:1", "out.csv"}).find("needs -c"),
              std::string::npos);
}

TEST(ExportOptions, KafkaBesideOtherOutputsSpoolsToItsOwnFile) {
    auto r = parse({"-f", "x.pcap", "-c", "-u", "out.csv", "http://127.0.0.1:1/f", "--export",
                    "kafka://127.0.0.1:1/a", "--export", "kafka://127.0.0.1:1/b", "--export",
                    "ipfix://127.0.0.1:4739", "--spool", "/tmp/s.jsonl"});
    auto *o = std::get_if<Options>(&r);
    ASSERT_NE(o, nullptr) << std::get<CommandLineExit>(r).text;
    EXPECT_EQ(o->output_kind, OutputKind::CsvAndUrl);
    EXPECT_EQ(o->http.spool_path, "/tmp/s.jsonl");
    ASSERT_EQ(o->kafka_exports.size(), 2u);
    EXPECT_EQ(o->kafka_exports[0].spool_path, "/tmp/s.kafka1.jsonl");
    EXPECT_EQ(o->kafka_exports[1].spool_path, "/tmp/s.kafka2.jsonl");
    EXPECT_EQ(o->exports.size(), 1u);

    r = parse({"-f", "x.pcap", "--export", "kafka://127.0.0.1:1/a", "--spool", "/tmp/s.jsonl"});
    o = std::get_if<Options>(&r);
    ASSERT_NE(o, nullptr) << std::get<CommandLineExit>(r).text;
    ASSERT_EQ(o->kafka_exports.size(), 1u);
    EXPECT_EQ(o->kafka_exports[0].spool_path, "/tmp/s.jsonl");
    EXPECT_EQ(o->output_kind, OutputKind::None);

    r = parse({"-f", "x.pcap", "-u", "http://127.0.0.1:1/f", "--export", "kafka://127.0.0.1:1/a",
               "--spool", "spool"});
    o = std::get_if<Options>(&r);
    ASSERT_NE(o, nullptr) << std::get<CommandLineExit>(r).text;
    EXPECT_EQ(o->kafka_exports[0].spool_path, "spool.kafka");
    EXPECT_NE(usage({"-f", "x.pcap", "-c", "out.csv", "--kafka-opt", "acks=1"}), "(accepted)");
}
