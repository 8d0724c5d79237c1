// --fields and --version through the command line (docs/spec/CLI.md): exactly the
// named columns in the given order, the header repeating the names as
// given; an unknown name is a usage error (exit 2) that lists the valid
// names; the default set of each version with Label/Attack unless
// --no-label.
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "cli/CommandLine.h"

namespace {

using netflow::Column;
using netflow::CommandLineExit;
using netflow::Options;

std::variant<Options, CommandLineExit> parse(std::vector<const char *> args) {
    args.insert(args.begin(), "netflow");
    return netflow::parseCommandLine(static_cast<int>(args.size()), args.data());
}

std::vector<std::string> headers(const Options &o) {
    std::vector<std::string> out;
    for (const auto &c : o.columns)
        out.push_back(c.header);
    return out;
}

TEST(FieldsOption, NamesAndAliasesInTheGivenOrder) {
    auto r = parse({"-f", "in.pcap", "-c", "--fields",
                    "Src IP, src port,DST IP,Dst Port, protocol, Timestamp, l7_proto, Label",
                    "out.csv"});
    ASSERT_TRUE(std::holds_alternative<Options>(r));
    const Options &o = std::get<Options>(r);
    const std::vector<Column> expected = {Column::IPV4_SRC_ADDR, Column::L4_SRC_PORT,
                                          Column::IPV4_DST_ADDR, Column::L4_DST_PORT,
                                          Column::PROTOCOL,      Column::FLOW_START_MILLISECONDS,
                                          Column::L7_PROTO,      Column::Label};
    ASSERT_EQ(o.columns.size(), expected.size());
    for (size_t i = 0; i < expected.size(); i++)
        EXPECT_EQ(o.columns[i].column, expected[i]) << i;
    EXPECT_EQ(headers(o), (std::vector<std::string>{"Src IP", "src port", "DST IP", "Dst Port",
                                                    "protocol", "Timestamp", "l7_proto", "Label"}));
}

TEST(FieldsOption, UnknownNameIsAUsageErrorListingValidNames) {
    auto r = parse({"-f", "in.pcap", "-c", "--fields", "IN_BYTES,BOGUS_FIELD", "out.csv"});
    ASSERT_TRUE(std::holds_alternative<CommandLineExit>(r));
    const auto &e = std::get<CommandLineExit>(r);
    EXPECT_EQ(e.exit_code, 2);
    EXPECT_NE(e.text.find("BOGUS_FIELD"), std::string::npos);
    EXPECT_NE(e.text.find("FLOW_DURATION_MILLISECONDS"), std::string::npos);
    EXPECT_EQ(e.text.find('\n'), std::string::npos);  // one line
}

TEST(FieldsOption, VersionDefaultsWithAndWithoutLabels) {
    auto count = [](std::vector<const char *> extra) -> size_t {
        std::vector<const char *> args = {"-f", "in.pcap", "-c"};
        args.insert(args.end(), extra.begin(), extra.end());
        args.push_back("out.csv");
        auto r = parse(args);
        return std::holds_alternative<Options>(r) ? std::get<Options>(r).columns.size() : 0;
    };
    EXPECT_EQ(count({}), 45u);  // v2: 43 + Label, Attack
    EXPECT_EQ(count({"--version", "1"}), 14u);
    EXPECT_EQ(count({"--version", "3"}), 55u);
    EXPECT_EQ(count({"--version", "1", "--no-label"}), 12u);
    EXPECT_EQ(count({"--version", "3", "--no-label"}), 53u);
}

TEST(FieldsOption, BadVersionIsAUsageError) {
    for (const char *v : {"0", "4"}) {
        auto r = parse({"-f", "in.pcap", "-c", "--version", v, "out.csv"});
        ASSERT_TRUE(std::holds_alternative<CommandLineExit>(r)) << v;
        EXPECT_EQ(std::get<CommandLineExit>(r).exit_code, 2) << v;
    }
}

}  // namespace
