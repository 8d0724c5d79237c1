#include "common/StopSignal.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstring>

namespace netflow {
namespace {

volatile std::sig_atomic_t g_stop = 0;
volatile std::sig_atomic_t g_immediate = 0;  // StopImmediately depth

constexpr char kStoppedEarly[] = "netflow: stopped before the capture started: nothing read\n";

[[noreturn]] void stopNow() {
    // Async-signal-safe: write(2) and _exit(2) only.
    ssize_t ignored = ::write(STDERR_FILENO, kStoppedEarly, sizeof(kStoppedEarly) - 1);
    (void)ignored;
    ::_exit(0);
}

extern "C" void onStopSignal(int) {
    g_stop = 1;
    if (g_immediate > 0)
        stopNow();
}

sigset_t stopSignals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

}  // namespace

void installStopHandlers() {
    struct sigaction sa {};
    sa.sa_handler = onStopSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocked read returns EINTR
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGALRM, &sa, nullptr);
    // Held back by the entry that executed the program (launcher.c): one
    // that came meanwhile is handled now.
    const sigset_t stops = stopSignals();
    sigprocmask(SIG_UNBLOCK, &stops, nullptr);
}

bool stopRequested() {
    return g_stop != 0;
}

void requestStop() {
    g_stop = 1;
}

StopImmediately::StopImmediately() {
    g_immediate = g_immediate + 1;
    if (g_stop)  // a signal came before: as if it came now
        stopNow();
}

StopImmediately::~StopImmediately() {
    g_immediate = g_immediate - 1;
}

StopTimer::StopTimer(double seconds) {
    sigevent ev{};
    ev.sigev_notify = SIGEV_THREAD_ID;
    ev.sigev_signo = SIGALRM;
    ev._sigev_un._tid = static_cast<pid_t>(::syscall(SYS_gettid));
    if (::timer_create(CLOCK_MONOTONIC, &ev, &timer_) != 0)
        return;  // the loop's own clock check still stops the run
    seconds = std::max(seconds, 0.001);
    itimerspec when{};
    when.it_value.tv_sec = static_cast<time_t>(seconds);
    when.it_value.tv_nsec = static_cast<long>((seconds - std::floor(seconds)) * 1e9);
    when.it_interval.tv_nsec = 100'000'000;
    armed_ = ::timer_settime(timer_, 0, &when, nullptr) == 0;
    if (!armed_)
        ::timer_delete(timer_);
}

StopTimer::~StopTimer() {
    if (armed_)
        ::timer_delete(timer_);
}

}  // namespace netflow
