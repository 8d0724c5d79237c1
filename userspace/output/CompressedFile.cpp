#include "output/CompressedFile.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "common/QuietThread.h"

namespace netflow {

Compression compressionFor(const std::string &path) {
    auto ends = [&](const char *ext) {
        const size_t n = std::strlen(ext);
        return path.size() > n && path.compare(path.size() - n, n, ext) == 0;
    };
    if (ends(".gz"))
        return Compression::Gzip;
    if (ends(".zst"))
        return Compression::Zstd;
    return Compression::None;
}

// One compressed stream: input bytes in, compressed bytes appended to `out`.
class CompressedFile::Codec {
  public:
    enum class Mode { Continue, Flush, End };
    virtual ~Codec() = default;
    // "" or what failed.
    virtual std::string compress(const char *data, size_t n, Mode mode, std::vector<char> &out) = 0;
};

namespace {

constexpr size_t kChunk = 1 << 16;
constexpr size_t kMaxQueued = 4;  // buffers waiting for the thread

// gzip (RFC 1952) through zlib's deflate; level 6 is gzip's own default.
class GzipCodec : public CompressedFile::Codec {
  public:
    GzipCodec() {
        if (deflateInit2(&z_, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            throw std::runtime_error("zlib: cannot start a gzip stream");
    }
    ~GzipCodec() override { deflateEnd(&z_); }

    std::string compress(const char *data, size_t n, Mode mode, std::vector<char> &out) override {
        z_.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data));
        z_.avail_in = static_cast<uInt>(n);
        const int flush = mode == Mode::End ? Z_FINISH : mode == Mode::Flush ? Z_SYNC_FLUSH : 0;
        do {
            const size_t at = out.size();
            out.resize(at + kChunk);
            z_.next_out = reinterpret_cast<Bytef *>(out.data() + at);
            z_.avail_out = static_cast<uInt>(kChunk);
            const int rc = deflate(&z_, flush);
            out.resize(at + kChunk - z_.avail_out);
            if (rc == Z_STREAM_ERROR)
                return "zlib: deflate failed";
        } while (z_.avail_out == 0);
        return {};
    }

  private:
    z_stream z_{};
};

// zstd at its default level (3).
class ZstdCodec : public CompressedFile::Codec {
  public:
    ZstdCodec() : c_(ZSTD_createCCtx()) {
        if (!c_ ||
            ZSTD_isError(ZSTD_CCtx_setParameter(c_, ZSTD_c_compressionLevel, ZSTD_CLEVEL_DEFAULT)))
            throw std::runtime_error("zstd: cannot start a stream");
    }
    ~ZstdCodec() override { ZSTD_freeCCtx(c_); }

    std::string compress(const char *data, size_t n, Mode mode, std::vector<char> &out) override {
        ZSTD_inBuffer in{data, n, 0};
        const ZSTD_EndDirective how = mode == Mode::End     ? ZSTD_e_end
                                      : mode == Mode::Flush ? ZSTD_e_flush
                                                            : ZSTD_e_continue;
        for (;;) {
            const size_t at = out.size();
            out.resize(at + kChunk);
            ZSTD_outBuffer o{out.data() + at, kChunk, 0};
            const size_t left = ZSTD_compressStream2(c_, &o, &in, how);
            out.resize(at + o.pos);
            if (ZSTD_isError(left))
                return std::string("zstd: ") + ZSTD_getErrorName(left);
            if (how == ZSTD_e_continue ? in.pos == in.size : left == 0)
                return {};
        }
    }

  private:
    ZSTD_CCtx *c_;
};

}  // namespace

CompressedFile::CompressedFile(const std::string &path, Compression compression) : path_(path) {
    if (compression == Compression::Gzip)
        codec_ = std::make_unique<GzipCodec>();
    else
        codec_ = std::make_unique<ZstdCodec>();
    fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd_ < 0)
        throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    thread_ = startQuietThread([this] { run(); });
}

CompressedFile::~CompressedFile() {
    finish();
}

void CompressedFile::push(Job job) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return queue_.size() < kMaxQueued; });
    queue_.push_back(std::move(job));
    changed_.notify_all();
}

void CompressedFile::write(const char *data, size_t n) {
    if (finished_ || n == 0 || failed_)
        return;
    Job job;
    {
        std::lock_guard lock(mutex_);
        if (!spare_.empty()) {
            job.data = std::move(spare_.back());
            spare_.pop_back();
        }
    }
    job.data.assign(data, data + n);
    push(std::move(job));
}

void CompressedFile::flush() {
    if (finished_)
        return;
    Job job;
    job.kind = Job::Kind::Flush;
    const size_t ticket = ++flushes_asked_;
    push(std::move(job));
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return flushes_done_ >= ticket; });
}

Result<void> CompressedFile::finish() {
    if (!finished_) {
        finished_ = true;
        Job job;
        job.kind = Job::Kind::End;
        push(std::move(job));
        thread_.join();
        if (::close(fd_) != 0 && error_.empty())
            error_ = "cannot write " + path_ + ": " + std::strerror(errno);
        fd_ = -1;
    }
    return Result<void>::fromMessage(error_);
}

// To the file, whole (a stop signal's EINTR is not a failure). After an
// error nothing more is written.
void CompressedFile::put(const char *data, size_t n) {
    while (n > 0) {
        const ssize_t w = ::write(fd_, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            std::lock_guard lock(mutex_);
            if (error_.empty())
                error_ = "cannot write " + path_ + ": " + std::strerror(w < 0 ? errno : ENOSPC);
            failed_ = true;
            return;
        }
        data += w;
        n -= static_cast<size_t>(w);
    }
}

void CompressedFile::run() {
    std::vector<char> out;
    for (;;) {
        Job job;
        bool failed;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [&] { return !queue_.empty(); });
            job = std::move(queue_.front());
            queue_.pop_front();
            changed_.notify_all();
            failed = !error_.empty();
        }
        if (!failed) {
            out.clear();
            const Codec::Mode mode = job.kind == Job::Kind::End     ? Codec::Mode::End
                                     : job.kind == Job::Kind::Flush ? Codec::Mode::Flush
                                                                    : Codec::Mode::Continue;
            std::string bad = codec_->compress(job.data.data(), job.data.size(), mode, out);
            if (!bad.empty()) {
                std::lock_guard lock(mutex_);
                if (error_.empty())
                    error_ = "cannot write " + path_ + ": " + bad;
                failed_ = true;
            } else {
                put(out.data(), out.size());
            }
        }
        std::lock_guard lock(mutex_);
        switch (job.kind) {
            case Job::Kind::Data:
                spare_.push_back(std::move(job.data));
                break;
            case Job::Kind::Flush:
                flushes_done_++;
                changed_.notify_all();
                break;
            case Job::Kind::End:
                return;
        }
    }
}

}  // namespace netflow
