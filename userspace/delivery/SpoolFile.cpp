#include "delivery/SpoolFile.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace netflow {
namespace {

constexpr size_t kWriteBuffer = 1 << 16;
constexpr size_t kReadChunk = 1 << 16;

std::string errnoText() {
    return std::strerror(errno);
}

bool writeAll(int fd, const char *data, size_t n) {
    while (n > 0) {
        ssize_t w = ::write(fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        data += w;
        n -= static_cast<size_t>(w);
    }
    return true;
}

}  // namespace

SpoolFile::SpoolFile(std::string path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0)
        throw SpoolError("cannot create spool " + path_ + ": " + errnoText());
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        std::string why = errno == EWOULDBLOCK
                              ? "in use by another netflow (choose another --spool)"
                              : errnoText();
        ::close(fd_);
        throw SpoolError("spool " + path_ + " is " + why);
    }
    // An earlier run's spool: count its lines, check they are JSON objects
    // (a capture or CSV given by mistake must not be sent, then emptied).
    std::string chunk(kReadChunk, '\0');
    uint64_t offset = 0, line_start = 0;
    char first = 0, last = 0;
    bool bad = false;
    for (;;) {
        ssize_t n = ::pread(fd_, chunk.data(), chunk.size(), static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            std::string why = errnoText();
            ::close(fd_);
            throw SpoolError("cannot read spool " + path_ + ": " + why);
        }
        if (n == 0)
            break;
        for (ssize_t i = 0; i < n; i++, offset++) {
            char c = chunk[static_cast<size_t>(i)];
            if (c == '\n') {
                if (offset > line_start) {
                    bad |= first != '{' || last != '}';
                    inherited_++;
                }
                line_start = offset + 1;
                first = 0;
            } else {
                bad |= c == '\0';
                if (!first)
                    first = c;
                last = c;
            }
        }
    }
    if (bad) {
        ::close(fd_);
        throw SpoolError(path_ + " is not a netflow spool (JSON objects, one a line)");
    }
    size_t tail = static_cast<size_t>(offset - line_start);
    if (tail > 0 && ::ftruncate(fd_, static_cast<off_t>(line_start)) != 0) {
        std::string why = errnoText();
        ::close(fd_);
        throw SpoolError("cannot write spool " + path_ + ": " + why);
    }
    dropped_tail_ = tail;
    size_ = line_start;
    pending_ = inherited_;
}

SpoolFile::~SpoolFile() {
    close();
}

void SpoolFile::fail(const std::string &what) {
    if (error_.empty())
        error_ = "cannot " + what + " spool " + path_ + ": " + errnoText();
}

bool SpoolFile::flushWrites() {
    if (write_buf_.empty())
        return true;
    if (fd_ < 0 || !writeAll(fd_, write_buf_.data(), write_buf_.size())) {
        // What did get written may end in a cut line: cut the file back to
        // whole lines. The buffered lines are lost, and said to be.
        fail("write");
        if (fd_ >= 0 && ::ftruncate(fd_, static_cast<off_t>(size_)) != 0)
            fail("write");
        lost_ += buffered_lines_;
        pending_ -= buffered_lines_;
        buffered_lines_ = 0;
        write_buf_.clear();
        return false;
    }
    size_ += write_buf_.size();
    write_buf_.clear();
    buffered_lines_ = 0;
    return true;
}

void SpoolFile::append(std::string_view line) {
    if (fd_ < 0) {
        lost_++;
        return;
    }
    write_buf_.append(line);
    write_buf_ += '\n';
    buffered_lines_++;
    pending_++;
    if (write_buf_.size() >= kWriteBuffer)
        flushWrites();
}

bool SpoolFile::readLine(std::string &out) {
    for (;;) {
        if (fd_ < 0 || pending_ == 0)
            return false;
        size_t nl = read_buf_.find('\n', read_pos_);
        if (nl == read_pos_) {
            read_pos_++;  // an empty line (an edited spool): not a flow, not counted
            continue;
        }
        if (nl != std::string::npos) {
            out.assign(read_buf_, read_pos_, nl - read_pos_);
            read_pos_ = nl + 1;
            pending_--;
            if (pending_ == 0) {
                // Every line was handed on (none is buffered for writing
                // either): start the file over.
                if (::ftruncate(fd_, 0) != 0)
                    fail("empty");
                size_ = read_offset_ = 0;
                read_buf_.clear();
                read_pos_ = 0;
            }
            return true;
        }
        read_buf_.erase(0, read_pos_);
        read_pos_ = 0;
        if (read_offset_ >= size_ && !flushWrites())
            continue;  // the unread lines were in the failed write: pending_ fell
        if (read_offset_ >= size_) {
            fail("read");  // pending_ says more than the file holds
            pending_ = 0;
            return false;
        }
        size_t want = static_cast<size_t>(std::min<uint64_t>(kReadChunk, size_ - read_offset_));
        size_t had = read_buf_.size();
        read_buf_.resize(had + want);
        ssize_t n = ::pread(fd_, read_buf_.data() + had, want, static_cast<off_t>(read_offset_));
        read_buf_.resize(had + static_cast<size_t>(n > 0 ? n : 0));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            fail("read");
            lost_ += pending_;
            pending_ = 0;
            return false;
        }
        read_offset_ += static_cast<uint64_t>(n);
    }
}

std::string SpoolFile::close() {
    if (fd_ < 0)
        return error_;
    flushWrites();
    // Bytes of the file that were already handed on: the unread lines are
    // the rest of the read buffer, then the file from read_offset_.
    const uint64_t consumed = read_offset_ - (read_buf_.size() - read_pos_);
    if (pending_ == 0) {
        if (::unlink(path_.c_str()) != 0 && errno != ENOENT)
            fail("remove");
    } else if (consumed > 0) {
        // Keep only the unread lines: a copy renamed over the spool, so a
        // crash now leaves either the old file or the new one whole.
        const std::string tmp = path_ + ".tmp";
        int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        bool ok = out >= 0;
        std::string chunk(kReadChunk, '\0');
        for (uint64_t off = consumed; ok && off < size_;) {
            ssize_t n = ::pread(fd_, chunk.data(), chunk.size(), static_cast<off_t>(off));
            if (n < 0 && errno == EINTR)
                continue;
            ok = n > 0 && writeAll(out, chunk.data(), static_cast<size_t>(n));
            off += n > 0 ? static_cast<uint64_t>(n) : 0;
        }
        ok = ok && ::fsync(out) == 0;
        if (out >= 0)
            ok = ::close(out) == 0 && ok;
        ok = ok && ::rename(tmp.c_str(), path_.c_str()) == 0;
        if (!ok) {
            fail("rewrite");
            ::unlink(tmp.c_str());
        }
    } else if (::fsync(fd_) != 0) {
        fail("write");
    }
    ::close(fd_);
    fd_ = -1;
    return error_;
}

}  // namespace netflow
