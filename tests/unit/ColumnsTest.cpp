// Column sets (docs/spec/FEATURES.md "Columns") and --fields names (docs/spec/CLI.md): v1 12,
// v2 43, v3 53 columns in the contract's order; Label and Attack appended
// unless --no-label; names case-insensitive with the aliases Src IP, Dst IP,
// Src Port, Dst Port, Protocol, Timestamp (= FLOW_START_MILLISECONDS); the
// header repeats the names as given.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "features/Columns.h"

namespace {

using netflow::Column;
using netflow::columnByName;

const std::vector<std::string> kV1 = {"IPV4_SRC_ADDR", "L4_SRC_PORT", "IPV4_DST_ADDR",
                                      "L4_DST_PORT",   "PROTOCOL",    "L7_PROTO",
                                      "IN_BYTES",      "IN_PKTS",     "OUT_BYTES",
                                      "OUT_PKTS",      "TCP_FLAGS",   "FLOW_DURATION_MILLISECONDS"};

// Written out from docs/spec/FEATURES.md, not derived from the enum.
const std::vector<std::string> kV2 = {"IPV4_SRC_ADDR",
                                      "L4_SRC_PORT",
                                      "IPV4_DST_ADDR",
                                      "L4_DST_PORT",
                                      "PROTOCOL",
                                      "L7_PROTO",
                                      "IN_BYTES",
                                      "IN_PKTS",
                                      "OUT_BYTES",
                                      "OUT_PKTS",
                                      "TCP_FLAGS",
                                      "CLIENT_TCP_FLAGS",
                                      "SERVER_TCP_FLAGS",
                                      "FLOW_DURATION_MILLISECONDS",
                                      "DURATION_IN",
                                      "DURATION_OUT",
                                      "MIN_TTL",
                                      "MAX_TTL",
                                      "LONGEST_FLOW_PKT",
                                      "SHORTEST_FLOW_PKT",
                                      "MIN_IP_PKT_LEN",
                                      "MAX_IP_PKT_LEN",
                                      "SRC_TO_DST_SECOND_BYTES",
                                      "DST_TO_SRC_SECOND_BYTES",
                                      "RETRANSMITTED_IN_BYTES",
                                      "RETRANSMITTED_IN_PKTS",
                                      "RETRANSMITTED_OUT_BYTES",
                                      "RETRANSMITTED_OUT_PKTS",
                                      "SRC_TO_DST_AVG_THROUGHPUT",
                                      "DST_TO_SRC_AVG_THROUGHPUT",
                                      "NUM_PKTS_UP_TO_128_BYTES",
                                      "NUM_PKTS_128_TO_256_BYTES",
                                      "NUM_PKTS_256_TO_512_BYTES",
                                      "NUM_PKTS_512_TO_1024_BYTES",
                                      "NUM_PKTS_1024_TO_1514_BYTES",
                                      "TCP_WIN_MAX_IN",
                                      "TCP_WIN_MAX_OUT",
                                      "ICMP_TYPE",
                                      "ICMP_IPV4_TYPE",
                                      "DNS_QUERY_ID",
                                      "DNS_QUERY_TYPE",
                                      "DNS_TTL_ANSWER",
                                      "FTP_COMMAND_RET_CODE"};

const std::vector<std::string> kV3Extra = {
    "FLOW_START_MILLISECONDS", "FLOW_END_MILLISECONDS", "SRC_TO_DST_IAT_MIN", "SRC_TO_DST_IAT_MAX",
    "SRC_TO_DST_IAT_AVG",      "SRC_TO_DST_IAT_STDDEV", "DST_TO_SRC_IAT_MIN", "DST_TO_SRC_IAT_MAX",
    "DST_TO_SRC_IAT_AVG",      "DST_TO_SRC_IAT_STDDEV"};

std::vector<std::string> names(int version) {
    std::vector<std::string> out;
    for (Column c : netflow::versionColumns(version))
        out.emplace_back(netflow::columnName(c));
    return out;
}

std::vector<std::string> headers(const std::vector<netflow::SelectedColumn> &cols) {
    std::vector<std::string> out;
    for (const auto &c : cols)
        out.push_back(c.header);
    return out;
}

TEST(Columns, Version1) {
    EXPECT_EQ(kV1.size(), 12u);
    EXPECT_EQ(names(1), kV1);
}

TEST(Columns, Version2) {
    EXPECT_EQ(kV2.size(), 43u);
    EXPECT_EQ(names(2), kV2);
}

TEST(Columns, Version3) {
    std::vector<std::string> v3 = kV2;
    v3.insert(v3.end(), kV3Extra.begin(), kV3Extra.end());
    EXPECT_EQ(v3.size(), 53u);
    EXPECT_EQ(names(3), v3);
}

TEST(Columns, DefaultSelectionAppendsLabelAndAttack) {
    std::vector<std::string> with = headers(netflow::defaultSelection(2, true));
    ASSERT_EQ(with.size(), 45u);
    EXPECT_EQ(with[43], "Label");
    EXPECT_EQ(with[44], "Attack");
    EXPECT_EQ(std::vector<std::string>(with.begin(), with.begin() + 43), kV2);
    EXPECT_EQ(headers(netflow::defaultSelection(2, false)), kV2);
    EXPECT_EQ(headers(netflow::defaultSelection(1, true)).size(), 14u);
    EXPECT_EQ(headers(netflow::defaultSelection(3, false)).size(), 53u);
}

TEST(FieldNames, CaseInsensitiveAndTrimmed) {
    EXPECT_EQ(columnByName("IN_BYTES"), Column::IN_BYTES);
    EXPECT_EQ(columnByName("in_bytes"), Column::IN_BYTES);
    EXPECT_EQ(columnByName("In_Bytes"), Column::IN_BYTES);
    EXPECT_EQ(columnByName("  IN_BYTES\t"), Column::IN_BYTES);
    EXPECT_EQ(columnByName("dst_to_src_iat_stddev"), Column::DST_TO_SRC_IAT_STDDEV);
    EXPECT_EQ(columnByName("label"), Column::Label);
    EXPECT_EQ(columnByName("ATTACK"), Column::Attack);
    EXPECT_EQ(columnByName("l7_proto_name"), Column::L7_PROTO_NAME);
    EXPECT_EQ(columnByName("Server_Name"), Column::SERVER_NAME);
}

TEST(FieldNames, Aliases) {
    EXPECT_EQ(columnByName("Src IP"), Column::IPV4_SRC_ADDR);
    EXPECT_EQ(columnByName("dst ip"), Column::IPV4_DST_ADDR);
    EXPECT_EQ(columnByName("SRC PORT"), Column::L4_SRC_PORT);
    EXPECT_EQ(columnByName("Dst Port"), Column::L4_DST_PORT);
    EXPECT_EQ(columnByName("protocol"), Column::PROTOCOL);
    EXPECT_EQ(columnByName("Timestamp"), Column::FLOW_START_MILLISECONDS);
    EXPECT_EQ(columnByName("timestamp"), Column::FLOW_START_MILLISECONDS);
}

TEST(FieldNames, Unknown) {
    EXPECT_FALSE(columnByName("IN_BYTE").has_value());
    EXPECT_FALSE(columnByName("").has_value());
    EXPECT_FALSE(columnByName("SrcIP").has_value());
    EXPECT_FALSE(columnByName("IN_BYTES_").has_value());
}

TEST(FieldList, HeadersRepeatTheNamesAsGiven) {
    std::string bad;
    auto cols = netflow::parseFieldList("Src IP, in_bytes,Timestamp ,  Label", &bad);
    ASSERT_TRUE(cols.has_value());
    ASSERT_EQ(cols->size(), 4u);
    EXPECT_EQ((*cols)[0].column, Column::IPV4_SRC_ADDR);
    EXPECT_EQ((*cols)[1].column, Column::IN_BYTES);
    EXPECT_EQ((*cols)[2].column, Column::FLOW_START_MILLISECONDS);
    EXPECT_EQ((*cols)[3].column, Column::Label);
    EXPECT_EQ(headers(*cols),
              (std::vector<std::string>{"Src IP", "in_bytes", "Timestamp", "Label"}));
}

TEST(FieldList, OrderAndRepeatsAreKept) {
    auto cols = netflow::parseFieldList("OUT_PKTS,IN_PKTS,OUT_PKTS", nullptr);
    ASSERT_TRUE(cols.has_value());
    ASSERT_EQ(cols->size(), 3u);
    EXPECT_EQ((*cols)[0].column, Column::OUT_PKTS);
    EXPECT_EQ((*cols)[1].column, Column::IN_PKTS);
    EXPECT_EQ((*cols)[2].column, Column::OUT_PKTS);
}

TEST(FieldList, UnknownNameIsReported) {
    std::string bad;
    EXPECT_FALSE(netflow::parseFieldList("IN_BYTES, NOPE ,OUT_BYTES", &bad).has_value());
    EXPECT_EQ(bad, "NOPE");
    EXPECT_FALSE(netflow::parseFieldList("IN_BYTES,", &bad).has_value());
    EXPECT_EQ(bad, "");
}

TEST(FieldList, ValidNamesListsEveryNameAndAlias) {
    std::string all = netflow::validColumnNames();
    for (const char *n : {"IPV4_SRC_ADDR", "DST_TO_SRC_IAT_STDDEV", "L7_PROTO_NAME", "SERVER_NAME",
                          "Label", "Attack", "Src IP", "Timestamp"})
        EXPECT_NE(all.find(n), std::string::npos) << n;
}

}  // namespace
