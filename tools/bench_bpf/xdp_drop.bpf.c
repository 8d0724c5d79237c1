// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * A bare XDP_DROP program: the floor of a tap port's cost in
 * tools/bench/nic_bench.sh (netflow --capture tap drops every frame after
 * counting it, as this does without counting).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_drop(struct xdp_md *ctx) {
    (void)ctx;
    return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
