// An array of n zeroed values of a trivial type, 64-byte aligned (a bucket
// is one cache line), for the index's large tables. The index takes them
// from its HugeArena (2 MB pages, zero when handed out: no memset over
// megabytes). Alone: from 64 KB on, fresh anonymous pages (mapZeroed:
// populated at mapping, or 2 MB pages from 1 MB on); below, the heap and
// one memset. calloc or malloc, tried, cost ~1,750 more page faults than
// either (freed memory reused less).
#pragma once

#include <cstddef>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

#include "labels/BigMemory.h"

namespace netflow {

template <typename T>
class ZeroedArray {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
    static constexpr std::align_val_t kAlign{64};

  public:
    ZeroedArray() = default;
    explicit ZeroedArray(size_t n) : size_(n) {
        if (n == 0)
            return;
        if (bytes() >= kMapFrom) {
            data_ = static_cast<T *>(mapZeroed(bytes()));
        } else {
            data_ = static_cast<T *>(::operator new(bytes(), kAlign));
            std::memset(static_cast<void *>(data_), 0, bytes());
        }
    }
    // From an arena (fresh memory: zero already), freed with it.
    ZeroedArray(size_t n, HugeArena &arena) : size_(n), in_arena_(true) {
        if (n)
            data_ = static_cast<T *>(arena.allocateZeroed(bytes(), static_cast<size_t>(kAlign)));
    }
    ZeroedArray(ZeroedArray &&o) noexcept
        : data_(std::exchange(o.data_, nullptr)),
          size_(std::exchange(o.size_, 0)),
          in_arena_(o.in_arena_) {}
    ZeroedArray &operator=(ZeroedArray &&o) noexcept {
        if (this != &o) {
            release();
            data_ = std::exchange(o.data_, nullptr);
            size_ = std::exchange(o.size_, 0);
            in_arena_ = o.in_arena_;
        }
        return *this;
    }
    ZeroedArray(const ZeroedArray &) = delete;
    ZeroedArray &operator=(const ZeroedArray &) = delete;
    ~ZeroedArray() { release(); }

    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    T &operator[](size_t i) { return data_[i]; }
    const T &operator[](size_t i) const { return data_[i]; }

  private:
    size_t bytes() const { return size_ * sizeof(T); }
    void release() {
        if (!data_ || in_arena_)
            return;
        if (bytes() >= kMapFrom)
            unmapZeroed(static_cast<void *>(data_), bytes());
        else
            ::operator delete(static_cast<void *>(data_), kAlign);
        data_ = nullptr;
    }

    T *data_ = nullptr;
    size_t size_ = 0;
    bool in_arena_ = false;
};

}  // namespace netflow
