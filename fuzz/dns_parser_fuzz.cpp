// The DNS parser on any payload: the first byte picks UDP or TCP framing,
// the rest is the payload as captured. The fields it returns must stay the
// first decided ones when the same payload is fed again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "app/DnsParser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    const bool over_tcp = data[0] & 1;
    const std::span<const uint8_t> payload(data + 1, size - 1);
    netflow::DnsFields fields;
    netflow::parseDnsMessage(payload, over_tcp, fields);
    const netflow::DnsFields first = fields;
    netflow::parseDnsMessage(payload, over_tcp, fields);
    // Fields once decided never change (DnsParser.h).
    if ((first.have_query && fields.query_id != first.query_id) ||
        (first.have_answer && fields.ttl_answer != first.ttl_answer))
        std::abort();
    return 0;
}
