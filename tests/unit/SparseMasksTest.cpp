// The label index's compact lead masks against the table they are made
// from, at every one of the 65,536 places: none set, all set, blocks of
// 64 whose first or last alone is, and random tables of several
// densities.
#include <gtest/gtest.h>

#include <random>

#include "labels/BigMemory.h"
#include "labels/SparseMasks.h"
#include "labels/ZeroedArray.h"

namespace {

using netflow::HugeArena;
using netflow::SparseMasks;
using netflow::ZeroedArray;

void expectSame(const ZeroedArray<uint64_t> &table) {
    HugeArena arena;
    SparseMasks masks;
    masks.build(table, arena);
    EXPECT_FALSE(masks.empty());
    for (uint64_t v = 0; v < 65536; v++)
        ASSERT_EQ(masks[v], table[v]) << v;
}

TEST(SparseMasks, AgreeWithTheirTableEverywhere) {
    HugeArena scratch;
    std::mt19937_64 rng(7);
    for (int kind = 0; kind < 7; kind++) {
        SCOPED_TRACE(kind);
        ZeroedArray<uint64_t> table(65536, scratch);
        for (size_t v = 0; v < table.size(); v++) {
            switch (kind) {
                case 0:  // none
                    break;
                case 1:  // all
                    table[v] = rng() | 1;
                    break;
                case 2:  // the first of each block of 64
                    table[v] = v % 64 == 0 ? v + 1 : 0;
                    break;
                case 3:  // the last of each block of 64
                    table[v] = v % 64 == 63 ? v + 1 : 0;
                    break;
                default:  // random, 1 in 2, 8, 64
                    table[v] = rng() % (kind == 4 ? 2 : kind == 5 ? 8 : 64) == 0 ? rng() | 1 : 0;
                    break;
            }
        }
        ASSERT_NO_FATAL_FAILURE(expectSame(table));
        scratch.rewind();
    }
}

TEST(SparseMasks, EmptyUntilBuilt) {
    SparseMasks masks;
    EXPECT_TRUE(masks.empty());
}

}  // namespace
