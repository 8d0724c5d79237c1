#include "capture/PacketDecoder.h"

#include <cstring>

#include "capture/LinkLayer.h"
#include "packet_parse.h"

namespace netflow {

PacketDecoder::Outcome PacketDecoder::decode(const pcap_pkthdr &header, const uint8_t *frame,
                                             nf_packet &pkt, std::span<const uint8_t> &l3) const {
    if (user_filter_ && !user_filter_->matches(header, frame))
        return Outcome::FilteredOut;

    const uint8_t *end = frame + header.caplen;
    L3Location loc;
    int rc = NF_PARSE_NOT_IP;
    if (locateL3(link_type_, frame, end, loc)) {
        std::memset(&pkt, 0, sizeof(pkt));
        pkt.vlan_id = loc.vlan_id;
        rc = nf_parse_l3(loc.l3, end, loc.ethertype, &pkt);
    }
    if (rc != NF_PARSE_OK) {
        switch (nf_unparsed_bucket(rc, !user_filter_)) {
            case NF_BUCKET_FILTERED_OUT:
                return Outcome::FilteredOut;
            case NF_BUCKET_NOT_IP:
                return Outcome::NotIp;
            case NF_BUCKET_TRUNCATED:
                return Outcome::Truncated;
            default:
                return Outcome::Malformed;
        }
    }
    if (!user_filter_ && !nf_default_filter_pass(&pkt))
        return Outcome::FilteredOut;
    l3 = std::span<const uint8_t>(loc.l3, static_cast<size_t>(end - loc.l3));
    return Outcome::Packet;
}

}  // namespace netflow
