// A cache hint that the compiler keeps.
//
// GCC (12, -O2) deleted every __builtin_prefetch of a function that does
// nothing but hint: its mod/ref analysis counts a prefetch as no effect,
// so a call whose result is unused went, prefetches and all
// (LabelMatcher::prefetch compiled to a bare `ret`; -fno-ipa-modref kept
// it). An asm statement marked volatile is never deleted; it takes the
// address in a register and names no memory, so it orders nothing else.
// tests/support/prefetch_kept.sh checks the built binary.
#pragma once

namespace netflow {

inline void prefetchLine(const void *p) {
#if defined(__x86_64__)
    asm volatile("prefetcht0 (%0)" : : "r"(p));
#elif defined(__aarch64__)
    asm volatile("prfm pldl1keep, [%0]" : : "r"(p));
#else
    __builtin_prefetch(p);
#endif
}

}  // namespace netflow
