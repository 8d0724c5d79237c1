// What a crashed earlier netflow may have left on an interface: programs
// attached without a bpf_link, which outlive the process that attached
// them. netflow's own links never do, but the netlink TC fallback (kernels
// before 6.6) leaves its clsact filter behind after a kill -9, and an XDP
// program attached the legacy way (`ip link set dev IF xdp ...`, an older
// netflow) stays until someone removes it.
//
// Only what is recognisably ours is removed: an XDP program with the name
// of our XDP program, a TC filter in our netlink slot (TcAttachment.h) with
// the name of our TC program. Call it holding the InterfaceLock, so that a
// running netflow cannot be the owner of what is removed; anything held by
// a live bpf_link is never touched (the kernel refuses, EBUSY).
#pragma once

#include <string>
#include <vector>

#include "kernel/KernelError.h"
#include "kernel/NetInterface.h"

namespace netflow {

// The program fds say which names are ours. On success: one line per thing
// removed ("removed XDP program nf_xdp_count (id 7, native) left on eth0 by
// an earlier run"), for -v. Fails only when something of ours was found and
// could not be removed.
Result<std::vector<std::string>> removeStaleAttachments(const NetInterface &itf, int xdp_prog_fd,
                                                        int tc_prog_fd);

}  // namespace netflow
