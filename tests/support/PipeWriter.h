// The read end of a pipe that a thread of its own writes a text into, then
// closes: a reader's input with no size (a stream), arriving a little at a
// time when asked for (writes of 1-97 bytes: many short reads).
#pragma once

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <thread>

class PipeWriter {
  public:
    explicit PipeWriter(std::string text, bool small_writes = false) {
        if (::pipe(fds_) != 0)
            throw std::runtime_error("pipe failed");
        writer_ = std::thread([this, text = std::move(text), small_writes] {
            // A reader that stopped early closes the read end: the write
            // then fails (EPIPE) instead of killing the process.
            sigset_t pipe_signal;
            sigemptyset(&pipe_signal);
            sigaddset(&pipe_signal, SIGPIPE);
            pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
            for (size_t at = 0; at < text.size();) {
                const size_t n = small_writes ? std::min<size_t>(text.size() - at, 1 + at % 97)
                                              : text.size() - at;
                const ssize_t w = ::write(fds_[1], text.data() + at, n);
                if (w <= 0)
                    break;
                at += static_cast<size_t>(w);
            }
            ::close(fds_[1]);
        });
    }
    // The read end closed first: a writer still blocked returns.
    ~PipeWriter() {
        ::close(fds_[0]);
        writer_.join();
    }
    PipeWriter(const PipeWriter &) = delete;
    PipeWriter &operator=(const PipeWriter &) = delete;

    int fd() const { return fds_[0]; }
    // A path that opens the read end again (/dev/fd), as a file name given
    // on the command line would be.
    std::string path() const { return "/dev/fd/" + std::to_string(fds_[0]); }

  private:
    int fds_[2] = {-1, -1};
    std::thread writer_;
};
