// A file written compressed, gzip (zlib) or zstd (libzstd), on a thread of
// its own (docs/decisions.md, "Compressed CSV"): the writer hands over
// whole buffers and goes on; the thread compresses and writes them. At most
// a few buffers wait, so a compressor slower than the rows holds the writer
// back instead of growing memory.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/Result.h"

namespace netflow {

enum class Compression { None, Gzip, Zstd };

// By the path's extension: .gz, .zst (not for "-": stdout stays plain).
Compression compressionFor(const std::string &path);

class CompressedFile {
  public:
    // Creates the file. Throws std::runtime_error when it cannot.
    CompressedFile(const std::string &path, Compression compression);
    ~CompressedFile();
    CompressedFile(const CompressedFile &) = delete;
    CompressedFile &operator=(const CompressedFile &) = delete;

    // Queues a copy of the bytes (waits while the queue is full).
    void write(const char *data, size_t n);
    // Everything written so far compressed and in the file, decompressible
    // up to here (a sync flush): returns once it is.
    void flush();
    // Ends the stream (gzip trailer, zstd epilogue), closes the file; the
    // first error (write, compression) if any.
    Result<void> finish();

    // A write or compression failed: what is written from now on is lost
    // (finish() says why).
    bool failed() const { return failed_; }

    class Codec;  // the library's stream state (CompressedFile.cpp)

  private:
    struct Job {
        std::vector<char> data;
        enum class Kind { Data, Flush, End } kind = Kind::Data;
    };
    void run();
    void put(const char *data, size_t n);  // on the thread: to the file
    void push(Job job);

    std::string path_;
    int fd_ = -1;
    std::unique_ptr<Codec> codec_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<Job> queue_;
    std::vector<std::vector<char>> spare_;  // buffers to reuse
    size_t flushes_done_ = 0;
    size_t flushes_asked_ = 0;
    std::string error_;  // set by the thread, under mutex_
    std::atomic<bool> failed_{false};
    bool finished_ = false;
    std::thread thread_;
};

}  // namespace netflow
