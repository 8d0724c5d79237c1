#include "kernel/AttachError.h"

#include <cerrno>
#include <cstdlib>

#include "common/Result.h"
#include "kernel/KernelError.h"

namespace netflow {

bool isPermissionError(int err) {
    int e = std::abs(err);
    return e == EPERM || e == EACCES;
}

std::string attachErrorMessage(const std::string &what, const std::string &ifname, int err) {
    int e = std::abs(err);
    if (isPermissionError(e))
        return what + ": not permitted: " + kKernelPrivileges;
    // The interface went away between lookup and attach (or while attached).
    if (e == ENODEV || e == ENXIO)
        return what + ": interface " + ifname + " no longer exists";
    return errnoMessage(what, e);
}

}  // namespace netflow
