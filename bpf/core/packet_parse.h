/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Packet parsing for the counting core: Ethernet, 802.1Q/802.1ad tags,
 * IPv4 (options, fragments), IPv6 (extension headers, fragments), and the
 * fixed headers of TCP, UDP, ICMP and ICMPv6. The rules are docs/spec/FEATURES.md's
 * "Packet length" and "Malformed and truncated packets".
 *
 * Every read is checked against `end`, the end of the captured bytes; a
 * pointer plus a length is compared with `end` before it is dereferenced,
 * which is the form the verifier understands.
 */
#ifndef PACKET_PARSE_H
#define PACKET_PARSE_H

#include "flow_types.h"

#define NF_ETH_HLEN 14
#define NF_ETH_P_IPV4 0x0800
#define NF_ETH_P_IPV6 0x86DD
#define NF_ETH_P_8021Q 0x8100
#define NF_ETH_P_8021AD 0x88A8
#define NF_ETH_P_QINQ1 0x9100
#define NF_ETH_P_MPLS_UC 0x8847
#define NF_ETH_P_MPLS_MC 0x8848
#define NF_ETH_P_PPPOE_SESSION 0x8864
#define NF_PPP_IPV4 0x0021
#define NF_PPP_IPV6 0x0057

/* Stacked VLAN tags skipped before the EtherType is final: "any VLAN tags"
 * within reason (QinQ is 2; a frame with more is not IP to us). */
#define NF_VLAN_MAX_DEPTH 8
/* IPv6 extension headers walked before giving up on finding L4. */
#define NF_IPV6_EXT_MAX 6
/* MPLS labels skipped before giving up on finding the bottom of the stack. */
#define NF_MPLS_MAX_LABELS 4

enum nf_parse_result {
    NF_PARSE_OK = 0,
    NF_PARSE_NOT_IP,    /* not IPv4/IPv6: counted in statistics only */
    NF_PARSE_TRUNCATED, /* IP header not captured in full: not counted */
    NF_PARSE_MALFORMED, /* bad version, header length or total length */
};

NF_INLINE int nf_is_vlan_ethertype(__u16 type) {
    return type == NF_ETH_P_8021Q || type == NF_ETH_P_8021AD || type == NF_ETH_P_QINQ1;
}

/*
 * Skips VLAN tags that follow an EtherType. On return *pos is the L3 header,
 * *ethertype the final type, and *vlan_id the outer tag's VID (left as is
 * when there is no tag). Returns -1 when a tag is cut off.
 */
NF_INLINE int nf_skip_vlan_tags(const __u8 **pos, const __u8 *end, __u16 *ethertype,
                                __u16 *vlan_id) {
    const __u8 *p = *pos;
    __u16 type = *ethertype;
    int outer = 1;

    NF_UNROLL
    for (int i = 0; i < NF_VLAN_MAX_DEPTH; i++) {
        if (!nf_is_vlan_ethertype(type))
            break;
        if (p + 4 > end)
            return -1;
        if (outer)
            *vlan_id = nf_load_be16(p) & 0x0FFF;
        outer = 0;
        type = nf_load_be16(p + 2);
        p += 4;
    }
    *pos = p;
    *ethertype = type;
    return 0;
}

/*
 * What may sit between the link header and IP: VLAN tags, then a PPPoE
 * session header or an MPLS label stack. IP inside them forms flows like
 * untagged IP (the VLAN ID stays in the key). On return *ethertype is
 * NF_ETH_P_IPV4/IPV6 for IP, something else otherwise. -1: cut off.
 */
