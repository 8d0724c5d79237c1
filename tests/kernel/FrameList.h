// Hand-built frames with their capture times, for a CaptureReplay.
#pragma once

#include <sys/time.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "CaptureReplay.h"
#include "support/PacketBuilder.h"

namespace nftest {

inline constexpr uint64_t kT0 = 1'700'000'000'000'000ULL;
inline constexpr uint64_t kSec = 1'000'000ULL;

class Frames {
  public:
    Frames &add(const PacketBuilder &b, uint64_t time_us) {
        Frame f = b.build();
        TimedFrame t{};
        t.header.ts.tv_sec = static_cast<time_t>(time_us / kSec);
        t.header.ts.tv_usec = static_cast<suseconds_t>(time_us % kSec);
        t.header.caplen = f.caplen;
        t.header.len = f.wireLen();
        t.bytes.assign(f.bytes.begin(), f.bytes.begin() + f.caplen);
        frames_.push_back(std::move(t));
        return *this;
    }
    // Raw bytes, for frames no builder makes (shorter than Ethernet).
    Frames &addRaw(std::vector<uint8_t> bytes, uint64_t time_us) {
        TimedFrame t{};
        t.header.ts.tv_sec = static_cast<time_t>(time_us / kSec);
        t.header.ts.tv_usec = static_cast<suseconds_t>(time_us % kSec);
        t.header.caplen = t.header.len = static_cast<uint32_t>(bytes.size());
        t.bytes = std::move(bytes);
        frames_.push_back(std::move(t));
        return *this;
    }
    const std::vector<TimedFrame> &get() const { return frames_; }

  private:
    std::vector<TimedFrame> frames_;
};

}  // namespace nftest
