// SpoolFile: JSON lines appended at the end, read from the front, kept
// across runs (reopen), a cut last line dropped, emptied and removed once
// every line was read, and one spool per process (flock).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "delivery/SpoolFile.h"

namespace {

using netflow::SpoolError;
using netflow::SpoolFile;

class SpoolFileTest : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto *info = ::testing::UnitTest::GetInstance()->current_test_info();
        path_ = ::testing::TempDir() + "netflow_spool_" + info->name() + "_" +
                std::to_string(::getpid()) + ".jsonl";
        std::remove(path_.c_str());
    }
    void TearDown() override {
        std::remove(path_.c_str());
        std::remove((path_ + ".tmp").c_str());
    }
    std::string contents() const {
        std::ifstream in(path_, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        return ss.str();
    }
    void write(const std::string &bytes) const { std::ofstream(path_, std::ios::binary) << bytes; }
    bool exists() const {
        struct stat st {};
        return ::stat(path_.c_str(), &st) == 0;
    }
    static std::vector<std::string> readAll(SpoolFile &spool) {
        std::vector<std::string> lines;
        std::string line;
        while (spool.readLine(line))
            lines.push_back(line);
        return lines;
    }
    std::string path_;
};

TEST_F(SpoolFileTest, AppendedLinesAreReadBackInOrder) {
    SpoolFile spool(path_);
    spool.append(R"({"a":1})");
    spool.append(R"({"a":2})");
    EXPECT_EQ(spool.pending(), 2u);
    EXPECT_EQ(readAll(spool), (std::vector<std::string>{R"({"a":1})", R"({"a":2})"}));
    EXPECT_EQ(spool.pending(), 0u);
    spool.append(R"({"a":3})");
    EXPECT_EQ(readAll(spool), (std::vector<std::string>{R"({"a":3})"}));
    EXPECT_EQ(spool.close(), "");
    EXPECT_FALSE(exists()) << "an empty spool is removed";
}

TEST_F(SpoolFileTest, UnreadLinesSurviveAReopen) {
    {
        SpoolFile spool(path_);
        for (int i = 0; i < 5; i++)
            spool.append("{\"n\":" + std::to_string(i) + "}");
        std::string line;
        ASSERT_TRUE(spool.readLine(line));
        ASSERT_TRUE(spool.readLine(line));
        EXPECT_EQ(line, R"({"n":1})");
        EXPECT_EQ(spool.close(), "");
    }
    EXPECT_EQ(contents(), "{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n") << "read lines are cut on close";
    SpoolFile again(path_);
    EXPECT_EQ(again.inherited(), 3u);
    EXPECT_EQ(again.pending(), 3u);
    again.append(R"({"n":5})");
    EXPECT_EQ(readAll(again),
              (std::vector<std::string>{R"({"n":2})", R"({"n":3})", R"({"n":4})", R"({"n":5})"}));
    EXPECT_EQ(again.close(), "");
    EXPECT_FALSE(exists());
}

TEST_F(SpoolFileTest, ManyLinesCrossTheBuffers) {
    const std::string pad(300, 'x');
    {
        SpoolFile spool(path_);
        for (int i = 0; i < 2000; i++)
            spool.append("{\"n\":" + std::to_string(i) + ",\"p\":\"" + pad + "\"}");
        EXPECT_EQ(spool.close(), "");
    }
    SpoolFile spool(path_);
    EXPECT_EQ(spool.inherited(), 2000u);
    std::vector<std::string> lines = readAll(spool);
    ASSERT_EQ(lines.size(), 2000u);
    for (int i = 0; i < 2000; i++)
        EXPECT_EQ(lines[i], "{\"n\":" + std::to_string(i) + ",\"p\":\"" + pad + "\"}");
}

TEST_F(SpoolFileTest, ACutLastLineIsDroppedAndCounted) {
    write("{\"a\":1}\n{\"a\":2}\n{\"a\":");
    SpoolFile spool(path_);
    EXPECT_EQ(spool.inherited(), 2u);
    EXPECT_EQ(spool.droppedTailBytes(), 5u);
    EXPECT_EQ(contents(), "{\"a\":1}\n{\"a\":2}\n");
    spool.append(R"({"a":3})");
    EXPECT_EQ(readAll(spool), (std::vector<std::string>{R"({"a":1})", R"({"a":2})", R"({"a":3})"}));
}

TEST_F(SpoolFileTest, EmptyLinesAreSkippedNotCounted) {
    write("{\"a\":1}\n\n{\"a\":2}\n");
    SpoolFile spool(path_);
    EXPECT_EQ(spool.inherited(), 2u);
    EXPECT_EQ(readAll(spool), (std::vector<std::string>{R"({"a":1})", R"({"a":2})"}));
}

TEST_F(SpoolFileTest, AFileThatIsNotASpoolIsRefusedAndKept) {
    write("IPV4_SRC_ADDR,L4_SRC_PORT\r\n10.0.0.1,80\r\n");
    EXPECT_THROW(SpoolFile{path_}, SpoolError);
    EXPECT_EQ(contents(), "IPV4_SRC_ADDR,L4_SRC_PORT\r\n10.0.0.1,80\r\n");
}

TEST_F(SpoolFileTest, OneSpoolPerProcessAtATime) {
    SpoolFile first(path_);
    try {
        SpoolFile second(path_);
        FAIL() << "a second open of a locked spool succeeded";
    } catch (const SpoolError &e) {
        EXPECT_NE(std::string(e.what()).find("in use"), std::string::npos) << e.what();
    }
}

TEST_F(SpoolFileTest, UncreatableSpoolThrows) {
    EXPECT_THROW(SpoolFile{"/nonexistent-netflow-dir/spool.jsonl"}, SpoolError);
}

TEST_F(SpoolFileTest, UnreadLinesStayWhenNothingWasRead) {
    {
        SpoolFile spool(path_);
        spool.append(R"({"a":1})");
        EXPECT_EQ(spool.close(), "");
    }
    EXPECT_EQ(contents(), "{\"a\":1}\n");
}

}  // namespace
