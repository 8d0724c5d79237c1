// A --filter that cannot run: libpcap cannot compile it, or its kernel
// translation is refused (by the translator or the verifier). A usage
// error (exit 2) with the reason in one line. Kept free of libpcap's and
// the kernel's headers, which cannot be included together.
#pragma once

#include <stdexcept>

namespace netflow {

struct FilterError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace netflow
