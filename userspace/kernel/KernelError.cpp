#include "kernel/KernelError.h"

#include <cstdlib>
#include <cstring>

namespace netflow {

std::string errnoMessage(const std::string &what, int err) {
    int e = std::abs(err);
    return what + ": " + std::strerror(e) + " (errno " + std::to_string(e) + ")";
}

}  // namespace netflow
