#pragma once

#include <cstdint>
#include <span>

namespace netflow {

// Kept small because one lives in every port-53 flow.
struct DnsFields {
    uint16_t query_id = 0;     // DNS_QUERY_ID
    uint16_t query_type = 0;   // DNS_QUERY_TYPE
    uint32_t ttl_answer = 0;   // DNS_TTL_ANSWER
    bool have_query = false;   // the first message with a question has been seen
    bool have_answer = false;  // the first response with answers has been seen (decides the TTL)
};

// One DNS-carrying payload: a UDP payload, or a TCP segment's payload (which starts with the
// 2-byte DNS length prefix; no reassembly across segments). Only `payload` bytes are read: it is
// what was captured. Fields already decided are never changed by later messages.
void parseDnsMessage(std::span<const uint8_t> payload, bool over_tcp, DnsFields &fields);

}  // namespace netflow
