/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The payload path (docs/spec/DESIGN.md): how a packet whose payload userspace wants
 * (netflow_frame.h decided it) gets there. host: a copy of its datagram on
 * the payload ring buffer, and the packet continues. tap (XDP only): the
 * frame itself to the RX queue's AF_XDP socket, or a copy when the queue
 * has none.
 *
 * The copy is loaded with the context's load-bytes helper rather than read
 * through data/data_end: it reaches past the linear part (XDP fragments,
 * an skb's paged data) and its length is a plain bounded number for the
 * verifier. It goes into the per-CPU scratch record first and then to the
 * ring with bpf_ringbuf_output, so that a record takes only the bytes it
 * carries: bpf_ringbuf_reserve wants a constant size, which would make
 * every DNS query take NF_PAYLOAD_COPY_MAX bytes of the ring.
 */
#ifndef NETFLOW_PAYLOAD_COPY_H
#define NETFLOW_PAYLOAD_COPY_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "netflow_frame.h"

/*
 * Sets the record's lengths for a frame of frame_len bytes (all of it, not
 * only the linear part) and returns how many bytes to load from the IP
 * header on: 1..NF_PAYLOAD_COPY_MAX, or 0 for none.
 */
static __always_inline __u32 nf_payload_lengths(struct nf_frame_result *res, __u32 frame_len) {
    struct nf_rec_payload *rec = &res->scratch->payload.rec;
    /* As the offline path (nf_datagram_len): not past the IP length. */
    __u32 datagram = nf_datagram_len(frame_len, res->l3_off, res->ip_len);
    rec->datagram_len = datagram;
    rec->cap_len = nf_payload_cap(datagram);
    /* Read back from the record, not returned from the registers: the load
     * helpers need the length's exact range, and the verifier would trace
     * that need back through l3_off to the parser, whose paths differ in
     * it, and then verify what follows once per parser path. A value loaded
     * from a map is where that tracing stops. */
    return *(volatile __u32 *)&rec->cap_len;
}

NF_STATIC_ASSERT((NF_PAYLOAD_COPY_MAX & (NF_PAYLOAD_COPY_MAX - 1)) == 0,
                 "nf_load_len masks with NF_PAYLOAD_COPY_MAX - 1");

/*
 * A length in 1..NF_PAYLOAD_COPY_MAX, for the verifier, which needs it in
 * the scratch's room and not 0 at the load helper. The same value for any
 * cap in that range; comparisons alone do not do: clang merges `cap > 0 &&
 * cap <= MAX` into one test on a copy of the register, and the bound never
 * reaches the one passed to the helper.
 */
static __always_inline __u32 nf_load_len(__u32 cap) {
    return ((cap - 1) & (NF_PAYLOAD_COPY_MAX - 1)) + 1;
}

/* After the bytes were loaded (load_err 0) or not: the record to the ring,
 * and the outcome in the statistics. */
static __always_inline void nf_payload_send(struct nf_frame_result *res, __u32 cap, long load_err) {
    __u32 len = sizeof(struct nf_rec_payload) + nf_load_len(cap);
    if (load_err == 0 && bpf_ringbuf_output(&nf_payload, &res->scratch->payload, len,
                                            nf_ring_flags_len(&nf_payload, len, 0)) == 0) {
        nf_stat(res->stats, NF_STAT_PAYLOAD_COPIED);
        return;
    }
    nf_stat(res->stats, NF_STAT_PAYLOAD_COPY_FAILED);
}

/* The loads, one per context. */
static __always_inline void nf_xdp_copy_payload(struct xdp_md *ctx, struct nf_frame_result *res) {
    __u32 cap = nf_payload_lengths(res, (__u32)bpf_xdp_get_buff_len(ctx));
    long err = -1;
    if (cap > 0)
        err = bpf_xdp_load_bytes(ctx, res->l3_off, res->scratch->payload.data, nf_load_len(cap));
    nf_payload_send(res, cap, err);
}

static __always_inline void nf_skb_copy_payload(struct __sk_buff *skb,
                                                struct nf_frame_result *res) {
    __u32 cap = nf_payload_lengths(res, skb->len);
    long err = -1;
    if (cap > 0)
        err = bpf_skb_load_bytes(skb, res->l3_off, res->scratch->payload.data, nf_load_len(cap));
    nf_payload_send(res, cap, err);
}

/*
 * tap mode: the frame to the AF_XDP socket registered for its RX queue,
 * with struct nf_xsk_meta in front of it (bpf_xdp_adjust_meta). Returns 1
 * when the program should return XDP_REDIRECT; 0 when the queue has no
 * socket (bpf_redirect_map with no fallback action in its flags returns
 * XDP_ABORTED then) or the driver gives no room for metadata: the caller
 * copies the payload to the ring instead.
 *
 * What can still fail after the program returns (the socket's RX ring
 * full, a socket bound to another queue) the kernel counts on the socket
 * (XDP_STATISTICS: rx_dropped, rx_ring_full), out of the program's sight.
 */
static __always_inline int nf_xsk_redirect(struct xdp_md *ctx, struct nf_frame_result *res) {
    const struct nf_rec_payload *rec = &res->scratch->payload.rec;
    if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(struct nf_xsk_meta)) != 0)
        return 0;
    /* Every packet pointer is stale after an adjust: read them again. */
    void *data = (void *)(unsigned long)ctx->data;
    struct nf_xsk_meta *meta = (void *)(unsigned long)ctx->data_meta;
    if ((void *)(meta + 1) > data)
        return 0;
    meta->time_us = rec->time_us;
    meta->flow_first_us = rec->flow_first_us;
    meta->payload_index = rec->payload_index;
    meta->want = rec->want;
    meta->dir = rec->dir;
    meta->reserved = 0;
    meta->magic = NF_XSK_META_MAGIC;
    meta->reserved2 = 0;
    return bpf_redirect_map(&nf_xsks, ctx->rx_queue_index, 0) == XDP_REDIRECT;
}

#endif /* NETFLOW_PAYLOAD_COPY_H */
