#include "app/FtpReplyTracker.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace netflow {
namespace {

uint16_t feed(const std::vector<std::string> &packets) {
    FtpReplyTracker t;
    for (const auto &p : packets) {
        t.feedServerBytes(std::span(reinterpret_cast<const uint8_t *>(p.data()), p.size()));
    }
    return t.lastCode();
}

TEST(FtpReplyTracker, NoDataIsZero) {
    EXPECT_EQ(FtpReplyTracker{}.lastCode(), 0);
    EXPECT_EQ(feed({""}), 0);
}

TEST(FtpReplyTracker, SingleReplyCrlfAndLf) {
    EXPECT_EQ(feed({"220 Service ready\r\n"}), 220);
    EXPECT_EQ(feed({"220 Service ready\n"}), 220);
}

TEST(FtpReplyTracker, LastReplyWins) {
    EXPECT_EQ(feed({"220 hi\r\n331 pass?\r\n", "230 ok\r\n", "250 done\r\n"}), 250);
}

TEST(FtpReplyTracker, IncompleteLastLineDoesNotCount) {
    EXPECT_EQ(feed({"220 hi\r\n", "530 denied"}), 220);
    EXPECT_EQ(feed({"530 denied\r"}), 0);
}

TEST(FtpReplyTracker, LineCompletedByLaterPacket) {
    EXPECT_EQ(feed({"220 hi\r\n", "530 denied", "\r\n"}), 530);
}

TEST(FtpReplyTracker, MultiLineReplyCountsFinalLineOnly) {
    EXPECT_EQ(feed({"220 hi\r\n230-Welcome\r\n230-more\r\n"}), 220);
    EXPECT_EQ(feed({"220 hi\r\n230-Welcome\r\n text 999 x\r\n230 done\r\n"}), 230);
}

TEST(FtpReplyTracker, MultiLineReplySplitAcrossPackets) {
    EXPECT_EQ(feed({"211-Fea", "tures:\r\n MDTM\r", "\n SIZE\r\n21", "1", " End\r", "\n"}), 211);
}

TEST(FtpReplyTracker, CodeSplitInsideFirstFourBytes) {
    EXPECT_EQ(feed({"2", "30 ok\r\n"}), 230);
    EXPECT_EQ(feed({"23", "0", " ok\r\n"}), 230);
    EXPECT_EQ(feed({"230", " ok\r\n"}), 230);
    EXPECT_EQ(feed({"230", "-ok\r\n"}), 0);
}

TEST(FtpReplyTracker, EverySplitPointGivesSameResult) {
    const std::string stream = "220-a\r\n220 b\r\n\r\n331-x\r\n331 need pass\r\n12 x\r\n4000 y\r\n";
    for (size_t i = 0; i <= stream.size(); ++i) {
        for (size_t j = i; j <= stream.size(); ++j) {
            EXPECT_EQ(feed({stream.substr(0, i), stream.substr(i, j - i), stream.substr(j)}), 331)
                << i << "," << j;
        }
    }
}

TEST(FtpReplyTracker, ThreeDigitsWithoutSpace) {
    EXPECT_EQ(feed({"230-\r\n"}), 0);
    EXPECT_EQ(feed({"230\r\n"}), 0);
    EXPECT_EQ(feed({"230\n"}), 0);
    EXPECT_EQ(feed({"2300 x\n"}), 0);
}

TEST(FtpReplyTracker, NotAReplyLine) {
    EXPECT_EQ(feed({" 230 x\n", "23 x\n", "2a0 x\n", "\n", "\r\n"}), 0);
}

TEST(FtpReplyTracker, EmptyLinesBetweenReplies) {
    EXPECT_EQ(feed({"220 a\n\n\r\n"}), 220);
}

TEST(FtpReplyTracker, CodeWithNothingAfterSpace) {
    EXPECT_EQ(feed({"226 \r\n"}), 226);
    EXPECT_EQ(feed({"226 \n"}), 226);
}

TEST(FtpReplyTracker, StateIsSmall) {
    EXPECT_LE(sizeof(FtpReplyTracker), 8u);
}

}  // namespace
}  // namespace netflow
