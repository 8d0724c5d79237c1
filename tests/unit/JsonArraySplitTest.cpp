// splitJsonArray: the top-level elements of a JSON array's text (for -v
// with --batch: one verdict line per flow).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "delivery/JsonArraySplit.h"

namespace {

using netflow::splitJsonArray;
using V = std::vector<std::string>;

TEST(JsonArraySplit, ElementsOfAnArray) {
    EXPECT_EQ(splitJsonArray("[1,2,3]"), (V{"1", "2", "3"}));
    EXPECT_EQ(splitJsonArray(" [ {\"v\":0} , {\"v\":1} ]\n"), (V{"{\"v\":0}", "{\"v\":1}"}));
    EXPECT_EQ(splitJsonArray("[]"), V{});
    EXPECT_EQ(splitJsonArray("[ ]"), V{});
    EXPECT_EQ(splitJsonArray("[\"a\"]"), V{"\"a\""});
}

TEST(JsonArraySplit, ElementsKeepTheirKeyOrder) {
    EXPECT_EQ(splitJsonArray(R"([{"verdict":"attack","score":0.9,"a":1}])"),
              (V{R"({"verdict":"attack","score":0.9,"a":1})"}));
}

TEST(JsonArraySplit, CommasInsideStringsAndNestingDoNotSplit) {
    EXPECT_EQ(splitJsonArray(R"([{"a":[1,2],"b":"x,y"},"q\",r",[3,[4,5]]])"),
              (V{R"({"a":[1,2],"b":"x,y"})", R"("q\",r")", "[3,[4,5]]"}));
    EXPECT_EQ(splitJsonArray(R"(["\\",1])"), (V{R"("\\")", "1"}));
    EXPECT_EQ(splitJsonArray(R"(["]",1])"), (V{R"("]")", "1"}));
}

TEST(JsonArraySplit, NotAnArrayOrUnbalanced) {
    EXPECT_EQ(splitJsonArray("{\"verdict\":1}"), std::nullopt);
    EXPECT_EQ(splitJsonArray("ok"), std::nullopt);
    EXPECT_EQ(splitJsonArray(""), std::nullopt);
    EXPECT_EQ(splitJsonArray("["), std::nullopt);
    EXPECT_EQ(splitJsonArray("[1,]"), std::nullopt);
    EXPECT_EQ(splitJsonArray("[,1]"), std::nullopt);
    EXPECT_EQ(splitJsonArray("[{]"), std::nullopt);
    EXPECT_EQ(splitJsonArray("[}]"), std::nullopt);
    EXPECT_EQ(splitJsonArray("[\"a]"), std::nullopt);
}

}  // namespace
