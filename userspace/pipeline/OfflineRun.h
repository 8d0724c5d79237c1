// `netflow -f FILE`: a capture file through the flow engine into the sink.
#pragma once

#include "cli/Options.h"

namespace netflow {

// Returns the process exit code (docs/spec/CLI.md): 0, 1 runtime error (flows so far
// are still written), 2 usage error.
int runOffline(const Options &options);

}  // namespace netflow
