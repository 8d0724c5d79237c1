// `netflow -i IF`: live capture until SIGINT/SIGTERM, --max-time or
// --max-flows, then every open flow is written.
#pragma once

#include "cli/Options.h"
#include "kernel/KernelSession.h"

namespace netflow {

// Returns the process exit code (docs/spec/CLI.md). --backend xdp: the kernel path;
// pcap: libpcap; auto: the kernel path, or libpcap when it cannot be set up.
int runLive(const Options &options);

// --backend's rule when the kernel path could not be set up (`e`): true
// when libpcap takes over (auto, and libpcap could capture), false when
// the run fails (also used by --about).
bool fallsBackToPcap(const Options &options, const KernelSession::SetupError &e);

// The libpcap path alone.
int runPcapLive(const Options &options);

}  // namespace netflow
