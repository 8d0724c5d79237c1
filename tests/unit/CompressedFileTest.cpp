// output/CompressedFile: what is written comes back out of zlib / libzstd
// unchanged, in order, across many buffers; a flush makes everything so far
// decompressible before the stream ends (live rows); the extension picks
// the format and stdout stays plain; a file that cannot be created throws.
#include <gtest/gtest.h>
#include <unistd.h>

#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "output/CompressedFile.h"

namespace {

using netflow::CompressedFile;
using netflow::Compression;

std::string readFile(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// What a reader gets out of the bytes so far (a stream not yet ended
// gives what has been flushed).
std::string gunzip(const std::string &bytes) {
    z_stream z{};
    EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.data()));
    z.avail_in = static_cast<uInt>(bytes.size());
    std::string out;
    char buf[1 << 16];
    int rc;
    do {
        z.next_out = reinterpret_cast<Bytef *>(buf);
        z.avail_out = sizeof buf;
        rc = inflate(&z, Z_NO_FLUSH);
        out.append(buf, sizeof buf - z.avail_out);
    } while (rc == Z_OK && (z.avail_in > 0 || z.avail_out == 0));
    inflateEnd(&z);
    return out;
}

std::string unzstd(const std::string &bytes) {
    ZSTD_DCtx *d = ZSTD_createDCtx();
    ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
    std::string out;
    char buf[1 << 16];
    while (in.pos < in.size) {
        ZSTD_outBuffer o{buf, sizeof buf, 0};
        size_t rc = ZSTD_decompressStream(d, &o, &in);
        out.append(buf, o.pos);
        if (ZSTD_isError(rc))
            break;
    }
    for (;;) {  // what is still inside the decoder
        ZSTD_outBuffer o{buf, sizeof buf, 0};
        size_t rc = ZSTD_decompressStream(d, &o, &in);
        out.append(buf, o.pos);
        if (ZSTD_isError(rc) || o.pos == 0)
            break;
    }
    ZSTD_freeDCtx(d);
    return out;
}

std::string rows(int from, int to) {
    std::string s;
    for (int i = from; i < to; i++)
        s += "10.0.0." + std::to_string(i % 250) + "," + std::to_string(i) + ",6,443\r\n";
    return s;
}

class CompressedFileTest : public ::testing::TestWithParam<Compression> {
  protected:
    void SetUp() override {
        // ctest runs each test in its own process, several at once: the
        // test's name and the process id keep their files apart.
        std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
        std::replace(name.begin(), name.end(), '/', '_');  // "Name/0" of a parameter
        path_ = ::testing::TempDir() + "netflow_compressed_" + name + "_" +
                std::to_string(::getpid()) + "_" + std::to_string(static_cast<int>(GetParam())) +
                (GetParam() == Compression::Gzip ? ".csv.gz" : ".csv.zst");
    }
    void TearDown() override { std::remove(path_.c_str()); }
    std::string decode(const std::string &bytes) {
        return GetParam() == Compression::Gzip ? gunzip(bytes) : unzstd(bytes);
    }
    std::string path_;
};

TEST_P(CompressedFileTest, ManyBuffersComeBackInOrder) {
    const std::string all = rows(0, 200000);  // several MiB, many queue turns
    {
        CompressedFile f(path_, GetParam());
        for (size_t at = 0; at < all.size(); at += 100000)
            f.write(all.data() + at, std::min<size_t>(100000, all.size() - at));
        ASSERT_TRUE(f.finish());
    }
    const std::string bytes = readFile(path_);
    EXPECT_LT(bytes.size(), all.size() / 3);
    EXPECT_EQ(decode(bytes), all);
}

TEST_P(CompressedFileTest, AFlushMakesEverySoFarReadable) {
    CompressedFile f(path_, GetParam());
    const std::string first = rows(0, 10);
    f.write(first.data(), first.size());
    f.flush();
    EXPECT_EQ(decode(readFile(path_)), first);
    const std::string second = rows(10, 20);
    f.write(second.data(), second.size());
    ASSERT_TRUE(f.finish());
    EXPECT_EQ(decode(readFile(path_)), first + second);
}

INSTANTIATE_TEST_SUITE_P(Formats, CompressedFileTest,
                         ::testing::Values(Compression::Gzip, Compression::Zstd));

TEST(CompressionFor, ByExtension) {
    EXPECT_EQ(netflow::compressionFor("flows.csv.gz"), Compression::Gzip);
    EXPECT_EQ(netflow::compressionFor("flows.csv.zst"), Compression::Zstd);
    EXPECT_EQ(netflow::compressionFor("flows.csv"), Compression::None);
    EXPECT_EQ(netflow::compressionFor(".gz"), Compression::None);
    EXPECT_EQ(netflow::compressionFor("gz"), Compression::None);
}

TEST(CompressedFileErrors, AFileThatCannotBeCreatedThrows) {
    EXPECT_THROW(CompressedFile("/nonexistent-dir/x.csv.gz", Compression::Gzip),
                 std::runtime_error);
}

}  // namespace
