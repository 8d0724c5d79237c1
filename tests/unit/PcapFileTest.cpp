// PcapFile walks classic pcap files in place (read in blocks, no copy
// through libpcap's buffer): every
// packet, header and error must be what libpcap itself gives for the same
// file — either byte order, micro- or nanosecond timestamps, records longer
// than the snapshot length, absurd capture lengths, files cut off in a
// record header or in the packet bytes. pcapng is still read (by libpcap).
#include <gtest/gtest.h>

#include <pcap/pcap.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "capture/PcapFile.h"

namespace {

struct Record {
    uint32_t sec, frac, caplen, len;
    size_t bytes;  // packet bytes actually stored
};

void put32(std::string &out, uint32_t v, bool swap) {
    if (swap)
        v = __builtin_bswap32(v);
    out.append(reinterpret_cast<const char *>(&v), 4);
}

void put16(std::string &out, uint16_t v, bool swap) {
    if (swap)
        v = __builtin_bswap16(v);
    out.append(reinterpret_cast<const char *>(&v), 2);
}

std::string capture(uint32_t magic, bool swap, uint32_t snaplen, const std::vector<Record> &recs) {
    std::string out;
    put32(out, magic, swap);
    put16(out, 2, swap);
    put16(out, 4, swap);
    put32(out, 0, swap);
    put32(out, 0, swap);
    put32(out, snaplen, swap);
    put32(out, 1, swap);  // Ethernet
    uint8_t fill = 1;
    for (const Record &r : recs) {
        put32(out, r.sec, swap);
        put32(out, r.frac, swap);
        put32(out, r.caplen, swap);
        put32(out, r.len, swap);
        for (size_t i = 0; i < r.bytes; i++)
            out.push_back(static_cast<char>(fill++));
    }
    return out;
}

// Every packet as text, then how the read ended ("end" or the error).
std::vector<std::string> viaLibpcap(const std::string &path) {
    std::vector<std::string> out;
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p =
        pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_MICRO, err);
    if (!p)
        return {std::string("open: ") + err};
    pcap_pkthdr *h;
    const u_char *d;
    for (;;) {
        int rc = pcap_next_ex(p, &h, &d);
        if (rc != 1) {
            out.push_back(rc == PCAP_ERROR_BREAK ? "end" : path + ": " + pcap_geterr(p));
            break;
        }
        out.push_back(std::to_string(h->ts.tv_sec) + "." + std::to_string(h->ts.tv_usec) + " " +
                      std::to_string(h->caplen) + "/" + std::to_string(h->len) + " " +
                      std::string(reinterpret_cast<const char *>(d), h->caplen));
    }
    pcap_close(p);
    return out;
}

std::vector<std::string> viaPcapFile(const std::string &path, bool *in_place) {
    std::vector<std::string> out;
    netflow::PcapFile f(path);
    *in_place = f.inPlace();
    const pcap_pkthdr *h;
    const uint8_t *d;
    for (;;) {
        netflow::Result<netflow::PcapFile::Next> n = f.next(h, d);
        if (!n || n.value() == netflow::PcapFile::Next::End) {
            out.push_back(n ? "end" : n.error());
            break;
        }
        out.push_back(std::to_string(h->ts.tv_sec) + "." + std::to_string(h->ts.tv_usec) + " " +
                      std::to_string(h->caplen) + "/" + std::to_string(h->len) + " " +
                      std::string(reinterpret_cast<const char *>(d), h->caplen));
    }
    EXPECT_EQ(f.bytesRead(), f.fileSize());
    return out;
}

class PcapFileTest : public ::testing::Test {
  protected:
    void SetUp() override {
        path_ = ::testing::TempDir() + "netflow_pcapfile_" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".pcap";
    }
    void TearDown() override { std::remove(path_.c_str()); }
    void same(const std::string &bytes, bool expect_in_place = true) {
        std::ofstream(path_, std::ios::binary) << bytes;
        bool in_place = false;
        std::vector<std::string> got = viaPcapFile(path_, &in_place);
        EXPECT_EQ(in_place, expect_in_place);
        EXPECT_EQ(got, viaLibpcap(path_));
    }
    std::string path_;
};

const std::vector<Record> kGood = {
    {1700000000, 5, 60, 60, 60}, {1700000001, 999999, 14, 1500, 14}, {4000000000u, 7, 0, 0, 0}};

TEST_F(PcapFileTest, MicrosecondsBothByteOrders) {
    same(capture(0xA1B2C3D4, false, 65535, kGood));
    same(capture(0xA1B2C3D4, true, 65535, kGood));
}

TEST_F(PcapFileTest, NanosecondsBecomeMicroseconds) {
    std::vector<Record> nano = {{10, 999999999, 20, 20, 20}, {11, 1500, 20, 20, 20}};
    same(capture(0xA1B23C4D, false, 65535, nano));
    same(capture(0xA1B23C4D, true, 65535, nano));
}

TEST_F(PcapFileTest, ARecordLongerThanTheSnapshotLengthIsCutThere) {
    same(capture(0xA1B2C3D4, false, 64, {{1, 0, 100, 100, 100}, {2, 0, 10, 10, 10}}));
}

