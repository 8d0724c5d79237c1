// An array of n zero bytes' values of a trivial type, for the index's
// large tables: from 64 KB on, fresh anonymous pages (zero already: no
// writing of megabytes that mostly stay zero, and pages never touched cost
// no memory), below that the heap. Page-aligned from 64 KB on, 64-byte
// aligned below (a bucket is one cache line).
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace netflow {

template <typename T>
class ZeroedArray {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

  public:
    static constexpr size_t kMapFrom = 64 * 1024;  // bytes

    ZeroedArray() = default;
    explicit ZeroedArray(size_t n) : size_(n) {
        bytes_ = n * sizeof(T);
        if (n == 0)
            return;
        if (bytes_ >= kMapFrom) {
            void *p =
                ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED)
                throw std::bad_alloc();
            data_ = static_cast<T *>(p);
            mapped_ = true;
        } else {
            const size_t rounded = (bytes_ + 63) / 64 * 64;
            void *p = std::aligned_alloc(64, rounded);
            if (!p)
                throw std::bad_alloc();
            std::memset(p, 0, bytes_);
            data_ = static_cast<T *>(p);
        }
    }
    ZeroedArray(ZeroedArray &&o) noexcept
        : data_(std::exchange(o.data_, nullptr)),
          size_(std::exchange(o.size_, 0)),
          bytes_(std::exchange(o.bytes_, 0)),
          mapped_(o.mapped_) {}
    ZeroedArray &operator=(ZeroedArray &&o) noexcept {
        if (this != &o) {
            release();
            data_ = std::exchange(o.data_, nullptr);
            size_ = std::exchange(o.size_, 0);
            bytes_ = std::exchange(o.bytes_, 0);
            mapped_ = o.mapped_;
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
    void release() {
        if (!data_)
            return;
        if (mapped_)
            ::munmap(data_, bytes_);
        else
            std::free(data_);
        data_ = nullptr;
    }

    T *data_ = nullptr;
    size_t size_ = 0, bytes_ = 0;
    bool mapped_ = false;
};

}  // namespace netflow
