// From a captured frame to the counting core's parsed packet: the user's
// filter on the frame (libpcap semantics) or else the default filter on the
// decoded packet, the link layer, and the shared parser.
#pragma once

#include <pcap/pcap.h>

#include <span>

#include "filter/BpfFilter.h"
#include "flow_types.h"

namespace netflow {

class PacketDecoder {
  public:
    // user_filter: null for the default filter (docs/spec/FEATURES.md).
    PacketDecoder(int link_type, const BpfFilter *user_filter)
        : link_type_(link_type), user_filter_(user_filter) {}

    enum class Outcome { Packet, FilteredOut, NotIp, Truncated, Malformed };

    // On Packet, `pkt` is parsed and `l3` holds the captured bytes from the
    // IP header on.
    Outcome decode(const pcap_pkthdr &header, const uint8_t *frame, nf_packet &pkt,
                   std::span<const uint8_t> &l3) const;

    int linkType() const { return link_type_; }

  private:
    int link_type_;
    const BpfFilter *user_filter_;
};

}  // namespace netflow
