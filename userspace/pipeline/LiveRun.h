// `netflow -i IF`: live capture until SIGINT/SIGTERM, --max-time or
// --max-flows, then every open flow is written.
#pragma once

#include "cli/Options.h"

namespace netflow {

// Returns the process exit code (CLI.md).
int runLive(const Options &options);

}  // namespace netflow
