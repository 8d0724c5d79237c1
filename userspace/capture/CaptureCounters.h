// Where every packet went. Each packet read lands in exactly one bucket,
// so nothing is lost unaccounted: read == counted + the rest.
#pragma once

#include <cstdint>

namespace netflow {

struct CaptureCounters {
    uint64_t read = 0;          // delivered by the source
    uint64_t counted = 0;       // counted on a flow
    uint64_t filtered_out = 0;  // rejected by --filter or the default filter
    uint64_t not_ip = 0;        // passed the filter, but no IPv4/IPv6 header (ARP, ...)
    uint64_t truncated = 0;     // IP header not captured in full
    uint64_t malformed = 0;     // bad IP version, header length or total length
    uint64_t after_limit = 0;   // would have started a flow beyond --max-flows
    // Live only: lost before we could read them (kernel or interface
    // buffers full). Not in `read`: we never saw them.
    uint64_t dropped = 0;

    uint64_t notCounted() const {
        return filtered_out + not_ip + truncated + malformed + after_limit;
    }
};

}  // namespace netflow
