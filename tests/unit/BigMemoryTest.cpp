// The labels' arena: zeroed memory handed out in order, and its last
// 2 MB page put on 4 KB pages when little of it is used (releaseTail):
// what was handed out keeps its bytes, what comes after is zero, and the
// rest of that 2 MB is no longer memory the process holds.
#include <gtest/gtest.h>

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "labels/BigMemory.h"

namespace {

constexpr size_t kHugePage = size_t{2} << 20;

// 4 KB pages of [p, p + bytes) in memory.
size_t residentPages(const void *p, size_t bytes) {
    std::vector<unsigned char> in(bytes / 4096);
    EXPECT_EQ(::mincore(const_cast<void *>(p), bytes, in.data()), 0);
    size_t n = 0;
    for (unsigned char c : in)
        n += c & 1;
    return n;
}

uint8_t pattern(size_t i) {
    return static_cast<uint8_t>(i * 131 + 7);
}

TEST(HugeArena, ReleaseTailKeepsWhatWasHandedOutAndFreesTheRest) {
    for (size_t tail : {size_t{100'000}, netflow::HugeArena::kSmallTail - 64, kHugePage / 2}) {
        SCOPED_TRACE(tail);
        netflow::HugeArena arena;
        // Two 2 MB pages filled, then `tail` bytes of the third.
        const size_t first = 2 * kHugePage;
        auto *a = static_cast<uint8_t *>(arena.allocateZeroed(first, 64));
        auto *b = static_cast<uint8_t *>(arena.allocateZeroed(tail, 64));
        ASSERT_EQ(b, a + first);
        ASSERT_EQ(reinterpret_cast<uintptr_t>(b) % kHugePage, 0u);
        for (size_t i = 0; i < first; i += 4096)
            a[i] = pattern(i);
        for (size_t i = 0; i < tail; i++)
            b[i] = pattern(i);
        arena.releaseTail();
        for (size_t i = 0; i < first; i += 4096)
            ASSERT_EQ(a[i], pattern(i)) << i;
        for (size_t i = 0; i < tail; i++)
            ASSERT_EQ(b[i], pattern(i)) << i;
        const size_t tail_pages = (tail + 4095) / 4096;
        if (tail < netflow::HugeArena::kSmallTail) {
            // Only the pages the tail's bytes are on (a 2 MB page, if the
            // kernel granted one, counted 512).
            EXPECT_LE(residentPages(b, kHugePage), tail_pages);
        }
        // Handed out afterwards: zero, and writable, in the same page and
        // past it.
        auto *c = static_cast<uint8_t *>(arena.allocateZeroed(kHugePage, 64));
        ASSERT_EQ(c, b + (tail + 63) / 64 * 64);  // 64-byte aligned
        for (size_t i = 0; i < kHugePage; i += 512) {
            ASSERT_EQ(c[i], 0) << i;
            c[i] = 1;
        }
        for (size_t i = 0; i < tail; i++)
            ASSERT_EQ(b[i], pattern(i)) << i;
    }
}

TEST(HugeArena, ReleaseTailOfAnEmptyOrFullArenaDoesNothing) {
    netflow::HugeArena empty;
    empty.releaseTail();
    netflow::HugeArena full;
    auto *a = static_cast<uint8_t *>(full.allocateZeroed(kHugePage, 64));
    a[0] = 1;
    a[kHugePage - 1] = 2;
    full.releaseTail();  // its last byte ends a 2 MB page: that page is full
    EXPECT_EQ(a[0], 1);
    EXPECT_EQ(a[kHugePage - 1], 2);
}

}  // namespace
