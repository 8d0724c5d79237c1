// SIGINT/SIGTERM ask the run to stop: capture ends, open flows are written,
// the exit code is 0 (CLI.md).
#pragma once

namespace netflow {

void installStopHandlers();
bool stopRequested();

}  // namespace netflow
