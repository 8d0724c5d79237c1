// The counting core's parser on a hand-built frame (Ethernet link type):
// nf_parse_ethernet + nf_parse_l3, as the kernel programs call them.
#pragma once

#include <cstdint>

#include "PacketBuilder.h"
#include "packet_parse.h"

namespace nftest {

struct CoreParsed {
    int eth_rc = -1;  // nf_parse_ethernet: 0 or -1
    int rc = -1;      // nf_parse_l3: an nf_parse_result
    const uint8_t *l3 = nullptr;
    uint16_t ethertype = 0;
    nf_packet pkt{};
};

inline CoreParsed coreParse(const Frame &f) {
    CoreParsed p;
    p.eth_rc = nf_parse_ethernet(f.data(), f.end(), &p.l3, &p.ethertype, &p.pkt.vlan_id);
    if (p.eth_rc == 0)
        p.rc = nf_parse_l3(p.l3, f.end(), p.ethertype, &p.pkt);
    return p;
}

inline nf_packet corePacket(const PacketBuilder &b) {
    return coreParse(b.build()).pkt;
}

}  // namespace nftest
