// Errors of the kernel path (loading programs, reading maps): one line
// each, with the errno, e.g. "loading netflow_bpf: Operation not permitted
// (errno 1)". Constructors that acquire kernel handles throw KernelError;
// the rest return a Result (common/Result.h).
#pragma once

#include <stdexcept>

#include "common/Result.h"

namespace netflow {

struct KernelError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace netflow
