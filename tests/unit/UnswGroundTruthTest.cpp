// --labels-format unsw-nb15: the sample ground-truth file of tests/labels
// (header, stray spaces in categories, Backdoors, a duplicate line, quoted
// references with commas, '-' ports, a protocol with no number) and every
// error path.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "support/PipeWriter.h"
#include "labels/LabelError.h"
#include "labels/LabelRules.h"

namespace {

using netflow::LabelFormat;

std::string errorOf(const std::string &text) {
    std::istringstream in(text);
    try {
        netflow::parseLabelRules(in, "gt.csv", LabelFormat::UnswNb15, 0);
    } catch (const netflow::LabelError &e) {
        return e.what();
    }
    return "(no error)";
}

// A table read from a pipe, whose size is not known: the duplicate set
// is sized for twice the first part's lines and grows past them (here
// 20,000 lines, over five times the first part's), and still finds every
// duplicate: the last 500 lines repeat the first 500, in another order.
TEST(UnswGroundTruth, DuplicatesFoundPastTheSizeGuessed) {
    std::vector<std::string> lines;
    for (int i = 0; i < 20000; i++)
        lines.push_back(std::to_string(1795845285 + i % 600) + "," +
                        std::to_string(1795845285 + i % 600) + ",Exploits,,tcp,10." +
                        std::to_string(i / 250 % 250) + "." + std::to_string(i % 250) +
                        ".1,40080,10.200.0.2,80,x,-,");
    std::string text;
    for (const std::string &line : lines)
        text += line + "\n";
    for (int i = 499; i >= 0; i--)
        text += lines[static_cast<size_t>(i)] + "\n";
    ASSERT_GT(text.size(), 4 * netflow::RuleLines::kPart);

    PipeWriter pipe(text);
    const auto set = netflow::loadLabelRules(pipe.path(), LabelFormat::UnswNb15, 0);
    ASSERT_EQ(set.rules.size(), 20000u);
    ASSERT_EQ(set.notes.size(), 1u);
    EXPECT_EQ(set.notes[0], "500 duplicate ground-truth lines kept once");
    std::istringstream in(text);
    const auto whole = netflow::parseLabelRules(in, "gt.csv", LabelFormat::UnswNb15, 0);
    ASSERT_EQ(whole.rules.size(), set.rules.size());
    for (size_t i = 0; i < set.rules.size(); i++) {
        EXPECT_EQ(set.rules[i].src.bytes, whole.rules[i].src.bytes);
        EXPECT_EQ(set.rules[i].start_us, whole.rules[i].start_us);
        EXPECT_EQ(set.rules[i].line, whole.rules[i].line);
    }
}

TEST(UnswGroundTruth, SampleFile) {
    const std::string path = std::string(NETFLOW_TEST_DATA) + "/labels/unsw_gt_sample.csv";
    auto set = netflow::loadLabelRules(path, LabelFormat::UnswNb15, 0);
    // 10 lines after the header: one duplicate, one 'unas'.
    ASSERT_EQ(set.rules.size(), 8u);
    const auto &first = set.rules[0];
    EXPECT_EQ(set.attack(first), "Exploits");  // " Exploits " trimmed
    EXPECT_EQ(first.start_us, 1795845285LL * 1000000);
    EXPECT_EQ(first.end_us, 1795845285LL * 1000000 + 999999);  // the last second is whole
    EXPECT_EQ(first.proto, 6);
    EXPECT_EQ(first.src.family, 4);
    EXPECT_EQ(first.src.length, 32);
    EXPECT_EQ(first.sport.lo, 40080);
    EXPECT_EQ(first.dport.hi, 80);
    EXPECT_FALSE(first.forward_only);
    EXPECT_EQ(first.line, 2u);
    EXPECT_EQ(set.attack(set.rules[1]), "Backdoor");  // Backdoors
    EXPECT_EQ(set.rules[1].line, 4u);                 // line 3 was the duplicate
    EXPECT_EQ(set.attack(set.rules[2]), "Reconnaissance");
    EXPECT_EQ(set.rules[4].proto, 1);
    EXPECT_TRUE(set.rules[4].sport.any());  // '-'
    EXPECT_EQ(set.attack(set.rules[5]), "DoS");
    EXPECT_EQ(set.rules[5].proto, 58);
    EXPECT_EQ(set.rules[5].src.family, 6);
    EXPECT_EQ(set.rules[5].sport.lo, 0);
    EXPECT_EQ(set.rules[5].sport.hi, 0);
    ASSERT_EQ(set.notes.size(), 2u);
    EXPECT_EQ(set.notes[0], "1 duplicate ground-truth lines kept once");
    EXPECT_EQ(set.notes[1],
              "1 ground-truth lines skipped: protocol with no IP protocol number (unas 1)");
}

TEST(UnswGroundTruth, NoHeaderIsFine) {
    std::istringstream in("1421927414,1421927416,Exploits,,udp,175.45.176.0,1,149.171.126.16,53\n");
    auto set = netflow::parseLabelRules(in, "gt.csv", LabelFormat::UnswNb15, 0);
    ASSERT_EQ(set.rules.size(), 1u);
    EXPECT_EQ(set.rules[0].proto, 17);
}

// A protocol name that is no protocol is named in the run's note as the
// summary shows text: escaped, not sent to the terminal raw.
TEST(UnswGroundTruth, UnknownProtocolNamedPrintably) {
    std::istringstream in(
        "1421927414,1421927416,Exploits,,udp,175.45.176.0,1,149.171.126.16,53\n"
        "1421927414,1421927416,Exploits,,x\x1b[2J\xe9,175.45.176.0,1,149.171.126.16,53\n");
    auto set = netflow::parseLabelRules(in, "gt.csv", LabelFormat::UnswNb15, 0);
    ASSERT_EQ(set.rules.size(), 1u);
    ASSERT_EQ(set.notes.size(), 1u);
    EXPECT_EQ(set.notes[0],
              "1 ground-truth lines skipped: protocol with no IP protocol number "
              "(x\\x1b[2J\\xe9 1)");
}

// A byte order mark before a table without its header: the first line is
// a rule, not taken for the header (its first field reads as digits).
TEST(UnswGroundTruth, ByteOrderMarkSkipped) {
    std::istringstream in(
        "\xEF\xBB\xBF"
        "1421927414,1421927416,Exploits,,udp,175.45.176.0,1,149.171.126.16,53\n");
    auto set = netflow::parseLabelRules(in, "gt.csv", LabelFormat::UnswNb15, 0);
    ASSERT_EQ(set.rules.size(), 1u);
    EXPECT_EQ(set.rules[0].line, 1u);
}

TEST(UnswGroundTruth, ErrorPaths) {
    const std::string ok = "1421927414,1421927416,Exploits,,udp,175.45.176.0,1,149.171.126.16,53";
    EXPECT_EQ(errorOf("1421927414,1421927416,Exploits,,udp,175.45.176.0,1,149.171.126.16\n"),
              "gt.csv:1:66: a ground-truth line has at least 9 fields, this one 8");
    EXPECT_EQ(errorOf(ok + "\n1421927414,x,Exploits,,udp,175.45.176.0,1,149.171.126.16,53\n"),
              "gt.csv:2:12: 'x' is not epoch seconds");
    EXPECT_EQ(errorOf("1421927416,1421927414,Exploits,,udp,175.45.176.0,1,149.171.126.16,53\n"),
              "gt.csv:1:12: last time is before start time");
    EXPECT_EQ(errorOf("1421927414,1421927416,  ,,udp,175.45.176.0,1,149.171.126.16,53\n"),
              "gt.csv:1:23: the attack category is empty");
    EXPECT_EQ(errorOf("1421927414,1421927416,Exploits,,udp,175.45.176.300,1,149.171.126.16,53\n"),
              "gt.csv:1:37: '175.45.176.300' is not an IPv4 or IPv6 address or CIDR");
    EXPECT_EQ(errorOf("1421927414,1421927416,Exploits,,udp,175.45.176.0/24,1,149.171.126.16,53\n"),
              "gt.csv:1:37: '175.45.176.0/24' is not one address");
    EXPECT_EQ(errorOf("1421927414,1421927416,Exploits,,udp,175.45.176.0,1,2001:db8::1,53\n"),
              "gt.csv:1:52: source and destination are of different IP versions");
    EXPECT_EQ(errorOf("1421927414,1421927416,Exploits,,udp,175.45.176.0,1-5,149.171.126.16,53\n"),
              "gt.csv:1:50: '1-5' is not one port");
    EXPECT_EQ(errorOf("1421927414,1421927416,Exploits,,udp,175.45.176.0,1,149.171.126.16,99999\n"),
              "gt.csv:1:67: '99999' is not a port or a range a-b of ports 0-65535");
    EXPECT_EQ(errorOf("1421927414,1421927416,\"Exploits,,udp\n"), "gt.csv:1:23: unbalanced quote");
}

}  // namespace
