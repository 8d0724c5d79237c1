#include "pipeline/ProgressBar.h"

#include <unistd.h>

#include <cstdio>

namespace netflow {

ProgressBar::ProgressBar(uint64_t total_bytes)
    : enabled_(isatty(STDERR_FILENO) == 1 && total_bytes > 0), total_(total_bytes) {}

void ProgressBar::draw(uint64_t bytes_done, uint64_t packets, uint64_t flows) {
    auto now = std::chrono::steady_clock::now();
    if (now - last_draw_ < std::chrono::milliseconds(100))
        return;
    last_draw_ = now;
    constexpr int kWidth = 30;
    double fraction = total_ ? static_cast<double>(bytes_done) / static_cast<double>(total_) : 0;
    if (fraction > 1)
        fraction = 1;
    int filled = static_cast<int>(fraction * kWidth);
    char bar[kWidth + 1];
    for (int i = 0; i < kWidth; i++)
        bar[i] = i < filled ? '#' : '.';
    bar[kWidth] = '\0';
    std::fprintf(stderr, "\r[%s] %3d%%  %llu packets  %llu flows", bar,
                 static_cast<int>(fraction * 100), static_cast<unsigned long long>(packets),
                 static_cast<unsigned long long>(flows));
    std::fflush(stderr);
    drawn_ = true;
}

void ProgressBar::clear() {
    if (drawn_) {
        std::fprintf(stderr, "\r\033[K");
        std::fflush(stderr);
        drawn_ = false;
    }
}

}  // namespace netflow
