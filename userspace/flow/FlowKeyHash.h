// The hash of a canonical flow key, for every userspace table keyed by it.
#pragma once

#include <cstdint>
#include <cstring>

#include "flow_types.h"

namespace netflow {

// Five 64-bit words mixed multiplicatively; the key has no padding
// (flow/LayoutChecks.cpp), so its bytes are its identity.
inline uint32_t hashFlowKey(const nf_flow_key &key) {
    static_assert(sizeof(nf_flow_key) == 40);
    uint64_t words[5];
    std::memcpy(words, &key, sizeof(words));
    uint64_t h = 0x9E3779B97F4A7C15ULL;
    for (uint64_t w : words) {
        h ^= w;
        h *= 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
    }
    h *= 0x94D049BB133111EBULL;
    return static_cast<uint32_t>(h >> 32);
}

inline bool sameFlowKey(const nf_flow_key &a, const nf_flow_key &b) {
    return std::memcmp(&a, &b, sizeof(a)) == 0;
}

}  // namespace netflow
