// glibc's allocator on 2 MB pages, for the runs that do the work.
//
// A conversion allocates its memory from the heap in small pieces (flow
// records, nDPI's flow state, its automata at start-up); glibc grows the
// heap a little at a time and each fresh 4 KB page costs a fault, ~5-7 us
// on the paravirtualised machines this often runs on (~13,000 faults for
// the benchmark capture). glibc can grow its heaps 64 MB at a time on
// transparent huge pages (glibc.malloc.top_pad, glibc.malloc.hugetlb=1:
// madvise(MADV_HUGEPAGE) on what it maps), but reads those settings only
// from the environment at start, and has no call to set them later. So a
// run re-executes itself once with them set (docs/decisions.md, "The
// allocator on 2 MB pages": -15% wall time for the benchmark capture).
#pragma once

namespace netflow {

// The environment value the run re-executes itself with (glibc 2.36).
inline constexpr const char *kMallocTunables =
    "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864";

// Re-executes this program (its file, as /proc/self/exe names it; the same argv) with
// GLIBC_TUNABLES=kMallocTunables, unless: GLIBC_TUNABLES is already set
// (whatever it says: the user's choice, or this is the re-executed run; an
// empty value turns this off), the process runs with elevated privileges
// (AT_SECURE: glibc ignores the variable then), transparent huge pages are
// off on the machine, this is a sanitizer build (its own allocator), or
// the command line asks for no run (no argument, -h, --help, --about).
// Returns only when it did not re-execute, or exec failed (the run goes on
// as it is).
void tuneMallocByReexec(int argc, char **argv);

}  // namespace netflow
