// --labels, --labels-format, --labels-tz and --anonymize on the command
// line: the rules read before anything else (exit 2 with file:line:column),
// the options that need --labels, and the earlier tool's prefixes (--labe
// still means --label, --c still --csv) now that newer flags share them.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <variant>
#include <vector>

#include "cli/CommandLine.h"

namespace {

using netflow::CommandLineExit;
using netflow::Options;

std::variant<Options, CommandLineExit> parse(std::vector<const char *> args) {
    args.insert(args.begin(), "netflow");
    return netflow::parseCommandLine(static_cast<int>(args.size()), args.data());
}

std::string usageError(std::vector<const char *> args) {
    auto r = parse(std::move(args));
    if (auto *exit = std::get_if<CommandLineExit>(&r)) {
        EXPECT_EQ(exit->exit_code, netflow::kExitUsage);
        return exit->text;
    }
    return "(accepted)";
}

std::string writeRules(const std::string &name, const std::string &text) {
    const std::string path = testing::TempDir() + "/" + name;
    std::ofstream(path) << text;
    return path;
}

TEST(LabelOptions, RulesAreReadAndCompiled) {
    const std::string rules = writeRules("ok.csv", "attack,src\nScan,10.0.0.0/8\n");
    auto r = parse({"-f", "in.pcap", "-c", "--labels", rules.c_str(), "--labels-tz", "-03:00",
                    "--anonymize", "k", "out.csv"});
    ASSERT_TRUE(std::holds_alternative<Options>(r));
    const Options &o = std::get<Options>(r);
    ASSERT_TRUE(o.labels);
    EXPECT_EQ(o.labels->ruleCount(), 1u);
    EXPECT_TRUE(o.anonymize);
}

TEST(LabelOptions, BadFileIsOneUsageErrorNamingFileLineColumn) {
    const std::string rules = writeRules("bad.csv", "attack,src,dport\nA,10.0.0.1,80\nB,,x\n");
    EXPECT_EQ(usageError({"-f", "in.pcap", "-c", "--labels", rules.c_str(), "out.csv"}),
              "netflow: error: --labels: " + rules +
                  ":3:4: 'x' is not a port or a range a-b of ports 0-65535");
}

TEST(LabelOptions, OptionsThatNeedLabels) {
    const std::string rules = writeRules("ok2.csv", "attack\nA\n");
    EXPECT_NE(usageError({"-f", "in.pcap", "-c", "--labels-tz", "+01:00", "out.csv"})
                  .find("apply to --labels only"),
              std::string::npos);
    EXPECT_NE(usageError({"-f", "in.pcap", "-c", "--labels-format", "unsw-nb15", "out.csv"})
                  .find("apply to --labels only"),
              std::string::npos);
    EXPECT_NE(usageError(
                  {"-f", "in.pcap", "-c", "--labels", rules.c_str(), "--labels-tz", "3", "out.csv"})
                  .find("--labels-tz '3' is not a UTC offset"),
              std::string::npos);
    EXPECT_NE(usageError({"-f", "in.pcap", "-c", "--labels", rules.c_str(), "--labels-format",
                          "unsw-nb15", "--labels-tz", "+01:00", "out.csv"})
                  .find("does not apply to unsw-nb15"),
              std::string::npos);
    EXPECT_NE(
        usageError({"-f", "in.pcap", "-c", "--labels", rules.c_str(), "--no-label", "out.csv"})
            .find("--no-label removes"),
        std::string::npos);
    EXPECT_NE(usageError({"-f", "in.pcap", "-c", "--labels", rules.c_str(), "--fields", "Src IP",
                          "out.csv"})
                  .find("needs the Label or Attack column"),
              std::string::npos);
    EXPECT_NE(usageError({"-f", "in.pcap", "-c", "--anonymize", "", "out.csv"})
                  .find("--anonymize needs a value, not ''"),
              std::string::npos);
}

TEST(LabelOptions, EarlierToolPrefixesStillResolve) {
    auto r = parse({"-f", "in.pcap", "--c", "--labe", "out.csv"});
    ASSERT_TRUE(std::holds_alternative<Options>(r));
    EXPECT_EQ(std::get<Options>(r).output_kind, netflow::OutputKind::Csv);
    // Among newer flags only, a shared prefix stays ambiguous.
    EXPECT_NE(usageError({"-f", "in.pcap", "-c", "--labels-", "x", "out.csv"}).find("ambiguous"),
              std::string::npos);
}

}  // namespace
