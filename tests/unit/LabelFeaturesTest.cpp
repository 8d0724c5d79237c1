// --labels and --anonymize through FlowFeatures, where every output (CSV,
// -u, live) gets Label, Attack and the addresses: the rules see the real
// addresses and wall-clock times, the default for unmatched flows, one
// lookup and one count per flow, the summary.
#include <gtest/gtest.h>

#include <cstring>
#include <sstream>
#include <string>

#include "labels/LabelRules.h"
#include "support/FlowHarness.h"

namespace {

using netflow::Column;
using netflow::FeatureValue;
using netflow::FlowFeatures;
using netflow::FlowRecord;
using netflow::LabelSpec;

std::shared_ptr<const netflow::CompiledLabels> compile(const std::string &body) {
    std::istringstream in("attack,src,dst,sport,dport,proto,start,end,options\n" + body);
    return std::make_shared<const netflow::CompiledLabels>(
        netflow::parseLabelRules(in, "r.csv", netflow::LabelFormat::CicIds, 0));
}

class LabelFeatures : public ::testing::Test {
  protected:
    LabelFeatures() {
        std::memset(&rec_.key, 0, sizeof(rec_.key));
        std::memset(&rec_.state, 0, sizeof(rec_.state));
        rec_.key.ip_version = 4;
        rec_.key.proto = 6;
        const uint8_t lo[4] = {10, 0, 0, 1}, hi[4] = {10, 0, 0, 2};
        std::memcpy(rec_.key.addr_lo, lo, 4);
        std::memcpy(rec_.key.addr_hi, hi, 4);
        rec_.key.port_lo = 80;
        rec_.key.port_hi = 40000;
        rec_.state.src_is_lo = 0;  // 10.0.0.2:40000 -> 10.0.0.1:80
        rec_.state.first_us = 1000 * nftest::kSec;
        rec_.state.last_us = 1001 * nftest::kSec;
    }
    std::string get(const FlowFeatures &f, Column c) {
        f.compute(c, rec_, value_);
        return nftest::renderValue(value_);
    }
    FlowRecord rec_{};
    FeatureValue value_;
};

TEST_F(LabelFeatures, RuleSetsLabelAndAttackDefaultIsBenign) {
    LabelSpec spec;
    spec.rules = compile("Web,10.0.0.2,10.0.0.1,,80,tcp,1000,1000\n");
    FlowFeatures f(nftest::sharedClassifier(), spec);
    EXPECT_EQ(get(f, Column::Label), "1");
    EXPECT_EQ(get(f, Column::Attack), "Web");
    rec_.first_seen++;
    rec_.key.port_lo = 81;
    EXPECT_EQ(get(f, Column::Attack), "Benign");
    EXPECT_EQ(get(f, Column::Label), "0");
    EXPECT_EQ(f.labelSummary(false),
              "netflow: labels: 1 Benign, 1 Web; 1 of 1 rule matched a flow (r.csv)");
}

// A row's lookup starts as it begins and advances some columns later; a
// label asked for another flow than the row's (a caller that began no
// row for it) is its own.
TEST_F(LabelFeatures, LookupStartedForTheRowAndLabelsOfOtherFlows) {
    LabelSpec spec;
    spec.rules = compile("Web,10.0.0.2,10.0.0.1,,80,tcp,1000,1000\n");
    FlowFeatures f(nftest::sharedClassifier(), spec);
    FlowRecord other{};
    other.key = rec_.key;
    other.state = rec_.state;
    other.key.port_lo = 81;
    other.first_seen = rec_.first_seen + 1;
    for (int columns : {0, 1, 40}) {
        f.beginRow(other);
        for (int i = 0; i < columns; i++)
            get(f, Column::L4_SRC_PORT);
        EXPECT_EQ(get(f, Column::Attack), "Web") << columns;  // not the row's flow
        f.compute(Column::Attack, other, value_);
        EXPECT_EQ(nftest::renderValue(value_), "Benign") << columns;
        rec_.first_seen += 2;
        other.first_seen += 2;
        f.beginRow(rec_);
        for (int i = 0; i < columns; i++)
            get(f, Column::L4_SRC_PORT);
        EXPECT_EQ(get(f, Column::Attack), "Web") << columns;
        EXPECT_EQ(get(f, Column::Label), "1") << columns;
        // The row's flow again after another: looked up anew, not from the
        // lookup its row started (finished already).
        f.compute(Column::Attack, other, value_);
        EXPECT_EQ(nftest::renderValue(value_), "Benign") << columns;
        EXPECT_EQ(get(f, Column::Attack), "Web") << columns;
        rec_.first_seen += 2;
        other.first_seen += 2;
    }
}

TEST_F(LabelFeatures, AttackNameIsTheDefaultForUnmatchedFlows) {
    LabelSpec spec(true, "Capture-7");
    spec.rules = compile("Benign,10.0.0.2,,,,,,\n");
    FlowFeatures f(nftest::sharedClassifier(), spec);
    EXPECT_EQ(get(f, Column::Attack), "Benign");  // a Benign rule: an exception
    EXPECT_EQ(get(f, Column::Label), "0");
    rec_.first_seen++;
    rec_.key.addr_hi[3] = 3;
    EXPECT_EQ(get(f, Column::Attack), "Capture-7");
    EXPECT_EQ(get(f, Column::Label), "1");
}

TEST_F(LabelFeatures, WallClockTimesOnTheLivePath) {
    // Kernel times are monotonic: the offset makes them wall-clock first.
    LabelSpec spec;
    spec.rules = compile("Late,,,,,,5000,5000\n");
    FlowFeatures offline(nftest::sharedClassifier(), spec);
    EXPECT_EQ(get(offline, Column::Attack), "Benign");
    FlowFeatures live(nftest::sharedClassifier(), spec, static_cast<int64_t>(4000 * nftest::kSec));
    EXPECT_EQ(get(live, Column::Attack), "Late");
}

TEST_F(LabelFeatures, CountsEachFlowOnceAndListsUnmatchedRulesVerbose) {
    LabelSpec spec;
    spec.rules = compile("A,10.0.0.0/8,,,,,,\nTypo,10.0.9.9,,,,,,\n");
    FlowFeatures f(nftest::sharedClassifier(), spec);
    for (int i = 0; i < 3; i++) {
        rec_.first_seen = static_cast<uint64_t>(i);
        // Label and Attack (twice) of one flow: one count.
        get(f, Column::Label);
        get(f, Column::Attack);
        get(f, Column::Attack);
    }
    EXPECT_EQ(f.labelSummary(true),
              "netflow: labels: 3 A; 1 of 2 rules matched a flow (r.csv)\n"
              "netflow: labels: rules by flows matched: 1 none, 0 one, 1 2-9, 0 10 or more\n"
              "netflow: labels: rule r.csv:3 (Typo) matched no flow");
    FlowFeatures without(nftest::sharedClassifier(), LabelSpec{});
    EXPECT_EQ(without.labelSummary(true), "");
}

// A rule's count saturates (one byte): past 255 flows it still says "10
// or more", not none.
TEST_F(LabelFeatures, ManyFlowsOfOneRuleStayCounted) {
    LabelSpec spec;
    spec.rules = compile("A,10.0.0.2,,,,,,\nB,10.0.0.3,,,,,,\n");
    FlowFeatures f(nftest::sharedClassifier(), spec);
    for (int i = 0; i < 513; i++) {  // one pending, 512 (0 modulo 256) counted
        rec_.first_seen = static_cast<uint64_t>(i);
        get(f, Column::Attack);
    }
    EXPECT_EQ(f.labelSummary(true),
              "netflow: labels: 513 A; 1 of 2 rules matched a flow (r.csv)\n"
              "netflow: labels: rules by flows matched: 1 none, 0 one, 0 2-9, 1 10 or more\n"
              "netflow: labels: rule r.csv:3 (B) matched no flow");
}

// The lines -v names are the file's, past comments, blank lines and lines
// read but kept once (a repeated ground-truth line) or skipped.
TEST_F(LabelFeatures, UnmatchedRulesListedAtTheirLines) {
    LabelSpec spec;
    spec.rules = compile(
        "# line 2\n"
        "Typo1,10.0.9.1,,,,,,\n"  // 3
        "A,10.0.0.2,,,,,,\n"      // 4
        "\n"
        "Typo2,10.0.9.2,,,,,,\n"  // 6
        "# 7\n"
        "# 8\n"
        "Typo3,10.0.9.3,,,,,,\n"  // 9
        "Typo4,10.0.9.4,,,,,,\n"  // 10
        "\n"
        "Typo5,10.0.9.5,,,,,,\n");  // 12
    FlowFeatures f(nftest::sharedClassifier(), spec);
    EXPECT_EQ(get(f, Column::Attack), "A");
    EXPECT_EQ(f.labelSummary(true),
              "netflow: labels: 1 A; 1 of 6 rules matched a flow (r.csv)\n"
              "netflow: labels: rules by flows matched: 5 none, 1 one, 0 2-9, 0 10 or more\n"
              "netflow: labels: rule r.csv:3 (Typo1) matched no flow\n"
              "netflow: labels: rule r.csv:6 (Typo2) matched no flow\n"
              "netflow: labels: rule r.csv:9 (Typo3) matched no flow\n"
              "netflow: labels: rule r.csv:10 (Typo4) matched no flow\n"
              "netflow: labels: rule r.csv:12 (Typo5) matched no flow");
    // A ground-truth table: a repeated line is kept once, one with a
    // protocol of no number skipped; the lines after keep theirs.
    std::istringstream in(
        "Start time,Last time,Attack category,Attack subcategory,Protocol,Source IP,Source "
        "Port,Destination IP,Destination Port,Attack Name,Attack Reference,.\n"
        "1000,1001,Exploits,,tcp,10.0.9.1,1,10.0.9.2,2,x,-,\n"   // 2
        "1000,1001,Exploits,,tcp,10.0.9.1,1,10.0.9.2,2,x,-,\n"   // 3: kept once
        "1000,1001,Exploits,,ospf,10.0.9.1,1,10.0.9.2,2,x,-,\n"  // 4: skipped
        "1000,1001,Fuzzers,,udp,10.0.9.3,3,10.0.9.4,4,x,-,\n");  // 5
    spec.rules = std::make_shared<const netflow::CompiledLabels>(
        netflow::parseLabelRules(in, "gt.csv", netflow::LabelFormat::UnswNb15, 0));
    FlowFeatures g(nftest::sharedClassifier(), spec);
    const std::string summary = g.labelSummary(true);
    EXPECT_NE(summary.find("rule gt.csv:2 (Exploits) matched no flow\n"), std::string::npos)
        << summary;
    EXPECT_NE(summary.find("rule gt.csv:5 (Fuzzers) matched no flow"), std::string::npos)
        << summary;
}

// A name that is no UTF-8 (a file in Latin-1) reaches Attack as it is
// and the summary escaped: the terminal gets no bytes of another encoding.
TEST_F(LabelFeatures, SummaryEscapesNamesThatAreNoUtf8) {
    LabelSpec spec;
    spec.rules = compile("Exploit-\xe9,10.0.0.2,,,,,,\nTypo-\xe9,10.0.9.9,,,,,,\n");
    FlowFeatures f(nftest::sharedClassifier(), spec);
    EXPECT_EQ(get(f, Column::Attack), "Exploit-\xe9");
    EXPECT_EQ(f.labelSummary(true),
              "netflow: labels: 1 Exploit-\\xe9; 1 of 2 rules matched a flow (r.csv)\n"
              "netflow: labels: rules by flows matched: 1 none, 1 one, 0 2-9, 0 10 or more\n"
              "netflow: labels: rule r.csv:3 (Typo-\\xe9) matched no flow");
}

// The rules file's path as the user gave it, escaped the same way.
TEST_F(LabelFeatures, SummaryEscapesThePath) {
    LabelSpec spec;
    std::istringstream in("attack,src\nA,10.0.0.2\n");
    spec.rules = std::make_shared<const netflow::CompiledLabels>(
        netflow::parseLabelRules(in, "rules\x1b[2J.csv", netflow::LabelFormat::CicIds, 0));
    FlowFeatures f(nftest::sharedClassifier(), spec);
    EXPECT_EQ(get(f, Column::Attack), "A");
    EXPECT_EQ(f.labelSummary(false),
              "netflow: labels: 1 A; 1 of 1 rule matched a flow (rules\\x1b[2J.csv)");
}

// Past 65,535 distinct names, a rule keeps its own (AttackNames::kOwnName):
// its flows are counted by rule and its name still reaches Attack and the
// summary.
TEST_F(LabelFeatures, RulesPastTheNameTableCountUnderTheirOwnNames) {
    std::string body;
    for (int i = 0; i < 65536; i++)
        body += "N" + std::to_string(i) + ",172.16." + std::to_string(i / 256) + "." +
                std::to_string(i % 256) + ",,,,,,\n";
    body += "Late,10.0.0.2,,,,,,\n";  // rule 65,537: past the table
    LabelSpec spec;
    spec.rules = compile(body);
    FlowFeatures f(nftest::sharedClassifier(), spec);
    for (int i = 0; i < 2; i++) {
        rec_.first_seen = static_cast<uint64_t>(i);
        EXPECT_EQ(get(f, Column::Attack), "Late");
        EXPECT_EQ(get(f, Column::Label), "1");
    }
    const uint8_t n5[4] = {172, 16, 0, 5};
    std::memcpy(rec_.key.addr_hi, n5, 4);
    rec_.first_seen = 2;
    EXPECT_EQ(get(f, Column::Attack), "N5");
    EXPECT_EQ(f.labelSummary(false),
              "netflow: labels: 2 Late, 1 N5; 2 of 65537 rules matched a flow (r.csv)");
}

TEST_F(LabelFeatures, AnonymizedAddressesAfterLabelling) {
    LabelSpec spec;
    spec.rules = compile("Src2,10.0.0.2,,,,,,,direction=forward\n");
    std::string error;
    spec.anonymize = netflow::anonymizeKey("k", &error);
    FlowFeatures f(nftest::sharedClassifier(), spec);
    EXPECT_EQ(get(f, Column::Attack), "Src2");  // the rules saw 10.0.0.2
    const std::string src = get(f, Column::IPV4_SRC_ADDR), dst = get(f, Column::IPV4_DST_ADDR);
    EXPECT_NE(src, "10.0.0.2");
    EXPECT_NE(dst, "10.0.0.1");
    // 10.0.0.1 and 10.0.0.2 share 30 bits: so do their pseudonyms.
    auto bits = [](const std::string &text) {
        uint8_t b[4];
        EXPECT_EQ(inet_pton(AF_INET, text.c_str(), b), 1);
        return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
    };
    EXPECT_EQ((bits(src) ^ bits(dst)) >> 2, 0u);
    EXPECT_NE(bits(src), bits(dst));
    FlowFeatures plain(nftest::sharedClassifier(), LabelSpec{});
    EXPECT_EQ(get(plain, Column::IPV4_SRC_ADDR), "10.0.0.2");
}

}  // namespace
