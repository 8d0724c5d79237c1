// --metrics: the address syntax, the Prometheus text of a snapshot, and the
// server answering GET /metrics with what was published last.
#include <gtest/gtest.h>
#include <httplib.h>

#include <stdexcept>
#include <string>

#include "metrics/MetricsAddress.h"
#include "metrics/MetricsServer.h"
#include "metrics/PrometheusText.h"

namespace {

using netflow::MetricsAddress;
using netflow::MetricsSnapshot;
using netflow::parseMetricsAddress;

TEST(MetricsAddress, AcceptsHostPortAndBracketedIpv6) {
    std::string why;
    auto a = parseMetricsAddress("127.0.0.1:9100", &why);
    ASSERT_TRUE(a) << why;
    EXPECT_EQ(a->host, "127.0.0.1");
    EXPECT_EQ(a->port, 9100);
    a = parseMetricsAddress("[::1]:65535", &why);
    ASSERT_TRUE(a) << why;
    EXPECT_EQ(a->host, "::1");
    EXPECT_EQ(a->port, 65535);
    a = parseMetricsAddress("localhost:1", &why);
    ASSERT_TRUE(a) << why;
    EXPECT_EQ(a->host, "localhost");
}

TEST(MetricsAddress, RejectsWhatIsNotAddrPort) {
    for (const char *bad :
         {"", "9100", ":9100", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
          "127.0.0.1:-1", "127.0.0.1:91x", "::1:9100", "[::1:9100", "[]:9100", "127.0.0.1: 9100"}) {
        std::string why;
        EXPECT_FALSE(parseMetricsAddress(bad, &why)) << bad;
        EXPECT_NE(why.find("--metrics '"), std::string::npos) << bad << ": " << why;
        EXPECT_EQ(why.find('\n'), std::string::npos) << why;
    }
}

MetricsSnapshot sample() {
    MetricsSnapshot s;
    s.interface = "eth\"0";
    s.backend = "xdp";
    s.uptime_seconds = 12.5;
    s.packets_seen = 1000;
    s.packets_counted = 990;
    s.packets_filtered = 4;
    s.packets_not_ip = 3;
    s.packets_truncated = 2;
    s.packets_malformed = 1;
    s.flows_active = 7;
    s.flows_exported = 40;
    s.flow_map_entries = 6;
    s.flow_map_capacity = 65536;
    s.flow_map_full_packets = 11;
    s.overflow_flows = 1;
    s.ring_records_lost = 12;
    s.payload_copies_lost = 13;
    s.xsk_packets_lost = 14;
    s.dpi_queue = 15;
    s.outputs = {{"csv", 40, 0, 0, 0}, {"http", 38, 5, 2, 1}};
    return s;
}

bool hasLine(const std::string &text, const std::string &line) {
    return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(PrometheusText, EveryCounterWithHelpTypeAndValue) {
    const std::string text = netflow::prometheusText(sample());
    for (const char *line : {"netflow_packets_seen_total 1000",
                             "netflow_packets_counted_total 990",
                             "netflow_packets_filtered_total 4",
                             "netflow_packets_not_ip_total 3",
                             "netflow_packets_truncated_total 2",
                             "netflow_packets_malformed_total 1",
                             "netflow_flows_active 7",
                             "netflow_flows_exported_total 40",
                             "netflow_flow_map_entries 6",
                             "netflow_flow_map_capacity 65536",
                             "netflow_flow_map_overflow_packets_total 11",
                             "netflow_flow_map_overflow_flows 1",
                             "netflow_ring_records_lost_total 12",
                             "netflow_payload_copies_lost_total 13",
                             "netflow_xsk_packets_lost_total 14",
                             "netflow_dpi_queue 15",
                             "netflow_uptime_seconds 12.500",
                             "# TYPE netflow_packets_seen_total counter",
                             "# TYPE netflow_flows_active gauge",
                             "netflow_output_delivered_total{output=\"csv\"} 40",
                             "netflow_output_delivered_total{output=\"http\"} 38",
                             "netflow_output_retried_total{output=\"http\"} 5",
                             "netflow_output_spooled_total{output=\"http\"} 2",
                             "netflow_output_rejected_total{output=\"http\"} 1"})
        EXPECT_TRUE(hasLine(text, line)) << line << "\n" << text;
    // A label value's quote is escaped.
    EXPECT_NE(text.find("interface=\"eth\\\"0\",backend=\"xdp\"} 1\n"), std::string::npos) << text;
    // Every sample's family has HELP and TYPE before it.
    size_t pos = 0;
    while ((pos = text.find("\nnetflow_", pos)) != std::string::npos) {
        const size_t end = text.find_first_of(" {", pos + 1);
        const std::string name = text.substr(pos + 1, end - pos - 1);
        EXPECT_LT(text.find("# TYPE " + name + " "), pos) << name;
        EXPECT_LT(text.find("# HELP " + name + " "), pos) << name;
        pos = end;
    }
}

TEST(MetricsServer, ServesTheLatestSnapshot) {
    netflow::MetricsServer server(MetricsAddress{"127.0.0.1", 0});
    ASSERT_GT(server.port(), 0);
    server.start();
    httplib::Client client("127.0.0.1", server.port());
    auto res = client.Get("/metrics");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "");  // nothing published yet
    server.publish(sample());
    res = client.Get("/metrics");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->get_header_value("Content-Type"), netflow::kPrometheusContentType);
    EXPECT_EQ(res->body, netflow::prometheusText(sample()));
    MetricsSnapshot later = sample();
    later.flows_exported = 41;
    server.publish(later);
    res = client.Get("/metrics");
    ASSERT_TRUE(res);
    EXPECT_NE(res->body.find("\nnetflow_flows_exported_total 41\n"), std::string::npos);
    EXPECT_EQ(client.Get("/nothing")->status, 404);
}

TEST(MetricsServer, ATakenPortIsAnErrorNamingIt) {
    netflow::MetricsServer first(MetricsAddress{"127.0.0.1", 0});
    const auto port = static_cast<uint16_t>(first.port());
    try {
        netflow::MetricsServer second(MetricsAddress{"127.0.0.1", port});
        FAIL() << "a second server bound the same port";
    } catch (const std::runtime_error &e) {
        EXPECT_EQ(std::string(e.what()).rfind(
                      "--metrics 127.0.0.1:" + std::to_string(port) + ": cannot listen", 0),
                  0u)
            << e.what();
    }
}

TEST(MetricsServer, StopsWhetherOrNotItStarted) {
    { netflow::MetricsServer never_started(MetricsAddress{"127.0.0.1", 0}); }
    netflow::MetricsServer started(MetricsAddress{"127.0.0.1", 0});
    started.start();
}

}  // namespace
