// `netflow -i IF` on the kernel path (docs/spec/DESIGN.md): XDP on ingress and TC on
// egress count every packet in the flow map; payload packets come to
// userspace for nDPI on the payload ring; flows leave the map when they
// end (the kernel's ring buffer) or expire (the sweep every second).
#pragma once

#include "capture/CaptureCounters.h"
#include "cli/Options.h"
#include "kernel/KernelSession.h"

namespace netflow {

// The run's exit code. Throws KernelSession::SetupError when the kernel
// path could not be set up at all (programs not loaded or not attached)
// and nothing was captured: with --backend auto the caller may fall back
// to libpcap (SetupError::fallback) and says why.
int runKernelLive(const Options &options);

// The kernel session the options ask for (also --about's probe of what
// --backend auto would choose).
SessionConfig kernelSessionConfig(const Options &options);
// The programs' statistics in the offline path's buckets, as the run's
// summary counts them (also --metrics).
CaptureCounters kernelCaptureCounters(const nf_kern_stats &stats);

}  // namespace netflow
