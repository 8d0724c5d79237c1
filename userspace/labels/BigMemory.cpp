#include "labels/BigMemory.h"

#include <sys/mman.h>

#include <algorithm>
#include <algorithm>
#include <cstdint>

namespace netflow {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kHugeFrom = size_t{1} << 20;  // bytes; below, 4 KB pages

size_t mappedBytes(size_t bytes) {
    return bytes >= kHugeFrom ? (bytes + kHugePage - 1) & ~(kHugePage - 1) : bytes;
}

}  // namespace

void *mapZeroed(size_t bytes) {
    const size_t size = mappedBytes(bytes);
    if (size < kHugeFrom) {
        void *p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p == MAP_FAILED)
            throw std::bad_alloc();
        return p;
    }
    // 2 MB more than needed, then the unaligned head and the tail unmapped:
    // a 2 MB page needs a 2 MB-aligned range.
    void *raw = ::mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        throw std::bad_alloc();
    const auto start = reinterpret_cast<uintptr_t>(raw);
    const uintptr_t aligned = (start + kHugePage - 1) & ~(kHugePage - 1);
    if (aligned > start)
        ::munmap(raw, aligned - start);
    const size_t tail = start + size + kHugePage - (aligned + size);
    if (tail)
        ::munmap(reinterpret_cast<void *>(aligned + size), tail);
    void *p = reinterpret_cast<void *>(aligned);
    // Transparent huge pages are often granted only to ranges that ask
    // (madvise mode). Either call may fail (no THP; a kernel before 5.14):
    // then the pages come by faults, as the heap's would.
    ::madvise(p, size, MADV_HUGEPAGE);
#ifdef MADV_POPULATE_WRITE
    ::madvise(p, size, MADV_POPULATE_WRITE);
#endif
    return p;
}

void unmapZeroed(void *p, size_t bytes) noexcept {
    ::munmap(p, mappedBytes(bytes));
}

HugeArena::~HugeArena() {
    for (const Block &b : blocks_)
        unmapZeroed(b.base, b.size);
}

void *HugeArena::do_allocate(size_t bytes, size_t alignment) {
    bytes = std::max<size_t>(bytes, 1);
    const auto end = reinterpret_cast<uintptr_t>(end_);
    const auto at = (reinterpret_cast<uintptr_t>(next_) + alignment - 1) & ~(alignment - 1);
    if (next_ && at <= end && bytes <= end - at) {
        next_ = reinterpret_cast<char *>(at + bytes);
        return reinterpret_cast<void *>(at);
    }
    // Half a 2 MB page or more: a block of its own (what is left of the
    // one being filled stays for the next small arrays). Blocks are 2 MB
    // aligned: any alignment asked.
    const size_t size = mappedBytes(std::max(bytes, kHugeFrom));
    blocks_.reserve(blocks_.size() + 1);
    auto *base = static_cast<char *>(mapZeroed(size));
    blocks_.push_back(Block{base, size});
    if (bytes < kHugePage / 2) {
        next_ = base + bytes;
        end_ = base + size;
    }
    return base;
}

}  // namespace netflow
