// The counting core's parse entry on a hand-built frame (Ethernet link
// type): nf_parse_frame, as the kernel programs call it.
#pragma once

#include <cstdint>

#include "PacketBuilder.h"
#include "packet_parse.h"

namespace nftest {

struct CoreParsed {
    int rc = -1;  // nf_parse_frame: an nf_parse_result
    const uint8_t *l3 = nullptr;
    nf_packet pkt{};
    // The link layer alone (nf_parse_ethernet), for its own tests.
    int eth_rc = -1;
    uint16_t ethertype = 0;
};

inline CoreParsed coreParse(const Frame &f) {
    CoreParsed p;
    p.rc = nf_parse_frame(f.data(), f.end(), &p.l3, &p.pkt);
    const uint8_t *l3 = nullptr;
    uint16_t vlan_id = 0;
    p.eth_rc = nf_parse_ethernet(f.data(), f.end(), &l3, &p.ethertype, &vlan_id);
    return p;
}

inline nf_packet corePacket(const PacketBuilder &b) {
    return coreParse(b.build()).pkt;
}

}  // namespace nftest
