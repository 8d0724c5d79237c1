// The command line's edge cases (issue 14, item 9): each is a usage error
// (exit 2, one line) or has a documented meaning (docs/decisions.md,
// "Hardening").
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "cli/CommandLine.h"

namespace {

using netflow::CommandLineExit;
using netflow::Options;

std::variant<Options, CommandLineExit> parse(std::vector<const char *> extra) {
    std::vector<const char *> args = {"netflow", "-f", "in.pcap", "-c"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back("out.csv");
    return netflow::parseCommandLine(static_cast<int>(args.size()), args.data());
}

// A usage error: exit 2, one line, naming `what`.
void expectUsageError(std::vector<const char *> extra, const std::string &what) {
    auto r = parse(extra);
    ASSERT_TRUE(std::holds_alternative<CommandLineExit>(r)) << what << ": accepted";
    const auto &exit = std::get<CommandLineExit>(r);
    EXPECT_EQ(exit.exit_code, netflow::kExitUsage) << exit.text;
    EXPECT_EQ(exit.text.find('\n'), std::string::npos) << exit.text;
    EXPECT_NE(exit.text.find(what), std::string::npos) << exit.text;
}

TEST(CommandLineConsistency, MaxFlowsIsAPositiveWholeNumber) {
    for (const char *bad : {"-1", "-5", "0", "18446744073709551616", "99999999999999999999999",
                            "2.5", "+3", " 3", "3 ", "0x10", ""})
        expectUsageError({"--max-flows", bad}, "--max-flows");
    expectUsageError({"--max-flows=-1"}, "--max-flows");
    auto r = parse({"--max-flows", "18446744073709551615"});
    ASSERT_TRUE(std::holds_alternative<Options>(r));
    EXPECT_EQ(std::get<Options>(r).max_flows, UINT64_MAX);
    r = parse({"--max-flows=7"});
    ASSERT_TRUE(std::holds_alternative<Options>(r));
    EXPECT_EQ(std::get<Options>(r).max_flows, 7u);
}

TEST(CommandLineConsistency, AnEmptyFilterMeansTheSameInBothForms) {
    for (auto args : {std::vector<const char *>{"--filter", ""}, {"--filter="}, {"--filt="}}) {
        auto r = parse(args);
        ASSERT_TRUE(std::holds_alternative<Options>(r)) << std::get<CommandLineExit>(r).text;
        ASSERT_TRUE(std::get<Options>(r).filter.has_value());
        EXPECT_EQ(*std::get<Options>(r).filter, "");
    }
    auto r = parse({"--filter=tcp port 80"});
    ASSERT_TRUE(std::holds_alternative<Options>(r));
    EXPECT_EQ(*std::get<Options>(r).filter, "tcp port 80");
}

TEST(CommandLineConsistency, EmptyValuesAreUsageErrors) {
    expectUsageError({"--dpi-packets", ""}, "--dpi-packets needs a value");
    expectUsageError({"--dpi-packets="}, "--dpi-packets needs a value");
    expectUsageError({"--app-packets", ""}, "--app-packets needs a value");
    expectUsageError({"--attack", ""}, "--attack needs a value");
    expectUsageError({"--attack="}, "--attack needs a value");
    expectUsageError({"--fields", ""}, "--fields needs a value");
    expectUsageError({"--idle-timeout="}, "--idle-timeout needs a value");
}

TEST(CommandLineConsistency, NoLabelContradictsFieldsWithLabelOrAttack) {
    expectUsageError({"--fields", "IN_BYTES,Label,Attack", "--no-label"}, "--no-label");
    expectUsageError({"--fields", "IN_BYTES,attack", "--no-label"}, "--no-label");
    auto r = parse({"--fields", "IN_BYTES", "--no-label"});  // nothing to remove
    ASSERT_TRUE(std::holds_alternative<Options>(r));
    EXPECT_EQ(std::get<Options>(r).columns.size(), 1u);
}

TEST(CommandLineConsistency, AttackNeedsALabelOrAttackColumn) {
    expectUsageError({"--fields", "IN_BYTES", "--attack", "dos"}, "--attack");
    for (const char *fields : {"IN_BYTES,Label", "IN_BYTES,Attack"}) {
        auto r = parse({"--fields", fields, "--attack", "dos"});
        ASSERT_TRUE(std::holds_alternative<Options>(r)) << fields;
        EXPECT_EQ(std::get<Options>(r).attack, "dos");
    }
}

TEST(CommandLineConsistency, AColumnIsSelectedOnce) {
    expectUsageError({"--fields", "IN_BYTES,OUT_BYTES,IN_BYTES"}, "IN_BYTES twice");
    expectUsageError({"--fields", "IN_BYTES,in_bytes"}, "IN_BYTES twice");
    expectUsageError({"--fields", "Timestamp,FLOW_START_MILLISECONDS"},
                     "FLOW_START_MILLISECONDS twice");
    expectUsageError({"--fields", "Src IP,IPV4_SRC_ADDR"}, "IPV4_SRC_ADDR twice");
}

}  // namespace
