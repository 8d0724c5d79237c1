#include "common/Result.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace netflow {

std::string errnoMessage(const std::string &what, int err) {
    int e = std::abs(err);
    std::string message = what + ": " + std::strerror(e) + " (errno " + std::to_string(e) + ")";
    // What the user can do about it, for the errors that mean privileges.
    if (e == EPERM || e == EACCES)
        message += std::string(": ") + kKernelPrivileges;
    return message;
}

}  // namespace netflow
