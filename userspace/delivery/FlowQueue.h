// The bounded queue between the capture thread (one producer) and the
// sender thread (one consumer): encoded flows, oldest first. The producer
// never blocks unless it asks to (offline runs wait for room while the
// endpoint keeps up); a full queue is the caller's cue to spool.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

namespace netflow {

class FlowQueue {
  public:
    using Clock = std::chrono::steady_clock;

    explicit FlowQueue(size_t capacity) : capacity_(capacity ? capacity : 1) {}

    // Adds a flow when there is room (then returns true and the queue's new
    // size in *size_after); false leaves `line` with the caller.
    bool tryPush(std::string &line, size_t *size_after = nullptr);

    // Waits until there is room, at most `wait`. True when there is room.
    bool waitForRoom(std::chrono::milliseconds wait);

    // Moves up to `max` flows, oldest first, to the end of `out`.
    size_t popUpTo(size_t max, std::vector<std::string> &out);

    size_t size() const;
    // When the oldest queued flow was pushed; Clock::time_point::max() if empty.
    Clock::time_point oldest() const;
    size_t capacity() const { return capacity_; }

  private:
    struct Item {
        std::string line;
        Clock::time_point queued;
    };
    const size_t capacity_;
    mutable std::mutex mutex_;
    std::condition_variable room_;
    std::deque<Item> items_;
};

}  // namespace netflow
