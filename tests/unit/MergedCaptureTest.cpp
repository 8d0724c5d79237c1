// Several capture files as one capture (capture/MergedCapture.h,
// capture/CaptureInputs.h): time order across files, ties to the file
// listed first, rotated files opened one at a time, a damaged or unreadable
// file reported and skipped, link types per packet, and what -f expands to.
#include <gtest/gtest.h>

#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "capture/CaptureInputs.h"
#include "capture/MergedCapture.h"

namespace {

namespace fs = std::filesystem;
using Tags = std::vector<std::string>;
using netflow::MergedCapture;
using netflow::Result;

// A packet is its time and one tag byte (which file, which packet).
struct Rec {
    int64_t time_us;
    uint8_t tag;
};

void writePcap(const std::string &path, const std::vector<Rec> &recs, int dlt = DLT_EN10MB) {
    pcap_t *dead = pcap_open_dead(dlt, 65535);
    ASSERT_NE(dead, nullptr);
    pcap_dumper_t *dumper = pcap_dump_open(dead, path.c_str());
    ASSERT_NE(dumper, nullptr) << pcap_geterr(dead);
    for (const Rec &r : recs) {
        std::vector<uint8_t> frame(60, 0);
        frame[0] = r.tag;
        pcap_pkthdr h{};
        h.ts.tv_sec = r.time_us / 1000000;
        h.ts.tv_usec = r.time_us % 1000000;
        h.caplen = h.len = static_cast<bpf_u_int32>(frame.size());
        pcap_dump(reinterpret_cast<u_char *>(dumper), &h, frame.data());
    }
    pcap_dump_close(dumper);
    pcap_close(dead);
}

class MergedCaptureTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = ::testing::TempDir() + "netflow_merged_" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name();
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    std::string file(const std::string &name) const { return dir_ + "/" + name; }

    // Every packet's tag in the order read; failures as "!" + message.
    static std::vector<std::string> readAll(MergedCapture &c, size_t *most_open = nullptr) {
        std::vector<std::string> out;
        MergedCapture::Packet p;
        for (int guard = 0; guard < 10000; guard++) {
            Result<MergedCapture::Next> n = c.next(p);
            if (most_open)
                *most_open = std::max(*most_open, c.openFiles());
            if (!n) {
                out.push_back("!" + n.error());
                continue;
            }
            if (n.value() == MergedCapture::Next::End)
                return out;
            out.push_back(std::to_string(p.data[0]));
        }
        ADD_FAILURE() << "no end";
        return out;
    }

    std::string dir_;
};

TEST_F(MergedCaptureTest, InterleavedFilesComeInTimeOrderTiesToTheFileListedFirst) {
    writePcap(file("a.pcap"), {{1'000'000, 11}, {3'000'000, 12}, {5'000'000, 13}});
    writePcap(file("b.pcap"), {{2'000'000, 21}, {3'000'000, 22}, {4'000'000, 23}});
    MergedCapture ab({file("a.pcap"), file("b.pcap")});
    EXPECT_TRUE(ab.problems().empty());
    EXPECT_EQ(readAll(ab), (Tags{"11", "21", "12", "22", "23", "13"}));
    MergedCapture ba({file("b.pcap"), file("a.pcap")});
    EXPECT_EQ(readAll(ba), (Tags{"11", "21", "22", "12", "23", "13"}));
}

TEST_F(MergedCaptureTest, EqualTimesAcrossThreeFilesFollowTheListWithinAFileItsOwnOrder) {
    writePcap(file("a.pcap"), {{7, 1}, {7, 2}});
    writePcap(file("b.pcap"), {{7, 3}});
    writePcap(file("c.pcap"), {{6, 4}, {7, 5}});
    MergedCapture c({file("b.pcap"), file("c.pcap"), file("a.pcap")});
    EXPECT_EQ(readAll(c), (Tags{"4", "3", "5", "1", "2"}));
}

TEST_F(MergedCaptureTest, RotatedFilesAreOpenedOneAtATimeWhateverTheListOrder) {
    writePcap(file("1.pcap"), {{100, 1}, {200, 2}});
    writePcap(file("2.pcap"), {{300, 3}, {400, 4}});
    writePcap(file("3.pcap"), {{500, 5}, {600, 6}});
    MergedCapture c({file("3.pcap"), file("1.pcap"), file("2.pcap")});
    EXPECT_EQ(c.openFiles(), 0u);
    size_t most_open = 0;
    EXPECT_EQ(readAll(c, &most_open), (Tags{"1", "2", "3", "4", "5", "6"}));
    EXPECT_EQ(most_open, 1u);
    EXPECT_EQ(c.openFiles(), 0u);
    EXPECT_EQ(c.bytesRead(), c.totalBytes());
}

TEST_F(MergedCaptureTest, HeldBlocksKeepEveryPacketsBytesAfterItsFileIsClosed) {
    // The threaded pipeline's workers read datagrams where they were read,
    // after the reader has moved on, maybe to the next file: holding the
    // block keeps them.
    writePcap(file("1.pcap"), {{100, 1}, {200, 2}});
    writePcap(file("2.pcap"), {{300, 3}, {400, 4}});
    MergedCapture c({file("1.pcap"), file("2.pcap")});
    MergedCapture::Packet p;
    std::vector<std::shared_ptr<netflow::ReadBlock>> held;
    std::vector<const uint8_t *> data;
    while (c.next(p).value() == MergedCapture::Next::Packet) {
        ASSERT_NE(p.block, nullptr);
        ASSERT_NE(*p.block, nullptr);
        EXPECT_GE(p.data, (*p.block)->data());
        EXPECT_LE(p.data + p.header->caplen, (*p.block)->data() + (*p.block)->size);
        held.push_back(*p.block);
        data.push_back(p.data);
    }
    EXPECT_EQ(c.openFiles(), 0u);
    ASSERT_EQ(data.size(), 4u);
    for (size_t i = 0; i < data.size(); i++)
        EXPECT_EQ(data[i][0], i + 1);
}

