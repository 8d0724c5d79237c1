#include "capture/PacketDecoder.h"

#include <cstring>

#include "capture/LinkLayer.h"
#include "packet_parse.h"

namespace netflow {

PacketDecoder::Outcome PacketDecoder::decode(const pcap_pkthdr &header, const uint8_t *frame,
                                             nf_packet &pkt, std::span<const uint8_t> &l3) const {
    if (user_filter_ && !user_filter_->matches(header, frame))
        return Outcome::FilteredOut;

    // Without --filter, a frame that is not IP fails the default filter
    // (`ip and ...`); with one, it passed the user's filter and is "not IP".
    const Outcome not_ip = user_filter_ ? Outcome::NotIp : Outcome::FilteredOut;
    const uint8_t *end = frame + header.caplen;
    L3Location loc;
    if (!locateL3(link_type_, frame, end, loc))
        return not_ip;

    std::memset(&pkt, 0, sizeof(pkt));
    pkt.vlan_id = loc.vlan_id;
    switch (nf_parse_l3(loc.l3, end, loc.ethertype, &pkt)) {
        case NF_PARSE_OK:
            break;
        case NF_PARSE_NOT_IP:
            return not_ip;
        case NF_PARSE_TRUNCATED:
            return Outcome::Truncated;
        default:
            return Outcome::Malformed;
    }
    if (!user_filter_ && !nf_default_filter_pass(&pkt))
        return Outcome::FilteredOut;
    l3 = std::span<const uint8_t>(loc.l3, static_cast<size_t>(end - loc.l3));
    return Outcome::Packet;
}

}  // namespace netflow
