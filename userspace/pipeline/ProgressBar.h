// A one-line progress bar on stderr while a file is read, only when stderr
// is a terminal; redrawn at most ten times a second.
#pragma once

#include <chrono>
#include <cstdint>

namespace netflow {

class ProgressBar {
  public:
    explicit ProgressBar(uint64_t total_bytes);
    ~ProgressBar() { clear(); }

    // Cheap to call per packet: only every few thousand calls does it ask
    // `position` for the bytes done (a syscall) and maybe draw.
    template <typename Position>
    void update(Position &&position, uint64_t packets, uint64_t flows) {
        if (enabled_ && (++calls_ & 0xFFF) == 0)
            draw(position(), packets, flows);
    }
    void clear();

  private:
    void draw(uint64_t bytes_done, uint64_t packets, uint64_t flows);

    bool enabled_;
    bool drawn_ = false;
    uint64_t total_;
    uint64_t calls_ = 0;
    std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace netflow
