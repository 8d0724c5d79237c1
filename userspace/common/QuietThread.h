// A helper thread that takes no asynchronous signal: SIGINT/SIGTERM and
// --max-time's SIGALRM must reach the capture thread (its blocking read or
// poll returns at once), and a SIGPIPE from a closed connection stays
// pending instead of killing the process. Every output's own thread
// (HTTP sender, Kafka poller, compressor, TCP exporter, metrics server)
// starts through this.
#pragma once

#include <pthread.h>
#include <signal.h>

#include <thread>
#include <utility>

namespace netflow {

template <typename F>
std::thread startQuietThread(F &&body) {
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &previous);
    std::thread thread(std::forward<F>(body));
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return thread;
}

}  // namespace netflow