TEST_F(MergedCaptureTest, OneFileIsReadInItsOwnOrderEvenWhenTimeStepsBack) {
    writePcap(file("a.pcap"), {{500, 1}, {100, 2}, {300, 3}});
    MergedCapture c({file("a.pcap")});
    EXPECT_EQ(readAll(c), (Tags{"1", "2", "3"}));
}

TEST_F(MergedCaptureTest, ADamagedFileIsReportedOnceAndTheOthersAreStillRead) {
    writePcap(file("a.pcap"), {{100, 1}, {400, 2}});
    writePcap(file("b.pcap"), {{200, 3}, {300, 4}, {350, 5}});
    writePcap(file("c.pcap"), {{500, 6}});
    // b.pcap cut in the middle of its third record.
    fs::resize_file(file("b.pcap"), fs::file_size(file("b.pcap")) - 30);
    MergedCapture c({file("a.pcap"), file("b.pcap"), file("c.pcap")});
    Tags got = readAll(c);
    ASSERT_EQ(got.size(), 6u);
    EXPECT_EQ((Tags{got[0], got[1], got[2], got[4], got[5]}), (Tags{"1", "3", "4", "2", "6"}));
    EXPECT_EQ(got[3].rfind("!" + file("b.pcap") + ": ", 0), 0u) << got[3];
    EXPECT_EQ(c.bytesRead(), c.totalBytes());
}

TEST_F(MergedCaptureTest, UnreadableFilesAreLeftOutEachWithOneLine) {
    writePcap(file("a.pcap"), {{100, 1}});
    std::ofstream(file("notes.txt")) << "not a capture\n";
    writePcap(file("user0.pcap"), {{50, 2}}, DLT_USER0);
    MergedCapture c({file("missing.pcap"), file("notes.txt"), file("a.pcap"), file("user0.pcap")});
    ASSERT_EQ(c.problems().size(), 3u);
    EXPECT_NE(c.problems()[0].find(file("missing.pcap")), std::string::npos);
    EXPECT_NE(c.problems()[1].find(file("notes.txt")), std::string::npos);
    EXPECT_EQ(c.problems()[2].rfind(file("user0.pcap") + ": unsupported link type", 0), 0u);
    EXPECT_EQ(c.fileCount(), 1u);
    EXPECT_EQ(readAll(c), (Tags{"1"}));
}

TEST_F(MergedCaptureTest, EachPacketCarriesItsFilesLinkType) {
    writePcap(file("eth.pcap"), {{100, 1}, {300, 3}});
    writePcap(file("raw.pcap"), {{200, 2}}, DLT_RAW);
    MergedCapture c({file("eth.pcap"), file("raw.pcap")});
    ASSERT_EQ(c.linkTypes().size(), 2u);
    EXPECT_EQ(c.linkTypes()[0].dlt, DLT_EN10MB);
    EXPECT_EQ(c.linkTypes()[1].dlt, DLT_RAW);
    MergedCapture::Packet p;
    std::vector<int> dlts;
    while (true) {
        Result<MergedCapture::Next> n = c.next(p);
        ASSERT_TRUE(n);
        if (n.value() == MergedCapture::Next::End)
            break;
        dlts.push_back(p.link_type);
    }
    EXPECT_EQ(dlts, (std::vector<int>{DLT_EN10MB, DLT_RAW, DLT_EN10MB}));
}

TEST_F(MergedCaptureTest, ADirectoryGivesItsCapturesInNaturalOrder) {
    fs::create_directories(file("d"));
    for (const char *name : {"10.pcap", "2.pcap", "1.pcap", ".hidden.pcap", "x"})
        writePcap(file(std::string("d/") + name), {{1, 1}});
    std::ofstream(file("d/README")) << "text\n";
    netflow::CaptureInputs in = netflow::expandCaptureInputs({file("d")});
    EXPECT_TRUE(in.problems.empty());
    EXPECT_EQ(in.files, (std::vector<std::string>{file("d/1.pcap"), file("d/2.pcap"),
                                                  file("d/10.pcap"), file("d/x")}));
}

TEST_F(MergedCaptureTest, AGlobMatchesInNaturalOrderAndAFileNamedTwiceIsReadOnce) {
    for (const char *name : {"cap10.pcap", "cap9.pcap", "other.pcapng"})
        writePcap(file(name), {{1, 1}});
    netflow::CaptureInputs in = netflow::expandCaptureInputs(
        {file("cap*.pcap"), file("cap9.pcap"), "-", file("nope*"), "-"});
    EXPECT_EQ(in.files, (std::vector<std::string>{file("cap9.pcap"), file("cap10.pcap"), "-"}));
    ASSERT_EQ(in.problems.size(), 1u);
    EXPECT_EQ(in.problems[0], file("nope*") + ": no file matches");
    netflow::CaptureInputs empty = netflow::expandCaptureInputs({dir_ + "/"});
    EXPECT_EQ(empty.files.size(), 3u);
    fs::create_directories(file("e"));
    EXPECT_EQ(netflow::expandCaptureInputs({file("e")}).problems,
              (std::vector<std::string>{file("e") + ": no pcap or pcapng file in this directory"}));
}

}  // namespace