TEST_F(PcapFileTest, DamagedRecordsFailAsInLibpcap) {
    // An absurd capture length, within and beyond the snapshot length.
    same(capture(0xA1B2C3D4, false, 65535, {{1, 0, 10, 10, 10}, {2, 0, 300000, 10, 0}}));
    same(capture(0xA1B2C3D4, false, 0x7FFFFFFF, {{2, 0, 300000, 10, 0}}));
    // Cut off in a record header, in the packet bytes, and in the bytes
    // after the snapshot length.
    std::string whole = capture(0xA1B2C3D4, false, 65535, kGood);
    same(whole.substr(0, 24 + 16 + 60 + 9));
    same(whole.substr(0, 24 + 16 + 30));
    std::string cut = capture(0xA1B2C3D4, false, 64, {{1, 0, 100, 100, 100}});
    same(cut.substr(0, cut.size() - 50));
    same(cut.substr(0, cut.size() - 20));
}

// Records of every size up to the largest, so that records straddle the
// reads (256 KiB) and the blocks (2 MiB): ~6 MiB in all.
std::vector<Record> manySizes() {
    std::vector<Record> recs;
    uint32_t sizes[] = {60, 1514, 9000, 65535, 262144, 333, 70000};
    for (uint32_t i = 0; i < 120; i++) {
        const uint32_t n = sizes[i % 7];
        recs.push_back({1700000000 + i, i, n, n, n});
    }
    return recs;
}

TEST_F(PcapFileTest, RecordsAcrossReadsAndBlocks) {
    same(capture(0xA1B2C3D4, false, 262144, manySizes()));
    // And cut off in the last block's record.
    std::string whole = capture(0xA1B2C3D4, false, 262144, manySizes());
    same(whole.substr(0, whole.size() - 1000));
}

TEST_F(PcapFileTest, HeldBlocksKeepTheirPacketsWhileLaterOnesAreRead) {
    // The threaded pipeline holds a packet's block until its worker is
    // done: the file must neither reuse nor overwrite it meanwhile; a block
    // nobody holds is reused (the memory stays bounded).
    std::ofstream(path_, std::ios::binary) << capture(0xA1B2C3D4, false, 262144, manySizes());
    std::vector<std::string> expected = viaLibpcap(path_);
    netflow::PcapFile f(path_);
    ASSERT_TRUE(f.inPlace());
    std::vector<std::shared_ptr<netflow::ReadBlock>> held;
    std::vector<std::pair<const pcap_pkthdr, const uint8_t *>> packets;
    const pcap_pkthdr *h;
    const uint8_t *d;
    while (f.next(h, d).value() == netflow::PcapFile::Next::Packet) {
        if (held.empty() || held.back() != f.block())
            held.push_back(f.block());
        packets.emplace_back(*h, d);
    }
    ASSERT_EQ(packets.size() + 1, expected.size());
    for (size_t i = 0; i < packets.size(); i++) {
        const auto &[hdr, data] = packets[i];
        EXPECT_EQ(std::to_string(hdr.ts.tv_sec) + "." + std::to_string(hdr.ts.tv_usec) + " " +
                      std::to_string(hdr.caplen) + "/" + std::to_string(hdr.len) + " " +
                      std::string(reinterpret_cast<const char *>(data), hdr.caplen),
                  expected[i])
            << i;
    }
    EXPECT_GE(held.size(), 3u);  // ~6 MiB in blocks of 2 MiB: several, all held

    // Not held: two blocks in turn, whatever the file's size.
    netflow::PcapFile g(path_);
    std::vector<const netflow::ReadBlock *> seen;
    while (g.next(h, d).value() == netflow::PcapFile::Next::Packet) {
        if (std::find(seen.begin(), seen.end(), g.block().get()) == seen.end())
            seen.push_back(g.block().get());
    }
    EXPECT_EQ(seen.size(), 2u);
}

TEST_F(PcapFileTest, OtherFormatsAreStillReadByLibpcap) {
    // Version 2.3 (lengths maybe swapped) goes through libpcap.
    std::string old = capture(0xA1B2C3D4, false, 65535, {{1, 0, 10, 5, 10}});
    old[6] = 3;
    same(old, false);
}

TEST_F(PcapFileTest, PcapngIsReadFromTheMapping) {
    // A section header, an Ethernet interface, one enhanced packet block.
    std::string ng;
    auto block = [&](uint32_t type, const std::string &body) {
        const uint32_t len = static_cast<uint32_t>(12 + body.size());
        put32(ng, type, false);
        put32(ng, len, false);
        ng += body;
        put32(ng, len, false);
    };
    std::string shb;
    put32(shb, 0x1A2B3C4D, false);
    put16(shb, 1, false);
    put16(shb, 0, false);
    put32(shb, 0xFFFFFFFF, false);
    put32(shb, 0xFFFFFFFF, false);
    block(0x0A0D0D0A, shb);
    std::string idb;
    put16(idb, 1, false);
    put16(idb, 0, false);
    put32(idb, 65535, false);
    block(1, idb);
    std::string epb;
    put32(epb, 0, false);
    put32(epb, 0, false);
    put32(epb, 1000000, false);
    put32(epb, 8, false);
    put32(epb, 8, false);
    epb += "ABCDEFGH";
    block(6, epb);
    same(ng, false);
}

}  // namespace
