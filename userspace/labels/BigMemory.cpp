#include "labels/BigMemory.h"

#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <utility>

namespace netflow {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;
constexpr size_t kHugeFrom = size_t{1} << 20;     // bytes; below, 4 KB pages
constexpr size_t kFirstBlock = size_t{32} << 20;  // an arena's

size_t mappedBytes(size_t bytes) {
    return bytes >= kHugeFrom ? (bytes + kHugePage - 1) & ~(kHugePage - 1) : bytes;
}

}  // namespace

namespace {

// size (a multiple of 2 MB) bytes, 2 MB aligned, asking for 2 MB pages:
// address space until touched, then a fault a 2 MB page (populating them
// at mapping, tried, was no faster, and zeroed pages never touched).
void *mapHuge(size_t size) {
    // 2 MB more than needed, then the unaligned head and the tail unmapped:
    // a 2 MB page needs a 2 MB-aligned range.
    void *raw = ::mmap(nullptr, size + kHugePage, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
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
    // (madvise mode). If this fails (no THP), 4 KB pages come by faults, as
    // the heap's would.
    ::madvise(p, size, MADV_HUGEPAGE);
    return p;
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
    return mapHuge(size);
}

void unmapZeroed(void *p, size_t bytes) noexcept {
    ::munmap(p, mappedBytes(bytes));
}

HugeArena::~HugeArena() {
    for (const Block &b : blocks_)
        ::munmap(b.base, b.size);
}

void *HugeArena::do_allocate(size_t bytes, size_t alignment) {
    bytes = std::max<size_t>(bytes, 1);
    const auto end = reinterpret_cast<uintptr_t>(end_);
    const auto at = (reinterpret_cast<uintptr_t>(next_) + alignment - 1) & ~(alignment - 1);
    if (next_ && at <= end && bytes <= end - at) {
        next_ = reinterpret_cast<char *>(at + bytes);
        return reinterpret_cast<void *>(at);
    }
    // A new block, twice the last one's size (the first 32 MB) or what is
    // asked: address space only until touched, a 2 MB page a fault. A free
    // one (after a rewind) large enough first.
    const size_t want = (std::max(bytes, kHugePage) + kHugePage - 1) & ~(kHugePage - 1);
    size_t k = in_use_;
    while (k < blocks_.size() && blocks_[k].size < want)
        k++;
    if (k == blocks_.size()) {
        const size_t size = std::max(want, blocks_.empty() ? kFirstBlock : 2 * blocks_.back().size);
        blocks_.push_back(Block{static_cast<char *>(mapHuge(size)), size});
    }
    std::swap(blocks_[k], blocks_[in_use_]);
    const Block &block = blocks_[in_use_++];
    char *base = block.base;
    next_ = base + bytes;
    end_ = base + block.size;
    return base;
}

void *HugeArena::allocateZeroed(size_t bytes, size_t alignment) {
    void *p = allocate(bytes, alignment);
    if (reused_)
        std::memset(p, 0, bytes);
    return p;
}

void HugeArena::releaseTail() {
    if (!next_)
        return;
    const auto used_end = reinterpret_cast<uintptr_t>(next_);
    const uintptr_t page = (used_end - 1) & ~(kHugePage - 1);  // of the last byte handed out
    const size_t used = used_end - page;
    if (used >= kSmallTail || page + kHugePage > reinterpret_cast<uintptr_t>(end_))
        return;
    // A mapping of 4 KB pages, the bytes handed out copied, moved over the
    // 2 MB page: the whole 2 MB page unmapped is freed at once (one cut in
    // part would wait for the kernel's deferred split).
    void *small = ::mmap(nullptr, kHugePage, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (small == MAP_FAILED)
        return;
    ::madvise(small, kHugePage, MADV_NOHUGEPAGE);
    void *const at = reinterpret_cast<void *>(page);
    std::memcpy(small, at, used);
    if (::mremap(small, kHugePage, kHugePage, MREMAP_MAYMOVE | MREMAP_FIXED, at) != MAP_FAILED)
        return;
    // A move that failed may have unmapped the 2 MB page already (the
    // kernel clears the target first): then it is mapped again and its
    // bytes copied back (MAP_FIXED_NOREPLACE: EEXIST while it is there).
    void *again = ::mmap(at, kHugePage, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
    const bool intact = again == MAP_FAILED && errno == EEXIST;
    if (again == at)
        std::memcpy(at, small, used);
    else if (again != MAP_FAILED)  // a kernel without the flag placed it elsewhere
        ::munmap(again, kHugePage);
    ::munmap(small, kHugePage);
    if (again != at && !intact)
        throw std::bad_alloc();
}

void HugeArena::rewind() {
    in_use_ = 0;
    next_ = end_ = nullptr;
    reused_ = true;
}

}  // namespace netflow
