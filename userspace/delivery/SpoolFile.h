// The spool: flows that could not wait in memory, one JSON object a line
// (JSON lines), on disk. Lines are appended at the end and read from the
// front; once every line has been read the file is emptied, so it never
// holds a flow that was handed on. A spool left by an earlier run is read
// first. Locked (flock) for the life of the object: two sensors never share
// one. Not thread-safe: Backlog serializes every call.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

#include "common/Result.h"
#include <string_view>

namespace netflow {

class SpoolError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// "" when `path` may be a spool (a regular file, or nothing yet); else why
// not: a device (/dev/null, /dev/zero), a FIFO, a directory.
std::string checkSpoolPath(const std::string &path);

class SpoolFile {
  public:
    // Opens or creates `path`. An existing file must be a spool (every line
    // a JSON object); a last line cut off by a crash is dropped (and
    // counted). Throws SpoolError when the file cannot be created, read or
    // locked, is not a regular file (checkSpoolPath), or is not a spool.
    explicit SpoolFile(std::string path);
    ~SpoolFile();
    SpoolFile(const SpoolFile &) = delete;
    SpoolFile &operator=(const SpoolFile &) = delete;

    // Appends one flow (no line break inside). Writes are buffered: when
    // one fails (a full disk), the whole lines it did write are kept, the
    // others are lost, counted in lost(), and error() says why.
    void append(std::string_view line);

    // The next unread line into `out`; false when every line has been read.
    bool readLine(std::string &out);

    // Lines appended or found at start and not yet read.
    uint64_t pending() const { return pending_; }
    // Lines found at start (an earlier run's), and bytes of a cut-off last
    // line that were dropped.
    uint64_t inherited() const { return inherited_; }
    uint64_t droppedTailBytes() const { return dropped_tail_; }
    // Lines that could not be written (disk full, I/O error).
    uint64_t lost() const { return lost_; }

    // Writes out what is buffered, removes the lines already read, and
    // deletes the file when nothing is left. Returns "" or the error.
    Result<void> close();

    const std::string &path() const { return path_; }
    const std::string &error() const { return error_; }

  private:
    bool flushWrites();
    void fail(const std::string &what);

    std::string path_;
    int fd_ = -1;
    uint64_t size_ = 0;         // bytes in the file (written out)
    uint64_t read_offset_ = 0;  // file offset of the first byte not yet buffered for reading
    std::string write_buf_;
    uint64_t buffered_lines_ = 0;  // lines in write_buf_
    std::string read_buf_;         // bytes read ahead, not yet returned
    size_t read_pos_ = 0;          // first unreturned byte in read_buf_
    uint64_t pending_ = 0;
    uint64_t inherited_ = 0;
    uint64_t dropped_tail_ = 0;
    uint64_t lost_ = 0;
    std::string error_;
};

}  // namespace netflow
