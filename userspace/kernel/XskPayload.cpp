#include "kernel/XskPayload.h"

#include <cstring>

#include "flow_key.h"
#include "flow_payload.h"
#include "kernel/EventRing.h"
#include "packet_parse.h"

namespace netflow {
namespace {

// An AF_XDP descriptor does not say whether metadata came with the frame,
// so everything in it is checked before anything is believed.
bool plausible(const nf_xsk_meta &meta) {
    return meta.magic == NF_XSK_META_MAGIC && meta.want != 0 &&
           (meta.want & ~(NF_WANT_DPI | NF_WANT_APP)) == 0 &&
           (meta.dir == NF_DIR_IN || meta.dir == NF_DIR_OUT) && meta.payload_index != 0;
}

}  // namespace

XskFrameStatus decodeXskFrame(std::span<const uint8_t> headroom, std::span<const uint8_t> frame,
                              XskPayload &out) {
    nf_xsk_meta meta;
    if (headroom.size() < sizeof(meta))
        return XskFrameStatus::BadMetadata;
    std::memcpy(&meta, headroom.data() + headroom.size() - sizeof(meta), sizeof(meta));
    if (!plausible(meta))
        return XskFrameStatus::BadMetadata;

    // The key, from the frame as the kernel parsed it (Ethernet, VLAN tags,
    // PPPoE/MPLS, then IP).
    const uint8_t *begin = frame.data();
    const uint8_t *end = begin + frame.size();
    const uint8_t *l3 = nullptr;
    uint16_t ethertype = 0;
    nf_packet pkt;
    std::memset(&pkt, 0, sizeof(pkt));
    if (nf_parse_ethernet(begin, end, &l3, &ethertype, &pkt.vlan_id) < 0 ||
        nf_parse_l3(l3, end, ethertype, &pkt) != NF_PARSE_OK)
        return XskFrameStatus::NotParsed;

    nf_rec_payload &rec = out.rec;
    std::memset(&rec, 0, sizeof(rec));
    rec.hdr.type = NF_REC_PAYLOAD;
    rec.time_us = meta.time_us;
    rec.flow_first_us = meta.flow_first_us;
    nf_flow_key_from_packet(&pkt, &rec.key);
    rec.payload_index = meta.payload_index;
    // The lengths as the kernel sets them for a ring copy
    // (nf_payload_lengths): up to the IP length, no Ethernet padding.
    const uint32_t l3_off = static_cast<uint32_t>(l3 - begin);
    uint32_t datagram = static_cast<uint32_t>(frame.size()) - l3_off;
    if (datagram > pkt.ip_len)
        datagram = pkt.ip_len;
    rec.datagram_len = datagram;
    rec.cap_len = datagram < NF_PAYLOAD_COPY_MAX ? datagram : NF_PAYLOAD_COPY_MAX;
    rec.want = meta.want;
    rec.dir = meta.dir;
    if (rec.cap_len == 0)
        return XskFrameStatus::NotParsed;

    // The packet handed on is parsed from exactly the bytes a ring copy
    // would carry, by the ring's own parse: both paths give the classifier
    // the same input.
    out.l3 = frame.subspan(l3_off, rec.cap_len);
    if (!EventRing::parsePayload(rec, out.l3, out.packet))
        return XskFrameStatus::NotParsed;
    return XskFrameStatus::Ok;
}

}  // namespace netflow
