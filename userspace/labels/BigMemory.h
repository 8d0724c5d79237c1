// Memory for the labels' large arrays (100,000 rules: ~50 MB written once
// while loading): 2 MB pages from 1 MB on. Mapping a 4 KB page costs
// ~5-15 us on the paravirtualised machines this runs on, by fault or
// populated at mapping alike, and loading mapped ~7,000 of them on the
// heap (the rules, the items, the keys); a 2 MB page replaces 512 (and
// the lookups into the index's tables miss the TLB less).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <new>
#include <vector>

namespace netflow {

// From here on an allocation is mapped (below: the heap, reused).
inline constexpr size_t kMapFrom = 64 * 1024;

// `bytes` (>= kMapFrom) of zeroed memory, 64-byte aligned at least: 4 KB
// pages populated at mapping, or from 1 MB on 2 MB pages (the region
// rounded up to them and aligned to 2 MB), each mapped at its first touch.
// Throws std::bad_alloc. unmapZeroed takes the same bytes.
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
// together with the arena (deallocate does nothing). Blocks of address
// space (32 MB, then twice the last) cost a fault a 2 MB page touched;
// until a rewind, the memory is handed out once, so it is zero. A table
// of 512 KB on 4 KB pages cost ~2 ms to map here; an array of its own on
// 2 MB pages would waste most of one (the index has hundreds of arrays).
class HugeArena : public std::pmr::memory_resource {
  public:
    HugeArena() = default;
    ~HugeArena() override;
    HugeArena(const HugeArena &) = delete;
    HugeArena &operator=(const HugeArena &) = delete;

    // Zeroed memory (after a rewind, zeroed again).
    void *allocateZeroed(size_t bytes, size_t alignment);
    // Takes back all it handed out, keeping its pages for what comes next
    // (scratch of one step after another: zeroing fresh pages cost ~0.4 ms
    // a 2 MB page here).
    void rewind();
    // For an arena whose filling is done: the 2 MB page it handed out its
    // last bytes from, when they are less than half of it, put on 4 KB
    // pages instead (copied; the 2 MB page freed). The index of 100,000
    // CIC-style rules (8.2 MB) kept 10 MB for the whole run; memory held
    // through a run cost it ~1-4.5 ms a MB on one host here (4-20 MB
    // held; nothing on another: what a host charges for fresh memory
    // depends on its state), a 4 KB page ~10 us (docs/decisions.md,
    // "Labels: the index's memory", "Labels: the verdict's rounds").
    // What it hands out afterwards is zeroed memory still. Throws
    // std::bad_alloc only when the move failed and the 2 MB page, gone,
    // could not be mapped again.
    static constexpr size_t kSmallTail = size_t{1} << 20;
    void releaseTail();

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
    std::vector<Block> blocks_;  // in use before in_use_, free from there
    size_t in_use_ = 0;
    char *next_ = nullptr, *end_ = nullptr;  // what is left of the block being filled
    bool reused_ = false;                    // rewound once: not zero any more
};

}  // namespace netflow
