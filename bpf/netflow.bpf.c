// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The kernel programs: XDP on ingress, TC (clsact egress) for what the host
 * sends. Both count every frame with the same function (netflow_frame.h) on
 * the same maps (netflow_maps.h); only how they reach the frame differs
 * (netflow_ctx.h). With --filter, the user's filter decides first
 * (netflow_filter.h). Packets whose payload userspace wants take the
 * payload path (netflow_payload_copy.h).
 *
 * host capture (the default): the programs never drop or redirect a packet.
 * tap capture, XDP only, on a mirror port whose packets are for nobody:
 * wanted packets go to an AF_XDP socket, every other packet is dropped
 * after counting.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "netflow_ctx.h"
#include "netflow_expiry.h"
#include "netflow_frame.h"
#include "netflow_payload_copy.h"

/* The user's --filter on the frame (netflow_filter.h), or none. A branch
 * on a rodata knob: the verifier keeps only the side in force. */
#define nf_filter_verdict(filter_fn, ctx) \
    (!user_filter ? NF_VERDICT_DEFAULT : ((filter_fn)(ctx) ? NF_VERDICT_PASS : NF_VERDICT_FAIL))

SEC("xdp")
int nf_xdp_count(struct xdp_md *ctx) {
    struct nf_frame_result res;
    int verdict = nf_filter_verdict(nf_filter_xdp, ctx);
    nf_count_frame(&res, nf_ctx_data(ctx), nf_ctx_data_end(ctx), verdict, 0);

    if (capture_mode == NF_CAPTURE_TAP) {
        if (!res.want)
            return XDP_DROP;
        if (nf_xsk_redirect(ctx, &res)) {
            nf_stat(res.stats, NF_STAT_XSK_REDIRECTED);
            return XDP_REDIRECT;
        }
        /* No socket on this queue (yet), or a driver without room for
         * the metadata: the payload still reaches userspace, through the
         * ring, and the mirrored frame is dropped as usual. */
        nf_stat(res.stats, NF_STAT_XSK_REDIRECT_FAILED);
        nf_xdp_copy_payload(ctx, &res);
        return XDP_DROP;
    }
    if (res.want)
        nf_xdp_copy_payload(ctx, &res);
    return NF_XDP_CONTINUE;
}

SEC("tc")
int nf_tc_count(struct __sk_buff *skb) {
    struct nf_frame_result res;
    __u32 linear = (__u32)(nf_ctx_data_end(skb) - nf_ctx_data(skb));
    if (linear < skb->len && linear < NF_TC_HEADERS_MAX)
        bpf_skb_pull_data(skb, skb->len < NF_TC_HEADERS_MAX ? skb->len : NF_TC_HEADERS_MAX);
    /* After the pull: the filter's loads find the headers in the linear
     * part (it reads the rest through bpf_skb_load_bytes). */
    int verdict = nf_filter_verdict(nf_filter_tc, skb);
    /* data and data_end are read again: a pull invalidates them. */
    nf_count_frame(&res, nf_ctx_data(skb), nf_ctx_data_end(skb), verdict, 1);
    if (res.want)
        nf_skb_copy_payload(skb, &res);
    return NF_TC_CONTINUE;
}

/*
 * Never attached: userspace runs it with BPF_PROG_TEST_RUN, a struct
 * nf_take_msg as the packet, to remove a live flow under the entry's lock
 * (netflow_expiry.h, nf_take_flow). A test run disables bottom halves
 * around the program, as the lock requires (netflow_lock.h).
 */
SEC("xdp")
int nf_xdp_take(struct xdp_md *ctx) {
    struct nf_take_msg *msg = (void *)(unsigned long)ctx->data;
    if ((void *)(msg + 1) > (void *)(unsigned long)ctx->data_end)
        return XDP_ABORTED;
    nf_take_flow(msg);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