NF_INLINE int nf_skip_encapsulation(const __u8 **pos, const __u8 *end, __u16 *ethertype,
                                    __u16 *vlan_id) {
    if (nf_skip_vlan_tags(pos, end, ethertype, vlan_id) < 0)
        return -1;
    const __u8 *p = *pos;

    if (*ethertype == NF_ETH_P_PPPOE_SESSION) {
        /* version/type, code, session id, length, then the PPP protocol */
        if (p + 8 > end)
            return -1;
        __u16 ppp = nf_load_be16(p + 6);
        *ethertype = ppp == NF_PPP_IPV4 ? NF_ETH_P_IPV4 : ppp == NF_PPP_IPV6 ? NF_ETH_P_IPV6 : 0;
        *pos = p + 8;
        return 0;
    }
    if (*ethertype == NF_ETH_P_MPLS_UC || *ethertype == NF_ETH_P_MPLS_MC) {
        int bottom = 0;
        NF_UNROLL
        for (int i = 0; i < NF_MPLS_MAX_LABELS; i++) {
            if (p + 4 > end)
                return -1;
            bottom = p[2] & 1;
            p += 4;
            if (bottom)
                break;
        }
        /* No type field after the stack: the IP version nibble tells. */
        if (!bottom || p + 1 > end) {
            *ethertype = 0;
            return 0;
        }
        __u8 version = p[0] >> 4;
        *ethertype = version == 4 ? NF_ETH_P_IPV4 : version == 6 ? NF_ETH_P_IPV6 : 0;
        *pos = p;
    }
    return 0;
}

/* Ethernet header and what follows it up to IP. *l3 is where the network
 * header starts. */
NF_INLINE int nf_parse_ethernet(const __u8 *data, const __u8 *end, const __u8 **l3,
                                __u16 *ethertype, __u16 *vlan_id) {
    if (data + NF_ETH_HLEN > end)
        return -1;
    *ethertype = nf_load_be16(data + 12);
    *vlan_id = 0;
    *l3 = data + NF_ETH_HLEN;
    return nf_skip_encapsulation(l3, end, ethertype, vlan_id);
}

NF_INLINE int nf_is_ipv6_extension(__u8 nexthdr) {
    /* hop-by-hop, routing, fragment, destination options, mobility */
    return nexthdr == 0 || nexthdr == 43 || nexthdr == 44 || nexthdr == 60 || nexthdr == 135;
}

NF_INLINE __u32 nf_fixed_l4_header_len(__u8 proto) {
    if (proto == NF_IPPROTO_TCP)
        return 20;
    if (proto == NF_IPPROTO_UDP)
        return 8;
    if (proto == NF_IPPROTO_ICMP || proto == NF_IPPROTO_ICMPV6)
        return 4;
    return 0;
}

/*
 * Payload starts `off` bytes after the IP header. Its length comes from the
 * IP length; the bytes parsers may read are only those both captured and
 * inside the IP length (Ethernet padding is never payload), and none when
 * the headers before it were not captured.
 */
NF_INLINE void nf_set_payload(const __u8 *l3, const __u8 *end, __u32 off, int readable,
                              struct nf_packet *pkt) {
    pkt->payload_offset = off;
    pkt->payload_len = pkt->ip_len > off ? pkt->ip_len - off : 0;
    pkt->payload_captured = 0;
    if (readable) {
        __u64 captured = (__u64)(end - l3);
        __u64 ip_end = captured < pkt->ip_len ? captured : pkt->ip_len;
        pkt->payload_captured = ip_end > off ? (__u32)(ip_end - off) : 0;
    }
}

/*
 * Fixed L4 header at l3 + l4_off. Fills ports, TCP fields and ICMP type, and
 * the payload offset/length. A header that is not captured leaves has_l4 0
 * (the packet counts on the flow with ports 0/0).
 */
