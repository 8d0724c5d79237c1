// Memory for the labels' large arrays (100,000 rules: ~40 MB written once
// while loading): fresh anonymous pages populated at mapping, and from 1 MB
// on, 2 MB pages. A fault costs ~5 us on the paravirtualised machines this
// runs on, and loading took ~7,000 of them with the heap's 4 KB pages (the
// rules, the items, the keys); populating maps the pages in one system call
// without a trap each, and a 2 MB page replaces 512 of them (also fewer TLB
// misses for the lookups into the index's tables).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <new>
#include <vector>

namespace netflow {

// From here on an allocation is mapped (below: the heap, reused).
inline constexpr size_t kMapFrom = 64 * 1024;

// `bytes` (>= kMapFrom) of zeroed memory, 64-byte aligned at least: populated
// 4 KB pages, or from 1 MB on 2 MB pages (the region rounded up to them and
// aligned to 2 MB). Throws std::bad_alloc. unmapZeroed takes the same bytes.
void *mapZeroed(size_t bytes);
void unmapZeroed(void *p, size_t bytes) noexcept;

// An allocator for large std::vectors: mapZeroed from kMapFrom bytes on,
// else operator new. The size a vector frees with is the one it asked for,
// so both ends pick the same way.
template <typename T>
struct BigAllocator {
    using value_type = T;
    BigAllocator() = default;
    template <typename U>
    BigAllocator(const BigAllocator<U> &) noexcept {}

    T *allocate(size_t n) {
        if (n > SIZE_MAX / sizeof(T))
            throw std::bad_array_new_length();
        const size_t bytes = n * sizeof(T);
        return static_cast<T *>(bytes >= kMapFrom ? mapZeroed(bytes) : ::operator new(bytes));
    }
    void deallocate(T *p, size_t n) noexcept {
        if (n * sizeof(T) >= kMapFrom)
            unmapZeroed(p, n * sizeof(T));
        else
            ::operator delete(p);
    }
    template <typename U>
    bool operator==(const BigAllocator<U> &) const noexcept {
        return true;
    }
};

template <typename T>
using BigVector = std::vector<T, BigAllocator<T>>;

// Many arrays of one job (the index of a rules file: a shape's table,
// filter, entries, time indexes, for dozens of shapes; or the scratch of
// building it) packed into 2 MB pages, handed out in order and freed all
// together with the arena (deallocate does nothing). The memory is never
// handed out twice, so it is zero when handed out. Each mapping of 4 KB
// pages cost ~15 us a page here, populated or not (a table of 512 KB,
// ~2 ms); an array of its own on 2 MB pages would waste most of one.
class HugeArena : public std::pmr::memory_resource {
  public:
    HugeArena() = default;
    ~HugeArena() override;
    HugeArena(const HugeArena &) = delete;
    HugeArena &operator=(const HugeArena &) = delete;

  private:
    void *do_allocate(size_t bytes, size_t alignment) override;
    void do_deallocate(void *, size_t, size_t) override {}
    bool do_is_equal(const std::pmr::memory_resource &o) const noexcept override {
        return this == &o;
    }

    struct Block {
        char *base;
        size_t size;
    };
    std::vector<Block> blocks_;
    char *next_ = nullptr, *end_ = nullptr;  // what is left of the block being filled
};

}  // namespace netflow
