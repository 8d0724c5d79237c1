// SIGINT/SIGTERM ask the run to stop: capture ends, open flows are written,
// the exit code is 0 (docs/spec/CLI.md). The handlers do not restart system calls: a
// read blocked on a stalled pipe or FIFO returns (EINTR) and the run ends.
#pragma once

#include <ctime>

namespace netflow {

// Installs the SIGINT/SIGTERM handlers (and SIGALRM's, for StopTimer), and
// unblocks SIGINT and SIGTERM (blocked by the entry that executed the
// program, userspace/launcher/launcher.c: one that came meanwhile is
// handled then). The first thing
// main does: a stop signal never finds the default action (death, exit 143).
void installStopHandlers();
bool stopRequested();
// Stops the run as a signal would (e.g. the output is gone: a closed pipe).
void requestStop();

// While one is alive, nothing has been captured or created yet (the capture
// is being opened, a filter compiled: a FIFO's open or libpcap's compiler
// can block for minutes and cannot be interrupted otherwise): a stop signal
// ends the process at once, exit 0, with one line on stderr. Nests.
class StopImmediately {
  public:
    StopImmediately();
    ~StopImmediately();
    StopImmediately(const StopImmediately &) = delete;
    StopImmediately &operator=(const StopImmediately &) = delete;
};

// --max-time for a run whose reads can block (a stalled pipe): after
// `seconds` the run is asked to stop, and SIGALRM, sent to the thread that
// created the timer, interrupts its blocking read; then again every 100 ms
// in case the first one came just before a read began. Destroy it before
// writing the output at the end.
class StopTimer {
  public:
    explicit StopTimer(double seconds);
    ~StopTimer();
    StopTimer(const StopTimer &) = delete;
    StopTimer &operator=(const StopTimer &) = delete;

  private:
    timer_t timer_{};
    bool armed_ = false;
};

}  // namespace netflow
