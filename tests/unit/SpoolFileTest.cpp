// SpoolFile: JSON lines appended at the end, read from the front, kept
// across runs (reopen), a cut last line dropped, emptied and removed once
// every line was read, and one spool per process (flock).
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>

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
    EXPECT_EQ(spool.close().error(), "");
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
        EXPECT_EQ(spool.close().error(), "");
    }
    EXPECT_EQ(contents(), "{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n") << "read lines are cut on close";
    SpoolFile again(path_);
    EXPECT_EQ(again.inherited(), 3u);
    EXPECT_EQ(again.pending(), 3u);
    again.append(R"({"n":5})");
    EXPECT_EQ(readAll(again),
              (std::vector<std::string>{R"({"n":2})", R"({"n":3})", R"({"n":4})", R"({"n":5})"}));
    EXPECT_EQ(again.close().error(), "");
    EXPECT_FALSE(exists());
}

TEST_F(SpoolFileTest, ManyLinesCrossTheBuffers) {
    const std::string pad(300, 'x');
    {
        SpoolFile spool(path_);
        for (int i = 0; i < 2000; i++)
            spool.append("{\"n\":" + std::to_string(i) + ",\"p\":\"" + pad + "\"}");
        EXPECT_EQ(spool.close().error(), "");
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
        EXPECT_EQ(spool.close().error(), "");
    }
    EXPECT_EQ(contents(), "{\"a\":1}\n");
}

}  // namespace

// A write that stops part-way (a full disk; here a file size limit, which
// fails the same way): the whole lines it wrote stay and are counted as
// kept, the rest as lost; each flow is one or the other, the file holds
// only whole lines, and it is not removed.
TEST_F(SpoolFileTest, AFullDiskKeepsTheWholeLinesWritten) {
    const std::string line = R"({"flow":")" + std::string(80, 'x') + R"("})";  // 90 bytes
    constexpr rlim_t kLimit = 100000;  // room for 1111 lines of 91 bytes, and a cut one
    constexpr int kLines = 5000;
    rlimit old{};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    uint64_t pending = 0, lost = 0;
    std::string error;
    {
        SpoolFile spool(path_);
        rlimit limited{kLimit, old.rlim_max};
        ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
        for (int i = 0; i < kLines; i++)
            spool.append(line);
        error = spool.close().error();
        pending = spool.pending();
        lost = spool.lost();
        ::setrlimit(RLIMIT_FSIZE, &old);
    }
    std::signal(SIGXFSZ, old_handler);
    EXPECT_EQ(pending + lost, static_cast<uint64_t>(kLines));
    EXPECT_EQ(pending, kLimit / (line.size() + 1));
    EXPECT_NE(error.find("cannot write spool"), std::string::npos) << error;
    ASSERT_TRUE(exists());
    const std::string bytes = contents();
    EXPECT_EQ(bytes.size(), pending * (line.size() + 1));
    EXPECT_EQ(bytes.back(), '\n');
    SpoolFile again(path_);  // a spool, whole lines only
    EXPECT_EQ(again.inherited(), pending);
    EXPECT_EQ(again.droppedTailBytes(), 0u);
}

// Devices, FIFOs and directories are refused before they are read (or
// written): /dev/zero never ends, /dev/null keeps nothing.
TEST_F(SpoolFileTest, ANonRegularFileIsRefused) {
    for (const char *device : {"/dev/zero", "/dev/null", "/dev/full", "/dev/urandom"}) {
        EXPECT_NE(netflow::checkSpoolPath(device), "") << device;
        try {
            SpoolFile spool(device);
            ADD_FAILURE() << device << " accepted";
        } catch (const SpoolError &e) {
            EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos)
                << e.what();
        }
    }
    ASSERT_EQ(::mkfifo(path_.c_str(), 0600), 0);
    EXPECT_NE(netflow::checkSpoolPath(path_).find("a FIFO"), std::string::npos);
    EXPECT_THROW(SpoolFile spool(path_), SpoolError);
    std::remove(path_.c_str());
    EXPECT_EQ(netflow::checkSpoolPath(path_), "");  // not there yet: created
    EXPECT_EQ(
        netflow::checkSpoolPath(::testing::TempDir()).find("a directory") != std::string::npos,
        true);
}
