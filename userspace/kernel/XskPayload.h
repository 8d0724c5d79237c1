// tap capture: a frame an AF_XDP socket received, turned into the payload
// record the host capture's ring would have carried for it, so that the
// engine takes both paths' packets through one door
// (EventHandler::onPayload).
//
// The XDP program puts struct nf_xsk_meta right in front of the frame
// (netflow_payload_copy.h): what the packet's payload record would say minus
// what the frame itself tells. The key, the lengths and the packet handed
// on come from one parse of the frame by the core (nf_parse_frame), which
// gives what EventRing::parsePayload gets from a ring copy of it.
#pragma once

#include <cstdint>
#include <span>

#include "netflow_kern_user.h"

namespace netflow {

enum class XskFrameStatus {
    Ok,
    BadMetadata,  // no nf_xsk_meta in front: no magic, or want/dir out of range
    NotParsed,    // the frame does not parse as an IP packet that forms a flow
};

struct XskPayload {
    nf_rec_payload rec;           // as the payload ring would carry it
    nf_packet packet;             // the core's parse of the frame, as EventRing hands it on
    std::span<const uint8_t> l3;  // rec.cap_len bytes from the IP header, inside the frame
};

// headroom: the bytes in front of the frame (its metadata is the last
// sizeof(nf_xsk_meta) of them); frame: the frame from its Ethernet header.
// out.l3 points into `frame`.
XskFrameStatus decodeXskFrame(std::span<const uint8_t> headroom, std::span<const uint8_t> frame,
                              XskPayload &out);

}  // namespace netflow
