/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Which packets' payload userspace needs (docs/spec/FEATURES.md, "DPI budget"): nDPI
 * sees the first --dpi-packets packets with L4 payload until it is done; the
 * DNS and FTP parsers see the first --app-packets ones of port 53/21 flows.
 * The kernel copies exactly these packets; the offline path feeds exactly
 * these, so both paths give the parsers the same bytes.
 */
#ifndef PAYLOAD_BUDGET_H
#define PAYLOAD_BUDGET_H

#include "flow_types.h"

#define NF_PORT_DNS 53
#define NF_PORT_FTP 21

#define NF_WANT_DPI 0x1
#define NF_WANT_APP 0x2

struct nf_payload_budget {
    __u32 dpi_packets;
    __u32 app_packets;
};

NF_INLINE int nf_key_has_port(const struct nf_flow_key *key, __u16 port) {
    return key->port_lo == port || key->port_hi == port;
}

/* Flows whose payload the DNS or FTP parser reads. */
NF_INLINE int nf_is_app_flow(const struct nf_flow_key *key) {
    if (key->proto == NF_IPPROTO_TCP)
        return nf_key_has_port(key, NF_PORT_DNS) || nf_key_has_port(key, NF_PORT_FTP);
    if (key->proto == NF_IPPROTO_UDP)
        return nf_key_has_port(key, NF_PORT_DNS);
    return 0;
}

/*
 * Called after nf_flow_count for a packet with payload, so that
 * st->payload_pkts is the packet's 1-based payload index. Returns a mask of
 * NF_WANT_DPI and NF_WANT_APP.
 */
NF_INLINE int nf_payload_wanted(const struct nf_flow_state *st, const struct nf_flow_key *key,
                                const struct nf_payload_budget *budget) {
    int want = 0;
    if (!st->dpi_done && st->payload_pkts <= budget->dpi_packets)
        want |= NF_WANT_DPI;
    if (st->payload_pkts <= budget->app_packets && nf_is_app_flow(key))
        want |= NF_WANT_APP;
    return want;
}

#endif /* PAYLOAD_BUDGET_H */
