// The clocks the runs read: the wall clock (row times, libpcap's stamps),
// the monotonic clock (the kernel programs' bpf_ktime_get_ns), and a
// stopwatch for the run's own duration and deadlines.
#pragma once

#include <time.h>

#include <chrono>
#include <cstdint>

namespace netflow {

// Microseconds of clock (CLOCK_REALTIME, CLOCK_MONOTONIC).
inline uint64_t clockMicros(clockid_t clock) {
    timespec ts{};
    clock_gettime(clock, &ts);
    return static_cast<uint64_t>(ts.tv_sec) * 1000000 + static_cast<uint64_t>(ts.tv_nsec) / 1000;
}

inline uint64_t wallClockMicros() {
    return clockMicros(CLOCK_REALTIME);
}

// What turns a CLOCK_MONOTONIC time into wall-clock time now, microseconds.
// It changes when the wall clock is stepped (NTP's first sync after boot,
// date -s): the kernel path reads it again every export round.
inline int64_t monotonicToWallMicros() {
    return static_cast<int64_t>(clockMicros(CLOCK_REALTIME)) -
           static_cast<int64_t>(clockMicros(CLOCK_MONOTONIC));
}

// Seconds since it was made.
class Stopwatch {
  public:
    double seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    }

  private:
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

}  // namespace netflow
