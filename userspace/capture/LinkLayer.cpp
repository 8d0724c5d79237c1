#include "capture/LinkLayer.h"

#include <pcap/dlt.h>
#include <pcap/pcap.h>

#include "packet_parse.h"

namespace netflow {
namespace {

uint16_t le16(const uint8_t *p) {
    return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
uint32_t le32(const uint8_t *p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// The IP version nibble decides, for link types that carry bare IP.
bool rawIp(const uint8_t *p, const uint8_t *end, L3Location &out) {
    if (p >= end)
        return false;
    out.l3 = p;
    out.ethertype = (p[0] >> 4) == 6 ? NF_ETH_P_IPV6 : NF_ETH_P_IPV4;
    return true;
}

// An EtherType-tagged payload at p, possibly VLAN-tagged, PPPoE or MPLS.
bool withEthertype(const uint8_t *p, const uint8_t *end, uint16_t type, L3Location &out) {
    out.ethertype = type;
    if (nf_skip_encapsulation(&p, end, &out.ethertype, &out.vlan_id) < 0)
        return false;
    out.l3 = p;
    return true;
}

uint16_t pppToEthertype(uint16_t ppp) {
    switch (ppp) {
        case NF_PPP_IPV4:
            return NF_ETH_P_IPV4;
        case NF_PPP_IPV6:
            return NF_ETH_P_IPV6;
        default:
            return 0;
    }
}

bool ppp(const uint8_t *p, const uint8_t *end, L3Location &out) {
    if (p + 2 <= end && p[0] == 0xFF && p[1] == 0x03)  // HDLC address/control
        p += 2;
    if (p + 1 > end)
        return false;
    uint16_t proto;
    if (p[0] & 1) {  // protocol-field compression: one byte
        proto = p[0];
        p += 1;
    } else {
        if (p + 2 > end)
            return false;
        proto = nf_load_be16(p);
        p += 2;
    }
    out.l3 = p;
    out.ethertype = pppToEthertype(proto);
    return true;
}

// 802.11 data frames with an LLC/SNAP header; others are not IP.
bool ieee80211(const uint8_t *p, const uint8_t *end, L3Location &out) {
    if (p + 24 > end)
        return false;
    uint8_t fc0 = p[0], fc1 = p[1];
    if (((fc0 >> 2) & 3) != 2 || (fc1 & 0x40))  // not data, or protected
        return false;
    size_t hdr = 24;
    if ((fc1 & 3) == 3)  // to-DS and from-DS: a fourth address
        hdr += 6;
    if (fc0 & 0x80) {  // QoS data
        hdr += 2;
        if (fc1 & 0x80)  // +HTC
            hdr += 4;
    }
    if ((fc0 >> 4) & 4)  // "null" data subtypes carry nothing
        return false;
    const uint8_t *llc = p + hdr;
    if (llc + 8 > end || llc[0] != 0xAA || llc[1] != 0xAA || llc[2] != 0x03)
        return false;
    return withEthertype(llc + 8, end, nf_load_be16(llc + 6), out);
}

bool locate(int dlt, const uint8_t *p, const uint8_t *end, L3Location &out, int depth) {
    switch (dlt) {
        case DLT_EN10MB:
            return nf_parse_ethernet(p, end, &out.l3, &out.ethertype, &out.vlan_id) == 0;
        case DLT_RAW:
        case DLT_IPV4:
        case DLT_IPV6:
            return rawIp(p, end, out);
        case DLT_LINUX_SLL:
            if (p + 16 > end)
                return false;
            return withEthertype(p + 16, end, nf_load_be16(p + 14), out);
        case DLT_LINUX_SLL2:
            if (p + 20 > end)
                return false;
            return withEthertype(p + 20, end, nf_load_be16(p), out);
        case DLT_NULL:
        case DLT_LOOP: {
            if (p + 4 > end)
                return false;
            // DLT_NULL's family is in the writer's byte order; accept both.
            uint32_t family = dlt == DLT_LOOP ? nf_load_be32(p) : le32(p);
            if (dlt == DLT_NULL && family > 0xFFFF)
                family = nf_load_be32(p);
            out.l3 = p + 4;
            out.ethertype = family == 2                                      ? NF_ETH_P_IPV4
                            : (family == 24 || family == 28 || family == 30) ? NF_ETH_P_IPV6
                                                                             : 0;
            return true;
        }
        case DLT_PPP:
        case DLT_PPP_SERIAL:
            return ppp(p, end, out);
        case DLT_C_HDLC:
            if (p + 4 > end)
                return false;
            return withEthertype(p + 4, end, nf_load_be16(p + 2), out);
        case DLT_IEEE802_11:
            return ieee80211(p, end, out);
        case DLT_IEEE802_11_RADIO: {
            if (p + 4 > end)
                return false;
            uint16_t len = le16(p + 2);
            return p + len <= end && ieee80211(p + len, end, out);
        }
        case DLT_PPI: {
            if (p + 8 > end || depth > 0)
                return false;
            uint16_t len = le16(p + 2);
            int inner = static_cast<int>(le32(p + 4));
            return p + len <= end && locate(inner, p + len, end, out, depth + 1);
        }
        default:
            return false;
    }
}

}  // namespace

bool isSupportedLinkType(int dlt) {
    switch (dlt) {
        case DLT_EN10MB:
        case DLT_RAW:
        case DLT_IPV4:
        case DLT_IPV6:
        case DLT_LINUX_SLL:
        case DLT_LINUX_SLL2:
        case DLT_NULL:
        case DLT_LOOP:
        case DLT_PPP:
        case DLT_PPP_SERIAL:
        case DLT_C_HDLC:
        case DLT_IEEE802_11:
        case DLT_IEEE802_11_RADIO:
        case DLT_PPI:
            return true;
        default:
            return false;
    }
}

std::string linkTypeName(int dlt) {
    const char *name = pcap_datalink_val_to_name(dlt);
    const char *desc = pcap_datalink_val_to_description(dlt);
    std::string out = name ? name : "DLT " + std::to_string(dlt);
    if (desc)
        out += std::string(" (") + desc + ")";
    return out;
}

bool locateL3(int dlt, const uint8_t *frame, const uint8_t *end, L3Location &out) {
    out = L3Location{};
    return locate(dlt, frame, end, out, 0);
}

}  // namespace netflow
