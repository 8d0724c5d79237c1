// The labels' arena: zeroed memory handed out in order, and its last
// 2 MB page put on 4 KB pages when less than half of it is used
// (releaseTail): what was handed out keeps its bytes, what comes after is
// zero, and that 2 MB is a mapping of its own, of small pages (which the
// process's maps show whether or not the kernel had granted a 2 MB page).
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

#include "labels/BigMemory.h"

namespace {

constexpr size_t kHugePage = size_t{2} << 20;

// The mapping (from /proc/self/smaps) that holds p: its range and flags.
struct Mapping {
    uintptr_t start = 0, end = 0;
    std::string flags;  // VmFlags, e.g. "rd wr mr mw me ac nh"
};
Mapping mappingOf(const void *p) {
    const auto at = reinterpret_cast<uintptr_t>(p);
    std::ifstream smaps("/proc/self/smaps");
    std::string line;
    Mapping m;
    bool in = false;
    while (std::getline(smaps, line)) {
        uintptr_t start = 0, end = 0;
        char dash = 0;
        std::istringstream head(line);
        if (head >> std::hex >> start >> dash >> end && dash == '-') {
            in = at >= start && at < end;
            if (in)
                m = Mapping{start, end, ""};
        } else if (in && line.rfind("VmFlags:", 0) == 0) {
            m.flags = line.substr(8);
            return m;
        }
    }
    return m;
}

size_t mappings() {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    size_t n = 0;
    while (std::getline(maps, line))
        n++;
    return n;
}

uint8_t pattern(size_t i) {
    return static_cast<uint8_t>(i * 131 + 7);
}

TEST(HugeArena, ReleaseTailKeepsWhatWasHandedOutOnSmallPages) {
    for (size_t tail : {size_t{100'000}, netflow::HugeArena::kSmallTail - 64,
                        netflow::HugeArena::kSmallTail, kHugePage - 64}) {
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
        const size_t before = mappings();
        arena.releaseTail();
        for (size_t i = 0; i < first; i += 4096)
            ASSERT_EQ(a[i], pattern(i)) << i;
        for (size_t i = 0; i < tail; i++)
            ASSERT_EQ(b[i], pattern(i)) << i;
        const Mapping m = mappingOf(b);
        if (tail < netflow::HugeArena::kSmallTail) {
            // That 2 MB alone, no 2 MB pages asked for.
            EXPECT_EQ(m.start, reinterpret_cast<uintptr_t>(b));
            EXPECT_EQ(m.end - m.start, kHugePage);
            EXPECT_NE(m.flags.find(" nh"), std::string::npos) << m.flags;
            EXPECT_EQ(mappings(), before + 2);  // the block cut in three
        } else {
            // The block, whole (or merged with a neighbour).
            EXPECT_LE(m.start, reinterpret_cast<uintptr_t>(a));
            EXPECT_GE(m.end, reinterpret_cast<uintptr_t>(b) + kHugePage);
            EXPECT_EQ(mappings(), before);
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
    size_t before = mappings();
    empty.releaseTail();
    EXPECT_EQ(mappings(), before);
    netflow::HugeArena full;
    auto *a = static_cast<uint8_t *>(full.allocateZeroed(kHugePage, 64));
    a[0] = 1;
    a[kHugePage - 1] = 2;
    before = mappings();
    full.releaseTail();  // its last byte ends a 2 MB page: that page is full
    EXPECT_EQ(mappings(), before);
    EXPECT_EQ(a[0], 1);
    EXPECT_EQ(a[kHugePage - 1], 2);
}

}  // namespace
