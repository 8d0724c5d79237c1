#include "export/FieldTable.h"

namespace netflow {
namespace {

constexpr ExportField iana(uint16_t id, uint16_t length, FieldType type = FieldType::Unsigned) {
    return {id, false, length, type};
}
constexpr ExportField ntop(uint16_t id, uint16_t length, FieldType type = FieldType::Unsigned) {
    return {id, true, length, type};
}

}  // namespace

std::optional<ExportField> exportField(Column column, int ip_version) {
    const bool v6 = ip_version == 6;
    switch (column) {
        case Column::IPV4_SRC_ADDR:
            return v6 ? iana(27, 16, FieldType::Address) : iana(8, 4, FieldType::Address);
        case Column::IPV4_DST_ADDR:
            return v6 ? iana(28, 16, FieldType::Address) : iana(12, 4, FieldType::Address);
        case Column::L4_SRC_PORT:
            return iana(7, 2);
        case Column::L4_DST_PORT:
            return iana(11, 2);
        case Column::PROTOCOL:
            return iana(4, 1);
        case Column::L7_PROTO:
            return ntop(118, 2, FieldType::L7Proto);
        case Column::IN_BYTES:
            return iana(1, 8);
        case Column::IN_PKTS:
            return iana(2, 8);
        case Column::OUT_BYTES:
            return iana(23, 8);
        case Column::OUT_PKTS:
            return iana(24, 8);
        case Column::TCP_FLAGS:
            return iana(6, 1);
        case Column::CLIENT_TCP_FLAGS:
            return ntop(78, 1);
        case Column::SERVER_TCP_FLAGS:
            return ntop(79, 1);
        case Column::FLOW_DURATION_MILLISECONDS:
            return iana(161, 4);
        case Column::DURATION_IN:
            return ntop(391, 4);
        case Column::DURATION_OUT:
            return ntop(392, 4);
        case Column::MIN_TTL:
            return iana(52, 1);
        case Column::MAX_TTL:
            return iana(53, 1);
        case Column::LONGEST_FLOW_PKT:
            return ntop(107, 2);
        case Column::SHORTEST_FLOW_PKT:
            return ntop(108, 2);
        case Column::MIN_IP_PKT_LEN:
            return iana(25, 2);
        case Column::MAX_IP_PKT_LEN:
            return iana(26, 2);
        case Column::SRC_TO_DST_SECOND_BYTES:
            return ntop(472, 8, FieldType::Float64);
        case Column::DST_TO_SRC_SECOND_BYTES:
            return ntop(473, 8, FieldType::Float64);
        case Column::RETRANSMITTED_IN_BYTES:
            return ntop(127, 4);
        case Column::RETRANSMITTED_IN_PKTS:
            return ntop(109, 4);
        case Column::RETRANSMITTED_OUT_BYTES:
            return ntop(128, 4);
        case Column::RETRANSMITTED_OUT_PKTS:
            return ntop(110, 4);
        case Column::SRC_TO_DST_AVG_THROUGHPUT:
            return ntop(84, 4);
        case Column::DST_TO_SRC_AVG_THROUGHPUT:
            return ntop(87, 4);
        case Column::NUM_PKTS_UP_TO_128_BYTES:
            return ntop(88, 4);
        case Column::NUM_PKTS_128_TO_256_BYTES:
            return ntop(89, 4);
        case Column::NUM_PKTS_256_TO_512_BYTES:
            return ntop(90, 4);
        case Column::NUM_PKTS_512_TO_1024_BYTES:
            return ntop(91, 4);
        case Column::NUM_PKTS_1024_TO_1514_BYTES:
            return ntop(92, 4);
        case Column::TCP_WIN_MAX_IN:
            return ntop(416, 2);
        case Column::TCP_WIN_MAX_OUT:
            return ntop(420, 2);
        case Column::ICMP_TYPE:  // icmpTypeCodeIPv4 / icmpTypeCodeIPv6
            return v6 ? iana(139, 2) : iana(32, 2);
        case Column::ICMP_IPV4_TYPE:  // icmpTypeIPv4 / icmpTypeIPv6
            return v6 ? iana(178, 1) : iana(176, 1);
        case Column::DNS_QUERY_ID:
            return ntop(206, 2);
        case Column::DNS_QUERY_TYPE:
            return ntop(207, 2);
        case Column::DNS_TTL_ANSWER:
            return ntop(352, 4);
        case Column::FTP_COMMAND_RET_CODE:
            return ntop(359, 2);
        case Column::FLOW_START_MILLISECONDS:
            return iana(152, 8);
        case Column::FLOW_END_MILLISECONDS:
            return iana(153, 8);
        case Column::SRC_TO_DST_IAT_MIN:
            return ntop(531, 4);
        case Column::SRC_TO_DST_IAT_MAX:
            return ntop(532, 4);
        case Column::SRC_TO_DST_IAT_AVG:
            return ntop(533, 4);
        case Column::SRC_TO_DST_IAT_STDDEV:
            return ntop(534, 4);
        case Column::DST_TO_SRC_IAT_MIN:
            return ntop(535, 4);
        case Column::DST_TO_SRC_IAT_MAX:
            return ntop(536, 4);
        case Column::DST_TO_SRC_IAT_AVG:
            return ntop(537, 4);
        case Column::DST_TO_SRC_IAT_STDDEV:
            return ntop(538, 4);
        case Column::L7_PROTO_NAME:
            return ntop(119, 32, FieldType::String);
        case Column::SERVER_NAME:
            return ntop(122, 64, FieldType::String);
        case Column::Label:
        case Column::Attack:
            return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace netflow
