// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The floor of bpf_cost's table: an XDP program that does nothing. Its
 * BPF_PROG_TEST_RUN time is the test-run harness itself (the loop, softirq
 * disabling, with repeat=1 also the clock reads around one run), which
 * bpf_cost subtracts from every other program's time.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx) {
    (void)ctx;
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
