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
NF_INLINE __u16 nf_load_be16(const __u8 *p) {
    return (__u16)(((__u16)p[0] << 8) | p[1]);
}

NF_INLINE __u32 nf_load_be32(const __u8 *p) {
    return ((__u32)p[0] << 24) | ((__u32)p[1] << 16) | ((__u32)p[2] << 8) | p[3];
}

#endif /* NF_COMPAT_H */
