#include "features/Columns.h"

#include "common/Text.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace netflow {
namespace {

constexpr std::array<std::string_view, kColumnCount> kNames = {
    "IPV4_SRC_ADDR",
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
    "FTP_COMMAND_RET_CODE",
    "FLOW_START_MILLISECONDS",
    "FLOW_END_MILLISECONDS",
    "SRC_TO_DST_IAT_MIN",
    "SRC_TO_DST_IAT_MAX",
    "SRC_TO_DST_IAT_AVG",
    "SRC_TO_DST_IAT_STDDEV",
    "DST_TO_SRC_IAT_MIN",
    "DST_TO_SRC_IAT_MAX",
    "DST_TO_SRC_IAT_AVG",
    "DST_TO_SRC_IAT_STDDEV",
    "L7_PROTO_NAME",
    "SERVER_NAME",
    "Label",
    "Attack",
};

struct Alias {
    std::string_view name;
    Column column;
};

constexpr std::array<Alias, 6> kAliases = {{
    {"Src IP", Column::IPV4_SRC_ADDR},
    {"Dst IP", Column::IPV4_DST_ADDR},
    {"Src Port", Column::L4_SRC_PORT},
    {"Dst Port", Column::L4_DST_PORT},
    {"Protocol", Column::PROTOCOL},
    {"Timestamp", Column::FLOW_START_MILLISECONDS},
}};

using enum Column;

// NF-v1: the 12 features of Sarhan et al.
constexpr std::array kV1 = {IPV4_SRC_ADDR, L4_SRC_PORT, IPV4_DST_ADDR, L4_DST_PORT,
                            PROTOCOL,      L7_PROTO,    IN_BYTES,      IN_PKTS,
                            OUT_BYTES,     OUT_PKTS,    TCP_FLAGS,     FLOW_DURATION_MILLISECONDS};

// NF-v2 and NF-v3 are contiguous runs of the enum: v2 ends at
// FTP_COMMAND_RET_CODE, v3 at DST_TO_SRC_IAT_STDDEV.
constexpr auto kAllFeatures = [] {
    std::array<Column, static_cast<size_t>(DST_TO_SRC_IAT_STDDEV) + 1> all{};
    for (size_t i = 0; i < all.size(); i++)
        all[i] = static_cast<Column>(i);
    return all;
}();
constexpr size_t kV2Count = static_cast<size_t>(FTP_COMMAND_RET_CODE) + 1;
constexpr size_t kV3Count = static_cast<size_t>(DST_TO_SRC_IAT_STDDEV) + 1;
static_assert(kV1.size() == 12 && kV2Count == 43 && kV3Count == 53,
              "feature set sizes of docs/spec/FEATURES.md");

}  // namespace

std::string_view columnName(Column column) {
    return kNames[static_cast<size_t>(column)];
}

std::span<const Column> versionColumns(int version) {
    switch (version) {
        case 1:
            return kV1;
        case 2:
            return std::span<const Column>(kAllFeatures.data(), kV2Count);
        default:
            return std::span<const Column>(kAllFeatures.data(), kV3Count);
    }
}

std::optional<Column> columnByName(std::string_view name) {
    name = trim(name);
    for (size_t i = 0; i < kNames.size(); i++) {
        if (equalsIgnoreCase(name, kNames[i]))
            return static_cast<Column>(i);
    }
    for (const Alias &alias : kAliases) {
        if (equalsIgnoreCase(name, alias.name))
            return alias.column;
    }
    return std::nullopt;
}

std::string validColumnNames() {
    std::string out;
    for (std::string_view name : kNames) {
        out += out.empty() ? "" : ", ";
        out += name;
    }
    for (const Alias &alias : kAliases) {
        out += ", ";
        out += alias.name;
    }
    return out;
}

std::optional<std::vector<SelectedColumn>> parseFieldList(std::string_view list,
                                                          std::string *bad_name) {
    std::vector<SelectedColumn> selected;
    while (true) {
        size_t comma = list.find(',');
        std::string_view item = trim(list.substr(0, comma));
        std::optional<Column> column = columnByName(item);
        if (!column) {
            if (bad_name)
                *bad_name = std::string(item);
            return std::nullopt;
        }
        selected.push_back({*column, std::string(item)});
        if (comma == std::string_view::npos)
            break;
        list.remove_prefix(comma + 1);
    }
    return selected;
}

std::vector<SelectedColumn> defaultSelection(int version, bool with_label) {
    std::vector<SelectedColumn> selected;
    for (Column column : versionColumns(version))
        selected.push_back({column, std::string(columnName(column))});
    if (with_label) {
        selected.push_back({Label, "Label"});
        selected.push_back({Attack, "Attack"});
    }
    return selected;
}

}  // namespace netflow
