// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel programs: XDP on ingress, TC (clsact egress) for what the host
 * sends. Both count every frame with the same function (netflow_frame.h) on
 * the same maps (netflow_maps.h); only how they reach the frame differs
 * (netflow_ctx.h). Neither ever drops or redirects a packet.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "netflow_ctx.h"
#include "netflow_frame.h"

SEC("xdp")
int nf_xdp_count(struct xdp_md *ctx) {
    nf_count_frame(nf_ctx_data(ctx), nf_ctx_data_end(ctx));
    return NF_XDP_CONTINUE;
}

SEC("tc")
int nf_tc_count(struct __sk_buff *skb) {
    __u32 linear = (__u32)(nf_ctx_data_end(skb) - nf_ctx_data(skb));
    if (linear < skb->len && linear < NF_TC_HEADERS_MAX)
        bpf_skb_pull_data(skb, skb->len < NF_TC_HEADERS_MAX ? skb->len : NF_TC_HEADERS_MAX);
    /* data and data_end are read again: a pull invalidates them. */
    nf_count_frame(nf_ctx_data(skb), nf_ctx_data_end(skb));
    return NF_TC_CONTINUE;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
