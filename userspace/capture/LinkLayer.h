// Finds the network header in a frame of any link type the corpus and
// common captures use: Ethernet, raw IPv4/IPv6, Linux cooked v1 and v2,
// BSD null/loopback, PPP, Cisco HDLC, and 802.11 behind PPI or radiotap.
#pragma once

#include <cstdint>
#include <string>

namespace netflow {

struct L3Location {
    const uint8_t *l3 = nullptr;
    uint16_t ethertype = 0;  // NF_ETH_P_IPV4 / NF_ETH_P_IPV6 / anything else
    uint16_t vlan_id = 0;    // outer 802.1Q tag, 0 when untagged
};

bool isSupportedLinkType(int dlt);

// "EN10MB (Ethernet)"-style name for messages.
std::string linkTypeName(int dlt);

// False when the link header itself is cut off or is not a data frame;
// the caller counts such packets as not IP.
bool locateL3(int dlt, const uint8_t *frame, const uint8_t *end, L3Location &out);

}  // namespace netflow
