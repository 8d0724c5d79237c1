// `netflow -i IF`: live capture until SIGINT/SIGTERM, --max-time or
// --max-flows, then every open flow is written.
#pragma once

#include "cli/Options.h"

namespace netflow {

// Returns the process exit code (docs/spec/CLI.md). --backend xdp: the kernel path;
// pcap: libpcap; auto: the kernel path, or libpcap when it cannot be set up.
int runLive(const Options &options);

// The libpcap path alone.
int runPcapLive(const Options &options);

}  // namespace netflow