NF_INLINE void nf_parse_l4(const __u8 *l3, const __u8 *end, __u32 l4_off, struct nf_packet *pkt) {
    const __u8 *l4 = l3 + l4_off;
    __u32 hdr_len = nf_fixed_l4_header_len(pkt->proto);

    /* The header must lie within the IP length as well as the capture:
     * Ethernet padding after a short datagram is not a header. */
    if (hdr_len && l4_off + hdr_len <= pkt->ip_len && l4 + hdr_len <= end) {
        pkt->has_l4 = 1;
        if (pkt->proto == NF_IPPROTO_TCP) {
            if (l4 + 20 > end) /* restated for the verifier */
                return;
            __u32 data_offset = (__u32)(l4[12] >> 4) * 4;
            pkt->sport = nf_load_be16(l4);
            pkt->dport = nf_load_be16(l4 + 2);
            pkt->tcp_seq = nf_load_be32(l4 + 4);
            pkt->tcp_flags = l4[13];
            pkt->tcp_window = nf_load_be16(l4 + 14);
            hdr_len = data_offset < 20 ? 20 : data_offset;
        } else if (pkt->proto == NF_IPPROTO_UDP) {
            if (l4 + 8 > end)
                return;
            pkt->sport = nf_load_be16(l4);
            pkt->dport = nf_load_be16(l4 + 2);
        } else {
            if (l4 + 4 > end)
                return;
            pkt->icmp_type = l4[0];
            pkt->icmp_code = l4[1];
        }
    }

    nf_set_payload(l3, end, l4_off + hdr_len, pkt->has_l4 || hdr_len == 0, pkt);
}

NF_INLINE int nf_parse_ipv4(const __u8 *l3, const __u8 *end, struct nf_packet *pkt) {
    if (l3 + 20 > end)
        return NF_PARSE_TRUNCATED;
    if ((l3[0] >> 4) != 4)
        return NF_PARSE_MALFORMED;
    __u32 ihl = (__u32)(l3[0] & 0x0F) * 4;
    if (ihl < 20)
        return NF_PARSE_MALFORMED;
    if (l3 + ihl > end)
        return NF_PARSE_TRUNCATED;
    __u32 total_len = nf_load_be16(l3 + 2);
    if (total_len < ihl)
        return NF_PARSE_MALFORMED;

    pkt->ip_version = 4;
    pkt->ip_len = total_len;
    pkt->ttl = l3[8];
    pkt->proto = l3[9];
    NF_COPY_WORDS(pkt->saddr, l3 + 12, 1);
    NF_COPY_WORDS(pkt->daddr, l3 + 16, 1);
    if (nf_load_be16(l3 + 6) & 0x1FFF) {
        /* A later fragment carries no L4 header: ports 0/0. */
        pkt->later_fragment = 1;
        nf_set_payload(l3, end, ihl, 1, pkt);
        return NF_PARSE_OK;
    }
    nf_parse_l4(l3, end, ihl, pkt);
    return NF_PARSE_OK;
}

NF_INLINE int nf_parse_ipv6(const __u8 *l3, const __u8 *end, struct nf_packet *pkt) {
    if (l3 + 40 > end)
        return NF_PARSE_TRUNCATED;
    if ((l3[0] >> 4) != 6)
        return NF_PARSE_MALFORMED;

    pkt->ip_version = 6;
    pkt->ip_len = (__u32)nf_load_be16(l3 + 4) + 40;
    pkt->ttl = l3[7];
    NF_COPY_WORDS(pkt->saddr, l3 + 8, 4);
    NF_COPY_WORDS(pkt->daddr, l3 + 24, 4);

    __u8 nexthdr = l3[6];
    __u32 off = 40;
    NF_UNROLL
    for (int i = 0; i < NF_IPV6_EXT_MAX; i++) {
        if (!nf_is_ipv6_extension(nexthdr))
            break;
        const __u8 *ext = l3 + off;
        if (ext + 8 > end || off + 8 > pkt->ip_len) {
            /* The chain is cut off (by the capture or the IP length): the
             * flow is keyed on the header we could not read, no ports. */
            pkt->proto = nexthdr;
            nf_set_payload(l3, end, off, 0, pkt);
            return NF_PARSE_OK;
        }
        if (nexthdr == 44) {
            __u16 frag_offset = nf_load_be16(ext + 2) >> 3;
            nexthdr = ext[0];
            off += 8;
            if (frag_offset) {
                pkt->later_fragment = 1;
                pkt->proto = nexthdr;
                nf_set_payload(l3, end, off, 1, pkt);
                return NF_PARSE_OK;
            }
        } else {
            off += ((__u32)ext[1] + 1) * 8;
            nexthdr = ext[0];
        }
    }
    pkt->proto = nexthdr;
    nf_parse_l4(l3, end, off, pkt);
    return NF_PARSE_OK;
}

