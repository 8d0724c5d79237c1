// A bounded ring of reusable slots between one producer thread and one
// consumer thread, without a lock: the producer fills the slot at the head
// in place and publishes it, the consumer reads the slot at the tail and
// releases it. A side that finds the ring full (or empty) sleeps on the
// other side's counter (a futex through std::atomic::wait), so an idle
// thread costs no CPU. Slots keep their contents when reused (vectors keep
// their capacity: no allocation in the steady state).
#pragma once

#include <atomic>
#include <cstdint>
#include <vector>

namespace netflow {

template <typename T>
class SpscRing {
  public:
    // `bell`: rung after each publish, for a consumer that waits on several
    // rings at once (it may be null).
    explicit SpscRing(uint32_t capacity, std::atomic<uint32_t> *bell = nullptr)
        : slots_(capacity), bell_(bell) {}
    SpscRing(const SpscRing &) = delete;
    SpscRing &operator=(const SpscRing &) = delete;

    // Producer: the slot to fill next, after waiting for room.
    T &slotToFill() {
        const uint32_t head = head_.load(std::memory_order_relaxed);
        for (;;) {
            const uint32_t tail = tail_.load(std::memory_order_acquire);
            if (head - tail < slots_.size())
                break;
            tail_.wait(tail, std::memory_order_acquire);
        }
        return slots_[head % slots_.size()];
    }
    // Producer: hands the filled slot to the consumer.
    void publish() {
        head_.fetch_add(1, std::memory_order_release);
        head_.notify_one();
        if (bell_) {
            bell_->fetch_add(1, std::memory_order_release);
            bell_->notify_one();
        }
    }

    // Consumer: the oldest published slot, or null when there is none.
    T *peek() {
        const uint32_t tail = tail_.load(std::memory_order_relaxed);
        if (head_.load(std::memory_order_acquire) == tail)
            return nullptr;
        return &slots_[tail % slots_.size()];
    }
    // Consumer: the oldest published slot, after waiting for one.
    T &waitFront() {
        const uint32_t tail = tail_.load(std::memory_order_relaxed);
        for (;;) {
            const uint32_t head = head_.load(std::memory_order_acquire);
            if (head != tail)
                break;
            head_.wait(head, std::memory_order_acquire);
        }
        return slots_[tail % slots_.size()];
    }
    // Consumer: gives the slot back to the producer.
    void release() {
        tail_.fetch_add(1, std::memory_order_release);
        tail_.notify_one();
    }

  private:
    std::vector<T> slots_;
    std::atomic<uint32_t> *bell_;
    alignas(64) std::atomic<uint32_t> head_{0};  // slots published
    alignas(64) std::atomic<uint32_t> tail_{0};  // slots released
};

}  // namespace netflow
