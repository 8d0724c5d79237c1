// The output columns of docs/spec/FEATURES.md: their names, the default sets of each
// feature-set version, and the names --fields accepts.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netflow {

// Every column the program can write. The order here is the NF-v3 order;
// each version's default set is a prefix-shaped subset (Columns.cpp).
enum class Column : uint8_t {
    IPV4_SRC_ADDR,
    L4_SRC_PORT,
    IPV4_DST_ADDR,
    L4_DST_PORT,
    PROTOCOL,
    L7_PROTO,
    IN_BYTES,
    IN_PKTS,
    OUT_BYTES,
    OUT_PKTS,
    TCP_FLAGS,
    CLIENT_TCP_FLAGS,
    SERVER_TCP_FLAGS,
    FLOW_DURATION_MILLISECONDS,
    DURATION_IN,
    DURATION_OUT,
    MIN_TTL,
    MAX_TTL,
    LONGEST_FLOW_PKT,
    SHORTEST_FLOW_PKT,
    MIN_IP_PKT_LEN,
    MAX_IP_PKT_LEN,
    SRC_TO_DST_SECOND_BYTES,
    DST_TO_SRC_SECOND_BYTES,
    RETRANSMITTED_IN_BYTES,
    RETRANSMITTED_IN_PKTS,
    RETRANSMITTED_OUT_BYTES,
    RETRANSMITTED_OUT_PKTS,
    SRC_TO_DST_AVG_THROUGHPUT,
    DST_TO_SRC_AVG_THROUGHPUT,
    NUM_PKTS_UP_TO_128_BYTES,
    NUM_PKTS_128_TO_256_BYTES,
    NUM_PKTS_256_TO_512_BYTES,
    NUM_PKTS_512_TO_1024_BYTES,
    NUM_PKTS_1024_TO_1514_BYTES,
    TCP_WIN_MAX_IN,
    TCP_WIN_MAX_OUT,
    ICMP_TYPE,
    ICMP_IPV4_TYPE,
    DNS_QUERY_ID,
    DNS_QUERY_TYPE,
    DNS_TTL_ANSWER,
    FTP_COMMAND_RET_CODE,
    FLOW_START_MILLISECONDS,
    FLOW_END_MILLISECONDS,
    SRC_TO_DST_IAT_MIN,
    SRC_TO_DST_IAT_MAX,
    SRC_TO_DST_IAT_AVG,
    SRC_TO_DST_IAT_STDDEV,
    DST_TO_SRC_IAT_MIN,
    DST_TO_SRC_IAT_MAX,
    DST_TO_SRC_IAT_AVG,
    DST_TO_SRC_IAT_STDDEV,
    // Extras, only when named in --fields.
    L7_PROTO_NAME,
    SERVER_NAME,
    // Labels, appended unless --no-label.
    Label,
    Attack,
};

inline constexpr size_t kColumnCount = static_cast<size_t>(Column::Attack) + 1;

// A column as selected: what to compute and the header text to print.
struct SelectedColumn {
    Column column;
    std::string header;
};

// The canonical NF name of a column, e.g. "IN_BYTES".
std::string_view columnName(Column column);

// The columns of NF-v1/v2/v3 (version 1..3), without Label/Attack.
std::span<const Column> versionColumns(int version);

// A --fields name (case-insensitive, surrounding blanks ignored): NF names,
// the extras, Label, Attack, and the aliases "Src IP", "Dst IP", "Src Port",
// "Dst Port", "Protocol", "Timestamp".
std::optional<Column> columnByName(std::string_view name);

// Every name columnByName accepts, comma-separated, for error messages.
std::string validColumnNames();

// Parses a --fields list. On an unknown name returns nullopt and sets
// *bad_name to it.
std::optional<std::vector<SelectedColumn>> parseFieldList(std::string_view list,
                                                          std::string *bad_name);

// The default selection of a version, with Label and Attack when with_label.
std::vector<SelectedColumn> defaultSelection(int version, bool with_label);

}  // namespace netflow
