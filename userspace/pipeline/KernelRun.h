// `netflow -i IF` on the kernel path (docs/spec/DESIGN.md): XDP on ingress and TC on
// egress count every packet in the flow map; payload packets come to
// userspace for nDPI on the payload ring; flows leave the map when they
// end (the kernel's ring buffer) or expire (the sweep every second).
#pragma once

#include <string>

#include "cli/Options.h"

namespace netflow {

struct KernelRunResult {
    int exit_code = 0;
    // Set when the kernel path could not be set up at all (programs not
    // loaded or not attached) and nothing was captured: with --backend auto
    // the caller falls back to libpcap and prints this reason.
    std::string setup_error;
    // libpcap would fail the same way (no such interface) or compete with
    // the sensor already there: no fallback even with --backend auto.
    bool final = false;
};

KernelRunResult runKernelLive(const Options &options);

}  // namespace netflow
