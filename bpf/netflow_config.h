/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Runtime knobs of the kernel programs and the one clock they read.
 *
 * The knobs are `const volatile` globals in .rodata: userspace writes them
 * through the skeleton between open and load, the map is then frozen and
 * the verifier treats them as constants (the test-clock branch costs
 * nothing in production). `volatile` stops clang from folding the defaults.
 */
#ifndef NETFLOW_CONFIG_H
#define NETFLOW_CONFIG_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "core/flow_types.h"
#include "core/payload_budget.h"
#include "netflow_kern_user.h"

/* docs/spec/FEATURES.md "Timeouts": the same values the offline path is given. */
const volatile __u64 idle_timeout_us = 30000000;
const volatile __u64 active_timeout_us = 120000000;

/* 0: the default filter, IPv4 TCP/UDP/ICMP (docs/spec/FEATURES.md). 1: every IPv4
 * and IPv6 packet forms flows, as offline with `--filter ''` (an empty
 * libpcap filter); the equality tests use it to cover IPv6 and the other
 * protocols too. */
const volatile __u8 count_all_ip = 0;

/* 1: the user's --filter decides instead of the default filter: the
 * programs call nf_filter_xdp / nf_filter_tc (netflow_filter.h), which
 * userspace replaces with the translated filter. A frame the filter
 * accepts forms a flow when it is IPv4 or IPv6 (count_all_ip is then
 * irrelevant); anything else it accepts is counted as not IP. */
const volatile __u8 user_filter = 0;

/* NF_CAPTURE_HOST or NF_CAPTURE_TAP (netflow_kern_user.h). Only the XDP
 * program reads it: TC is not attached in tap mode. */
const volatile __u8 capture_mode = NF_CAPTURE_HOST;

/* docs/spec/FEATURES.md "DPI budget": --dpi-packets and --app-packets, the same
 * values the offline path is given (nf_payload_wanted). */
const volatile __u32 dpi_packets = 32;
const volatile __u32 app_packets = 256;

/* Tests set this and drive time through test_clock_us instead of the
 * kernel's clock, so that capture timestamps reach the kernel programs
 * exactly as they reach the offline path. */
const volatile __u8 use_test_clock = 0;

/* Written by the test through the skeleton's mmaped .bss before each
 * BPF_PROG_TEST_RUN. Never read unless use_test_clock is set. */
volatile __u64 test_clock_us = 0;

/* Written by userspace through the mmaped .bss when it stops: from then on
 * the flow timers end nothing (the final drain reads the map instead). */
volatile __u8 expiry_stopped = 0;

/* Microseconds. Live: CLOCK_MONOTONIC, converted to wall time in
 * userspace once at start (docs/spec/DESIGN.md). */
static __always_inline __u64 nf_now_us(void) {
    if (use_test_clock)
        return test_clock_us;
    return bpf_ktime_get_ns() / 1000;
}

static __always_inline struct nf_timeouts nf_timeouts_config(void) {
    struct nf_timeouts t = {
        .idle_us = idle_timeout_us,
        .active_us = active_timeout_us,
    };
    return t;
}

static __always_inline struct nf_payload_budget nf_budget_config(void) {
    struct nf_payload_budget b = {
        .dpi_packets = dpi_packets,
        .app_packets = app_packets,
    };
    return b;
}

#endif /* NETFLOW_CONFIG_H */
