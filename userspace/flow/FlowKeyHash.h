// The hash of a canonical flow key, for every userspace table keyed by it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "flow_types.h"

namespace netflow {

// 64-bit words mixed multiplicatively into 32 bits.
template <size_t N>
inline uint32_t mixWords(uint64_t seed, const uint64_t (&words)[N]) {
    uint64_t h = seed;
    for (uint64_t w : words) {
        h ^= w;
        h *= 0xBF58476D1CE4E5B9ULL;
        h ^= h >> 31;
    }
    h *= 0x94D049BB133111EBULL;
    return static_cast<uint32_t>(h >> 32);
}

// The whole key: it has no padding (flow/LayoutChecks.cpp), so its bytes
// are its identity.
inline uint32_t hashFlowKey(const nf_flow_key &key) {
    static_assert(sizeof(nf_flow_key) == 40);
    uint64_t words[5];
    std::memcpy(words, &key, sizeof(words));
    return mixWords(0x9E3779B97F4A7C15ULL, words);
}

// Only the canonical key's address pair: every flow between two hosts,
// both directions, hashes alike (the threaded pipeline's worker choice).
inline uint32_t hashHostPair(const nf_flow_key &key) {
    static_assert(offsetof(nf_flow_key, addr_hi) == offsetof(nf_flow_key, addr_lo) + 16);
    uint64_t words[4];
    std::memcpy(words, key.addr_lo, sizeof(words));  // addr_lo then addr_hi
    return mixWords(0x9E3779B97F4A7C15ULL ^ key.ip_version, words);
}

inline bool sameFlowKey(const nf_flow_key &a, const nf_flow_key &b) {
    return std::memcmp(&a, &b, sizeof(a)) == 0;
}

}  // namespace netflow
