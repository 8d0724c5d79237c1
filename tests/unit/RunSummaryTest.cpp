// The run's own lines: the end-of-run summary and the --stats line, one
// format for every run.
#include <gtest/gtest.h>

#include "pipeline/RunSummary.h"

namespace {

using netflow::LiveStatus;

TEST(RunSummary, StatusLineIsOneFormatForEveryLiveRun) {
    LiveStatus s;
    s.packets = 1000;
    s.packets_per_second = 250;
    s.flows_active = 7;
    s.flows_exported = 12;
    s.not_counted = 3;
    s.lost = 1;
    EXPECT_EQ(netflow::formatStatus(s),
              "netflow: 1000 packets (250/s), 7 flows active, 12 exported, 3 not counted, 1 lost");
    s.kernel = true;
    s.map_full = 5;
    s.payload_copies = 40;
    EXPECT_EQ(netflow::formatStatus(s),
              "netflow: 1000 packets (250/s), 7 flows active, 12 exported, 3 not counted, 1 lost, "
              "5 map full, 40 payload copies");
}

TEST(RunSummary, SummaryNamesEveryPacketNotCounted) {
    netflow::CaptureCounters c;
    c.read = 10;
    c.counted = 6;
    c.filtered_out = 2;
    c.truncated = 1;
    c.malformed = 1;
    const std::string line = netflow::formatSummary(c, 3, 2.0);
    EXPECT_NE(line.find("10 packets"), std::string::npos) << line;
    EXPECT_NE(line.find("3 flows"), std::string::npos) << line;
    EXPECT_NE(line.find("2 filtered out"), std::string::npos) << line;
}

}  // namespace
