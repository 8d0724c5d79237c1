// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The filter functions of the counting programs (netflow_filter.h) and
 * nothing else: a test splices a translated filter into them exactly as
 * the sensor does (FilterSplice) and reads the verdict back as the
 * program's return value through BPF_PROG_TEST_RUN. 1: accepted, 0:
 * rejected.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "../../bpf/netflow_filter.h"

SEC("xdp")
int probe_xdp(struct xdp_md *ctx) {
    return nf_filter_xdp(ctx) ? 1 : 0;
}

SEC("tc")
int probe_tc(struct __sk_buff *skb) {
    return nf_filter_tc(skb) ? 1 : 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
