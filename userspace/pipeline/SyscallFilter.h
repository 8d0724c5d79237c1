// A seccomp filter for a live run's steady state (after the privilege drop,
// Privileges.h): a deny-list of the system calls the sensor never makes
// once capturing and that an attacker who took over nDPI or a parser would
// want: running programs (execve, and fork: clone without CLONE_THREAD),
// loading BPF programs or creating maps, debugging other processes, kernel
// modules, mounts and namespaces, io_uring, userfaultfd, perf events, keys.
// They fail with EPERM (clone3 with ENOSYS, so that glibc creates threads
// with clone, whose flags a filter can see). Everything else is allowed:
// an allow-list would have to follow libcurl, nDPI, libbpf and glibc
// through every path (docs/decisions.md).
#pragma once

#include "common/Result.h"

namespace netflow {

// The sanitizer build (NETFLOW_SANITIZE): LeakSanitizer's check at exit
// clones a tracer (no CLONE_THREAD) that ptraces the threads, so there the
// filter lets ptrace and such clones through, and the privilege drop keeps
// the process dumpable. The release build denies them.
#ifdef NETFLOW_SANITIZER_BUILD
inline constexpr bool kSanitizerBuild = true;
#else
inline constexpr bool kSanitizerBuild = false;
#endif

// Installs the filter for every thread of the process (TSYNC); needs
// no_new_privs or CAP_SYS_ADMIN. Fails with a one-line error.
Result<void> installSteadyStateFilter();

}  // namespace netflow
