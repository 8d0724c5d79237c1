/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * What the counting core needs from its compiler, for both of them:
 * clang -target bpf (kernel programs) and g++ (the offline path and tests).
 *
 * The core is plain C: no libc, no floats, bounded loops, and every packet
 * read checked against the end of the captured bytes, so that the verifier
 * accepts it and userspace gets the same memory safety for free.
 */
#ifndef NF_COMPAT_H
#define NF_COMPAT_H

#include <linux/types.h>

#ifdef __bpf__
#define NF_INLINE static __attribute__((always_inline)) inline
#define NF_UNROLL _Pragma("unroll")
#else
#define NF_INLINE static inline
#define NF_UNROLL
#endif

#ifdef __cplusplus
#define NF_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define NF_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

/* Big-endian loads from packet bytes. Callers have checked the bounds. */
#ifdef __bpf__
/*
 * In the kernel programs, one load and a byte swap: the BPF backend never
 * merges byte loads, so the portable form below costs 2 (4) loads, shifts
 * and ors. The types tell clang the natural alignment, which packet data
 * need not have: the verifier allows such loads from packet memory where
 * the CPU handles them (x86, arm64; elsewhere it checks the offsets, which
 * are those of headers after a NET_IP_ALIGN-aligned Ethernet header).
 */
typedef __u16 __attribute__((may_alias)) nf_pkt_u16;
typedef __u32 __attribute__((may_alias)) nf_pkt_u32;

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NF_BE16(x) __builtin_bswap16(x)
#define NF_BE32(x) __builtin_bswap32(x)
#else
#define NF_BE16(x) (x)
#define NF_BE32(x) (x)
#endif

NF_INLINE __u16 nf_load_be16(const __u8 *p) {
    return NF_BE16(*(const nf_pkt_u16 *)(const void *)p);
}

NF_INLINE __u32 nf_load_be32(const __u8 *p) {
    return NF_BE32(*(const nf_pkt_u32 *)(const void *)p);
}

/* n 32-bit words from packet bytes to a 4-aligned destination, as they are. */
#define NF_COPY_WORDS(dst, src, n)                                \
    do {                                                          \
        NF_UNROLL                                                 \
        for (int nf_i_ = 0; nf_i_ < (n); nf_i_++)                 \
            ((nf_pkt_u32 *)(void *)(dst))[nf_i_] =                \
                ((const nf_pkt_u32 *)(const void *)(src))[nf_i_]; \
    } while (0)
#else
NF_INLINE __u16 nf_load_be16(const __u8 *p) {
    return (__u16)(((__u16)p[0] << 8) | p[1]);
}

NF_INLINE __u32 nf_load_be32(const __u8 *p) {
    return ((__u32)p[0] << 24) | ((__u32)p[1] << 16) | ((__u32)p[2] << 8) | p[3];
}

#define NF_COPY_WORDS(dst, src, n) __builtin_memcpy((dst), (src), (n)*4)
#endif

#endif /* NF_COMPAT_H */
