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

// Writes all of data; returns how many bytes were written (n unless an
// error, e.g. a full disk, stopped it: errno says why).
size_t writeSome(int fd, const char *data, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t w = ::write(fd, data + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = ENOSPC;
            break;
        }
        done += static_cast<size_t>(w);
    }
    return done;
}

bool writeAll(int fd, const char *data, size_t n) {
    return writeSome(fd, data, n) == n;
}

const char *fileKind(mode_t mode) {
    switch (mode & S_IFMT) {
        case S_IFDIR:
            return "a directory";
        case S_IFCHR:
            return "a character device";
        case S_IFBLK:
            return "a block device";
        case S_IFIFO:
            return "a FIFO";
        case S_IFSOCK:
            return "a socket";
        default:
            return "not a regular file";
    }
}

}  // namespace

std::string checkSpoolPath(const std::string &path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode))
        return "";
    return "--spool " + path + " is " + fileKind(st.st_mode) + ", not a regular file";
}

SpoolFile::SpoolFile(std::string path) : path_(std::move(path)) {
    // A device, FIFO or directory is never opened for real: /dev/zero would
    // be read for ever, /dev/null would "keep" flows it drops, a FIFO would
    // block. O_NONBLOCK: the check after open (the path may have changed
    // since) cannot block either.
    if (std::string bad = checkSpoolPath(path_); !bad.empty())
        throw SpoolError(bad);
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NONBLOCK | O_NOCTTY,
                 0600);
    if (fd_ < 0)
        throw SpoolError("cannot create spool " + path_ + ": " + errnoText());
    struct stat st {};
    if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd_);
        throw SpoolError("--spool " + path_ + " is " + fileKind(st.st_mode) +
                         ", not a regular file");
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        std::string why = errno == EWOULDBLOCK
                              ? "in use by another netflow (choose another --spool)"
                              : errnoText();
        ::close(fd_);
        throw SpoolError("spool " + path_ + " is " + why);
    }
    // An earlier run's spool: count its lines, check they are JSON objects
    // (a capture or CSV given by mistake must not be sent, then emptied).
    // The scan reads the size the file had when locked, no more.
    const uint64_t file_size = static_cast<uint64_t>(st.st_size);
    std::string chunk(kReadChunk, '\0');
    uint64_t offset = 0, line_start = 0;
    char first = 0, last = 0;
    bool bad = false;
    while (offset < file_size) {
        const size_t want =
            static_cast<size_t>(std::min<uint64_t>(chunk.size(), file_size - offset));
        ssize_t n = ::pread(fd_, chunk.data(), want, static_cast<off_t>(offset));
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
    const size_t written = fd_ < 0 ? 0 : writeSome(fd_, write_buf_.data(), write_buf_.size());
    if (written < write_buf_.size()) {
        // A full disk: the whole lines that did get written stay (they
        // are flows kept); a cut last line is cut off the file. The lines
        // not written are lost, and said to be.
        fail("write");
        size_t kept_bytes = 0;
        if (written > 0) {
            size_t nl = write_buf_.rfind('\n', written - 1);
            kept_bytes = nl == std::string::npos ? 0 : nl + 1;
        }
        const uint64_t kept_lines = static_cast<uint64_t>(std::count(
            write_buf_.begin(), write_buf_.begin() + static_cast<ptrdiff_t>(kept_bytes), '\n'));
        if (fd_ >= 0 && ::ftruncate(fd_, static_cast<off_t>(size_ + kept_bytes)) != 0) {
            // The file could not be cut back: nothing of this write is
            // trusted (a cut line would make the spool unreadable).
            kept_bytes = 0;
            if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0)
                fail("write");
        }
        const uint64_t kept = kept_bytes ? kept_lines : 0;
        size_ += kept_bytes;
        lost_ += buffered_lines_ - kept;
        pending_ -= buffered_lines_ - kept;
        buffered_lines_ = 0;
        write_buf_.clear();
        return kept > 0;
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

Result<void> SpoolFile::close() {
    if (fd_ < 0)
        return Result<void>::fromMessage(error_);
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
    return Result<void>::fromMessage(error_);
}

}  // namespace netflow
