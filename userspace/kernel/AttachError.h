// One-line messages for failures to attach to or detach from an interface,
// shared by the XDP, TC and lock classes so that the same cause always reads
// the same way, e.g. "attaching XDP to eth0: not permitted: need root or
// CAP_BPF+CAP_NET_ADMIN". What only one hook can mean (EBUSY at XDP: another
// program is attached) is worded by that hook's class before it falls back
// to this.
#pragma once

#include <string>

namespace netflow {

// `what` says what failed ("attaching XDP to eth0"); `err` may be negative,
// as libbpf returns it.
std::string attachErrorMessage(const std::string &what, const std::string &ifname, int err);

// True for the errno values that mean missing privileges.
bool isPermissionError(int err);

}  // namespace netflow
