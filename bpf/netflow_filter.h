/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The user's --filter inside the kernel programs.
 *
 * libpcap compiles the tcpdump expression to classic BPF; userspace
 * translates it to eBPF (userspace/filter/) and, as libbpf loads the XDP
 * and TC programs, puts the translation in place of the body of one of the
 * two functions below (FilterSplice). The kernel verifies the program with
 * the filter in it; the filter then costs a call, with no indirect call,
 * no tail call and no trampoline.
 *
 * The functions must stay global and must not be inlined or folded: a
 * global function is a subprogram of its own, verified against its BTF
 * signature (the context pointer in, a scalar out), which is all the
 * translation may assume; its body can be swapped for another. The stub
 * bodies run only in a program loaded without the splice.
 *
 * Without --filter the programs never call them (the user_filter knob is
 * 0, a constant to the verifier, which removes the call): the default
 * filter applies and costs nothing more.
 */
#ifndef NETFLOW_FILTER_H
#define NETFLOW_FILTER_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "netflow_kern_user.h"

/* What decides whether a frame counts (nf_count_frame). */
enum nf_filter_verdict {
    NF_VERDICT_DEFAULT = 0, /* no --filter: the core's default filter */
    NF_VERDICT_PASS = 1,    /* the user's filter accepted the frame */
    NF_VERDICT_FAIL = 2,    /* the user's filter rejected it */
};

/*
 * The frame from its Ethernet header, as XDP sees it: non-zero to accept
 * (NF_FILTER_XDP_FUNC). `volatile` keeps clang from propagating the stub's
 * constant answer into the caller (the way libxdp's dispatcher writes its
 * slots).
 */
__attribute__((noinline)) int nf_filter_xdp(struct xdp_md *ctx) {
    volatile int accept = 1;
    if (!ctx)
        return 0;
    return accept;
}

/* The same at TC (clsact egress), on the skb (NF_FILTER_TC_FUNC). */
__attribute__((noinline)) int nf_filter_tc(struct __sk_buff *skb) {
    volatile int accept = 1;
    if (!skb)
        return 0;
    return accept;
}

#endif /* NETFLOW_FILTER_H */
