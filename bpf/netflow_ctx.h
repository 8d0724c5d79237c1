/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The little that differs between the XDP and TC programs, as macros in the
 * manner of Cilium's bpf/include/bpf/ctx/: both contexts (struct xdp_md,
 * struct __sk_buff) expose the frame as data/data_end from the Ethernet
 * header on, so one counting function serves both.
 */
#ifndef NETFLOW_CTX_H
#define NETFLOW_CTX_H

#include <linux/bpf.h>
#include <linux/pkt_cls.h>

#define nf_ctx_data(ctx) ((const __u8 *)(unsigned long)(ctx)->data)
#define nf_ctx_data_end(ctx) ((const __u8 *)(unsigned long)(ctx)->data_end)

/* The packet always continues: a host sensor never steals the host's
 * packets (docs/spec/DESIGN.md). At TC, UNSPEC rather than OK lets any filter after
 * ours (another tool's program on the same hook) still see the packet; with
 * none, the packet passes exactly as with OK. */
#define NF_XDP_CONTINUE XDP_PASS
#define NF_TC_CONTINUE TC_ACT_UNSPEC

/* Headers the parser may need to read at TC, where only the skb's linear
 * part is directly readable: Ethernet, VLAN tags, PPPoE or MPLS, IPv6 with
 * extension headers, the fixed L4 header. Locally sent and forwarded skbs
 * have them linear already; the pull is for the rare one that does not. */
#define NF_TC_HEADERS_MAX 256

#endif /* NETFLOW_CTX_H */
