#include "flow/ChunkedVector.h"

#include <gtest/gtest.h>

#include <string>

namespace netflow {
namespace {

TEST(ChunkedVector, AppendsAcrossChunksWithoutMovingElements) {
    ChunkedVector<std::string, 2> v;  // chunks of 4
    std::vector<const std::string *> where;
    for (int i = 0; i < 11; i++) {
        std::string &s = v.emplace_back();
        EXPECT_TRUE(s.empty());  // value-initialised
        s = "flow" + std::to_string(i);
        where.push_back(&s);
    }
    ASSERT_EQ(v.size(), 11u);
    for (int i = 0; i < 11; i++) {
        EXPECT_EQ(v[static_cast<size_t>(i)], "flow" + std::to_string(i));
        EXPECT_EQ(&v[static_cast<size_t>(i)], where[static_cast<size_t>(i)]);  // never moved
    }
}

TEST(ChunkedVector, HoldsWholeChunksOnlyNoDoublingSlack) {
    ChunkedVector<uint64_t, 4> v;  // chunks of 16
    EXPECT_EQ(v.size(), 0u);
    for (int i = 0; i < 17; i++)
        v.emplace_back() = static_cast<uint64_t>(i);
    // 17 elements: two chunks of 16, not a doubled buffer of 32 plus a copy.
    size_t elements = v.capacityBytes() / sizeof(uint64_t);
    EXPECT_GE(elements, 32u);
    EXPECT_LT(elements, 32u + 8u);  // plus the small chunk index
    const auto &cv = v;
    EXPECT_EQ(cv[16], 16u);
    EXPECT_EQ(cv[15], 15u);
}

}  // namespace
}  // namespace netflow