/*
 * The network header at l3, by EtherType. Fills *pkt, which the caller has
 * zeroed (vlan_id may already be set). Returns an nf_parse_result.
 */
NF_INLINE int nf_parse_l3(const __u8 *l3, const __u8 *end, __u16 ethertype, struct nf_packet *pkt) {
    if (ethertype == NF_ETH_P_IPV4)
        return nf_parse_ipv4(l3, end, pkt);
    if (ethertype == NF_ETH_P_IPV6)
        return nf_parse_ipv6(l3, end, pkt);
    return NF_PARSE_NOT_IP;
}

/*
 * The parse entry of every path that starts from an Ethernet frame (the XDP
 * and TC programs, AF_XDP frames in userspace, the tests and benches): the
 * link header (VLAN tags, PPPoE, MPLS), then IP. *l3 is where the network
 * header starts; *pkt must be zeroed. A frame whose link header is cut or
 * carries no IP is NF_PARSE_NOT_IP. Returns an nf_parse_result.
 */
NF_INLINE int nf_parse_frame(const __u8 *data, const __u8 *end, const __u8 **l3,
                             struct nf_packet *pkt) {
    __u16 ethertype;
    if (nf_parse_ethernet(data, end, l3, &ethertype, &pkt->vlan_id) < 0)
        return NF_PARSE_NOT_IP;
    return nf_parse_l3(*l3, end, ethertype, pkt);
}

/*
 * Where a frame that forms no flow is counted (docs/spec/FEATURES.md, "filter"): the
 * default filter is `ip and (tcp or udp or icmp)`, so under it a frame with
 * no IP header is filtered out; with a --filter that passed it (or when
 * every IP packet counts) it is "not IP". One rule for the programs'
 * statistics and the offline decoder.
 */
enum nf_unparsed_bucket {
    NF_BUCKET_FILTERED_OUT,
    NF_BUCKET_NOT_IP,
    NF_BUCKET_TRUNCATED,
    NF_BUCKET_MALFORMED,
};

NF_INLINE int nf_unparsed_bucket(int parse_result, int default_filter) {
    if (parse_result == NF_PARSE_NOT_IP)
        return default_filter ? NF_BUCKET_FILTERED_OUT : NF_BUCKET_NOT_IP;
    if (parse_result == NF_PARSE_TRUNCATED)
        return NF_BUCKET_TRUNCATED;
    return NF_BUCKET_MALFORMED;
}

/*
 * The bytes of a frame's datagram from its IP header (at l3_off) on, as
 * userspace's classifier gets them on every path: not past the IP length,
 * so Ethernet padding is never payload.
 */
NF_INLINE __u32 nf_datagram_len(__u32 frame_len, __u32 l3_off, __u32 ip_len) {
    __u32 datagram = frame_len > l3_off ? frame_len - l3_off : 0;
    return datagram > ip_len ? ip_len : datagram;
}

/* The default filter (no --filter): IPv4 carrying TCP, UDP or ICMP, after
 * any VLAN tags, i.e. `ip and (tcp or udp or icmp)` on the decoded packet. */
NF_INLINE int nf_default_filter_pass(const struct nf_packet *pkt) {
    return pkt->ip_version == 4 && (pkt->proto == NF_IPPROTO_TCP || pkt->proto == NF_IPPROTO_UDP ||
                                    pkt->proto == NF_IPPROTO_ICMP);
}

#endif /* PACKET_PARSE_H */
