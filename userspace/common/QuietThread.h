// A helper thread that takes no asynchronous signal and holds no
// capability. Signals: SIGINT/SIGTERM and --max-time's SIGALRM must reach
// the capture thread (its blocking read or poll returns at once), and a
// SIGPIPE from a closed connection stays pending instead of killing the
// process. Capabilities: they belong to each thread, so a live run's
// privilege drop (pipeline/Privileges.cpp) reaches only the thread that
// makes it; the outputs' threads are started before that, while the
// process still holds what the capture needs, and need none of it (their
// files and sockets are opened by the thread that builds them). Every
// output's own thread (HTTP sender, Kafka poller, compressor, TCP
// exporter, metrics server) starts through this, and librdkafka's threads
// are started from one (runQuietly).
#pragma once

#include <pthread.h>
#include <signal.h>

#include <future>
#include <thread>
#include <utility>

namespace netflow {

// Empties the calling thread's capability sets (the bounding set too, when
// it may) and sets no_new_privs for it; threads it starts inherit both.
void shedThreadCapabilities();

template <typename F>
std::thread startQuietThread(F &&body) {
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &previous);
    // Returns once the thread holds nothing: whoever looks at the process
    // after this (a privilege check, a test reading /proc) sees it bare.
    std::promise<void> shed;
    std::future<void> bare = shed.get_future();
    std::thread thread([body = std::forward<F>(body), shed = std::move(shed)]() mutable {
        shedThreadCapabilities();
        shed.set_value();
        body();
    });
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    bare.wait();
    return thread;
}

// Runs `work` on a quiet thread and waits for it: whatever threads a
// library starts inside (librdkafka's) inherit no signal and no capability.
template <typename F>
void runQuietly(F &&work) {
    startQuietThread(std::forward<F>(work)).join();
}

}  // namespace netflow
