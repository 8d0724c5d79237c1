#include "DispatcherHold.h"

#include <bpf/bpf.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <limits>
#include <mutex>
#include <stdexcept>

#include "kernel/KernelError.h"

namespace nfbench {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// Interrupts the holding thread's test run; the handler does nothing, the
// point is the pending signal the kernel's run loop checks.
constexpr int kStopSignal = SIGUSR1;

void ignoreStop(int) {}

void installStopHandler() {
    static std::once_flag once;
    std::call_once(once, [] {
        struct sigaction sa {};
        sa.sa_handler = ignoreStop;
        sigemptyset(&sa.sa_mask);
        sigaction(kStopSignal, &sa, nullptr);
    });
}

// A minimal ARP frame: no program here reads past its EtherType.
std::array<uint8_t, 60> arpFrame() {
    std::array<uint8_t, 60> f{};
    f.fill(0);
    for (int i = 0; i < 6; i++)
        f[i] = 0xff;
    f[12] = 0x08;
    f[13] = 0x06;
    return f;
}

int testRun(int prog_fd, const std::array<uint8_t, 60> &frame, uint32_t repeat) {
    bpf_test_run_opts opts{};
    opts.sz = sizeof(opts);
    opts.data_in = frame.data();
    opts.data_size_in = frame.size();
    opts.repeat = repeat;
    return bpf_prog_test_run_opts(prog_fd, &opts);
}

}  // namespace

int DispatcherHold::otherCpu(int cpu) {
    const long n = sysconf(_SC_NPROCESSORS_ONLN);
    for (int c = 0; c < n && c < CPU_SETSIZE; c++)
        if (c != cpu)
            return c;
    return -1;
}

DispatcherHold::DispatcherHold(int prog_fd, int cpu) : prog_fd_(prog_fd), cpu_(cpu) {
    installStopHandler();
    thread_ = std::thread([this] { loop(); });
    while (!running_ && !done_)
        std::this_thread::sleep_for(1ms);
    // Held once a repeat run no longer waits for a grace period; the first
    // tries may still (the holding thread's own first change).
    const auto frame = arpFrame();
    constexpr uint32_t kProbeRepeat = 2;  // the least that takes the dispatcher path
    for (int i = 0; i < 100 && !done_; i++) {
        auto start = Clock::now();
        probe_runs_ += kProbeRepeat;
        if (int err = testRun(prog_fd_, frame, kProbeRepeat)) {
            stop();
            throw std::runtime_error(netflow::errnoMessage("test run while holding", err));
        }
        if (Clock::now() - start < 2ms) {
            held_ = true;
            return;
        }
    }
    if (done_ && error_) {
        stop();
        throw std::runtime_error(netflow::errnoMessage("holding the program", error_));
    }
}

DispatcherHold::~DispatcherHold() {
    stop();
}

void DispatcherHold::stop() {
    if (!thread_.joinable())
        return;
    stop_ = true;
    // Again until it has left: a signal that lands between two test runs
    // interrupts nothing.
    while (!done_) {
        pthread_kill(thread_.native_handle(), kStopSignal);
        std::this_thread::sleep_for(1ms);
    }
    thread_.join();
}

void DispatcherHold::loop() {
    if (cpu_ >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu_, &set);
        pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    }
    const auto frame = arpFrame();
    running_ = true;
    while (!stop_) {
        int err = testRun(prog_fd_, frame, std::numeric_limits<uint32_t>::max());
        if (err && err != -EINTR) {
            error_ = err;
            break;
        }
    }
    done_ = true;
}

}  // namespace nfbench
