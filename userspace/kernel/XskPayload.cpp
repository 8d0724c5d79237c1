#include "kernel/XskPayload.h"

#include <cstring>

#include "flow_key.h"
#include "payload_budget.h"
#include "packet_parse.h"

namespace netflow {
namespace {

// An AF_XDP descriptor does not say whether metadata came with the frame,
// so everything in it is checked before anything is believed.
bool plausible(const nf_xsk_meta &meta) {
    return meta.magic == NF_XSK_META_MAGIC &&
           nf_payload_header_valid(meta.want, meta.dir, meta.payload_index);
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

    // Parsed once, by the core, as the kernel parsed it (Ethernet, VLAN
    // tags, PPPoE/MPLS, then IP): the key, and the packet handed on, the
    // same as a ring copy of the frame gives the classifier.
    const uint8_t *begin = frame.data();
    const uint8_t *l3 = nullptr;
    nf_packet &pkt = out.packet;
    std::memset(&pkt, 0, sizeof(pkt));
    if (nf_parse_frame(begin, begin + frame.size(), &l3, &pkt) != NF_PARSE_OK)
        return XskFrameStatus::NotParsed;

    nf_rec_payload &rec = out.rec;
    std::memset(&rec, 0, sizeof(rec));
    rec.hdr.type = NF_REC_PAYLOAD;
    rec.time_us = meta.time_us;
    rec.flow_first_us = meta.flow_first_us;
    nf_flow_key_from_packet(&pkt, &rec.key);
    rec.payload_index = meta.payload_index;
    const uint32_t l3_off = static_cast<uint32_t>(l3 - begin);
    rec.datagram_len = nf_datagram_len(static_cast<uint32_t>(frame.size()), l3_off, pkt.ip_len);
    rec.cap_len = nf_payload_cap(rec.datagram_len);
    rec.want = meta.want;
    rec.dir = meta.dir;
    if (!nf_payload_record_valid(&rec))
        return XskFrameStatus::NotParsed;
    // A datagram longer than a ring copy carries (not from a NIC: AF_XDP
    // frames are smaller) is parsed again from the bytes a copy would hold.
    if (rec.cap_len < rec.datagram_len) {
        std::memset(&pkt, 0, sizeof(pkt));
        if (nf_parse_frame(begin, l3 + rec.cap_len, &l3, &pkt) != NF_PARSE_OK)
            return XskFrameStatus::NotParsed;
    }
    out.l3 = frame.subspan(l3_off, rec.cap_len);
    return XskFrameStatus::Ok;
}

}  // namespace netflow
