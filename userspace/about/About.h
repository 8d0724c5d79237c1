// `netflow --about [-i IF]`: the program's and its libraries' versions, the
// kernel features the kernel path uses, and, with -i, what --backend would
// choose on that interface. (--version keeps the earlier tool's meaning:
// the feature set.)
#pragma once

#include <string>

#include "cli/Options.h"

namespace netflow {

// Prints the report on stdout; returns the exit code (0; 1 when -i names
// an interface nothing could capture on).
int runAbout(const Options &options);

// The lines of the report, for tests and runAbout.
std::string aboutText(const Options &options, int *exit_code);

}  // namespace netflow
