// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * xdp_replay's sender: run by BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES
 * (never attached), repeat = the number of frames to send. Each run writes
 * the next frame of the template (the frames map, filled by userspace) over
 * the test run's page, gives it its round's addresses and redirects it to
 * target_ifindex: the frame leaves through that interface's ndo_xdp_xmit
 * (on a veth: the peer's native XDP program receives an xdp_frame, as from
 * a NIC's receive ring).
 *
 * Run k (next_copy, counted across BPF_PROG_RUN calls) sends template frame
 * k mod template_frames in round first_round + k / template_frames: both
 * IPv4 addresses' middle 16 bits (2nd and 3rd octets) + round mod 65536, as
 * tools/gen_bench_pcap does, so every round is a new set of flows with both
 * directions kept together. The IPv4 header checksum and the TCP/UDP
 * checksum (when userspace found one; a zero UDP checksum stays zero) are
 * updated incrementally (RFC 1624).
 */
#include <linux/bpf.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "xdp_replay_frame.h"

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);  // userspace sets the template's size
    __type(key, __u32);
    __type(value, struct replay_frame);
} frames SEC(".maps");

volatile const __u32 target_ifindex = 0;
volatile const __u32 template_frames = 1;
volatile const __u32 first_round = 0;

__u64 next_copy = 0;  // runs so far, over every BPF_PROG_RUN call
__u64 sent = 0;       // runs that redirected their frame
__u64 failed = 0;     // runs that could not build their frame (dropped)

// RFC 1624: HC' = ~(~HC + ~m + m'); diff is bpf_csum_diff's ~m + m'.
static __always_inline __u16 csum_update(__u16 csum, __u32 diff) {
    __u64 sum = (__u64)(__u16)~csum + diff;
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (__u16)~sum;
}

static __always_inline __u32 shifted(__u32 addr_be, __u32 round) {
    __u32 host = bpf_ntohl(addr_be);
    __u32 mid = ((host >> 8) + round) & 0xffff;
    return bpf_htonl((host & 0xff0000ffu) | (mid << 8));
}

static __always_inline int drop(void) {
    __sync_fetch_and_add(&failed, 1);
    return XDP_DROP;
}

SEC("xdp")
int xdp_replay(struct xdp_md *ctx) {
    // One BPF_PROG_RUN runs its copies one after the other on one CPU.
    __u64 k = next_copy;
    next_copy = k + 1;
    __u32 idx = (__u32)(k % template_frames);
    __u32 round = first_round + (__u32)(k / template_frames);

    struct replay_frame *f = bpf_map_lookup_elem(&frames, &idx);
    if (!f)
        return drop();
    __u32 len = f->len;
    if (len < 14 || len > REPLAY_MAX_FRAME)
        return drop();
    int delta = (int)len - (int)(ctx->data_end - ctx->data);
    if (delta != 0 && bpf_xdp_adjust_tail(ctx, delta) != 0)
        return drop();
    if (bpf_xdp_store_bytes(ctx, 0, f->bytes, len) != 0)
        return drop();

    void *data = (void *)(long)ctx->data;
    void *data_end = (void *)(long)ctx->data_end;
    __u8 *ip = (__u8 *)data + (f->ip_off & 0xff);
    if ((void *)(ip + 20) > data_end)
        return drop();
    __u32 *addrs = (__u32 *)(ip + 12);
    __u32 old[2] = {f->saddr, f->daddr};
    __u32 now[2] = {shifted(old[0], round), shifted(old[1], round)};
    addrs[0] = now[0];
    addrs[1] = now[1];
    // The IPv4 header and the TCP/UDP pseudo-header both sum the addresses.
    __s64 diff = bpf_csum_diff(old, sizeof(old), now, sizeof(now), 0);
    if (diff < 0)
        return drop();
    __u16 *ipsum = (__u16 *)(ip + 10);
    *ipsum = csum_update(*ipsum, (__u32)diff);

    __u32 coff = f->l4_csum_off & 0x1ff;
    if (coff != 0) {
        __u16 *l4sum = (__u16 *)((__u8 *)data + coff);
        if ((void *)(l4sum + 1) > data_end)
            return drop();
        if (!(f->is_udp && *l4sum == 0)) {
            __u16 v = csum_update(*l4sum, (__u32)diff);
            *l4sum = (f->is_udp && v == 0) ? 0xffff : v;
        }
    }
    __sync_fetch_and_add(&sent, 1);
    return bpf_redirect(target_ifindex, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
