// Live runs hand every exported row to its reader at once (docs/live-export.md):
// the header at start, then at most once per export round (kRoundSeconds)
// the rows exported since the last flush; a round that exported nothing
// costs nothing. Offline runs reading a stream (stdin, a FIFO) use it too.
#pragma once

#include <cstdint>

#include "output/FlowSink.h"

namespace netflow {

class RowFlusher {
  public:
    // Live loops wait at most this long for packets, so a row exported in
    // one round is flushed by the next: visible within two rounds.
    static constexpr double kRoundSeconds = 0.1;

    // Flushes the header (written when the sink was made).
    explicit RowFlusher(FlowSink &sink) : sink_(sink) { sink_.flush(); }

    // `exported`: the run's count of rows exported so far; `now_s`: any
    // steady clock in seconds. Flushes when rows were exported since the
    // last flush and a round has passed since it.
    void endRound(uint64_t exported, double now_s) {
        if (now_s < next_s_ || !flushNew(exported))
            return;
        next_s_ = now_s + kRoundSeconds;
    }

    // Flushes when rows were exported since the last flush, whenever it is
    // (a stream read packet by packet, which may stall at any moment).
    bool flushNew(uint64_t exported) {
        if (exported == flushed_)
            return false;
        sink_.flush();
        flushed_ = exported;
        return true;
    }

  private:
    FlowSink &sink_;
    uint64_t flushed_ = 0;
    double next_s_ = 0;
};

}  // namespace netflow
