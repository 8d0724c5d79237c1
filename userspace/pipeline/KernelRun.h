// `netflow -i IF` on the kernel path (docs/spec/DESIGN.md): XDP on ingress and TC on
// egress count every packet in the flow map; payload packets come to
// userspace for nDPI on the payload ring; flows leave the map when they
// end (the kernel's ring buffer) or expire (the sweep every second).
#pragma once

#include "cli/Options.h"

namespace netflow {

// The run's exit code. Throws KernelSession::SetupError when the kernel
// path could not be set up at all (programs not loaded or not attached)
// and nothing was captured: with --backend auto the caller may fall back
// to libpcap (SetupError::fallback) and says why.
int runKernelLive(const Options &options);

}  // namespace netflow
