// A network interface of the current network namespace, by name and index.
// Names are per namespace: the same "eth0" is another interface after a
// setns(), so everything attached keeps the index it was resolved to.
#pragma once

#include <string>

#include "kernel/KernelError.h"

namespace netflow {

struct NetInterface {
    std::string name;
    int index = 0;
    // IFF_LOOPBACK: every packet it sends it also receives, so one hook
    // sees each packet once (InterfaceAttachment leaves out TC egress).
    bool loopback = false;

    // Checks the name as the kernel would (dev_valid_name: 1-15 bytes, no
    // '/', ':' or whitespace, not "." or "..") before anything uses it in a
    // path, then resolves it. Errors: "interface eth9 does not exist", ...
    static Result<NetInterface> find(const std::string &name);
};

}  // namespace netflow
