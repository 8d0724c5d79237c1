#include "delivery/FlowQueue.h"

namespace netflow {

bool FlowQueue::tryPush(std::string &line, size_t *size_after) {
    std::lock_guard lock(mutex_);
    if (items_.size() >= capacity_)
        return false;
    items_.push_back({std::move(line), Clock::now()});
    if (size_after)
        *size_after = items_.size();
    return true;
}

bool FlowQueue::waitForRoom(std::chrono::milliseconds wait) {
    std::unique_lock lock(mutex_);
    return room_.wait_for(lock, wait, [&] { return items_.size() < capacity_; });
}

size_t FlowQueue::popUpTo(size_t max, std::vector<std::string> &out) {
    size_t n = 0;
    {
        std::lock_guard lock(mutex_);
        for (; n < max && !items_.empty(); n++) {
            out.push_back(std::move(items_.front().line));
            items_.pop_front();
        }
    }
    if (n)
        room_.notify_one();
    return n;
}

size_t FlowQueue::size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
}

FlowQueue::Clock::time_point FlowQueue::oldest() const {
    std::lock_guard lock(mutex_);
    return items_.empty() ? Clock::time_point::max() : items_.front().queued;
}

}  // namespace netflow
