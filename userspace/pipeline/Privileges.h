// Least privilege for a live run: once the capture is set up (programs
// attached, sockets bound, ring buffers mapped, output open), the sensor
// gives up every capability it no longer needs and, with --user, becomes
// that user, so nDPI and the protocol parsers never run as root.
//
// What is kept after start-up, and why (docs/decisions.md):
// - kernel path on a kernel with tcx (>= 6.6): nothing. The XDP and TC
//   programs hang on bpf_link fds, and closing a link fd (the detach at
//   exit) needs no capability; the maps and ring buffers are used through
//   fds already open, which needs none on kernels >= 6.5.
// - kernel path, TC attached through netlink (older kernels): CAP_NET_ADMIN,
//   to remove the filter (and the qdisc) at exit.
// - kernel path, where map access through an open fd still needs it
//   (kernels < 6.5 with kernel.unprivileged_bpf_disabled set): CAP_BPF,
//   found by trying it with no effective capability.
// - libpcap path: nothing (the packet socket is open).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/Result.h"

namespace netflow {

class KernelSession;

// Keeps only the capabilities `keep` (CAP_* numbers) in the permitted and
// effective sets; empties the inheritable, ambient and bounding sets of the
// rest; sets no_new_privs and installs the steady state's system-call
// filter (SyscallFilter.h). With a non-empty `user`, first switches the
// supplementary groups, the group and the user to that user's (real,
// effective and saved). Fails with a one-line error (the run must then
// stop: it is not running as it claims).
Result<void> dropPrivileges(const std::string &user, const std::vector<int> &keep);

// Whether `works` succeeds with an empty effective capability set (the
// permitted set is kept and the effective one restored afterwards).
bool worksWithoutCapabilities(const std::function<bool()> &works);

// The kernel path's drop: what it keeps follows the session's attachment
// (netlink TC) and whether a map read through an open fd works without
// capabilities.
Result<void> dropKernelRunPrivileges(const std::string &user, const KernelSession &session);

}  // namespace netflow
