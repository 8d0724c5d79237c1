// Keeps one XDP program in the kernel's XDP dispatcher while it lives.
//
// Why: a BPF_PROG_TEST_RUN of an XDP program with repeat > 1 adds the
// program to the dispatcher (the trampoline through which XDP programs are
// called directly instead of by an indirect call) and removes it at the
// end, and each change waits for an RCU grace period: about 30 ms per test
// run on the development VM, outside the kernel's timed loop but making a
// mix of thousands of frames take minutes. The dispatcher keeps a program
// while anyone uses it, so a second thread that runs the same program in
// one long test run meanwhile makes every other test run of it skip both
// changes. The program is then called as it is once attached to a NIC,
// directly through the dispatcher, for repeat 1 as well.
//
// The second thread runs on another CPU, on a frame every program here
// stops at the Ethernet header (ARP), so it shares no map entry with the
// runs being measured; per-CPU maps (netflow's statistics) count it on its
// own CPU. It is stopped by a signal, which ends a test run early (EINTR).
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>

namespace nfbench {

class DispatcherHold {
  public:
    // Starts the holding thread on `cpu` (-1: anywhere) and waits until a
    // test run shows the program is held. Throws std::runtime_error when
    // the thread cannot run the program.
    DispatcherHold(int prog_fd, int cpu);
    ~DispatcherHold();
    DispatcherHold(const DispatcherHold &) = delete;
    DispatcherHold &operator=(const DispatcherHold &) = delete;

    // Whether the hold was confirmed (a repeat test run returned fast).
    bool held() const { return held_; }
    // Runs of the ARP frame the confirmation made on the calling thread's
    // CPU: netflow's statistics there count them as "not IP".
    uint64_t probeRuns() const { return probe_runs_; }

    // A CPU other than `cpu` to hold on, or -1 on a one-CPU machine.
    static int otherCpu(int cpu);

  private:
    void loop();
    void stop();

    int prog_fd_;
    int cpu_;
    bool held_ = false;
    uint64_t probe_runs_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<bool> running_{false};
    std::atomic<bool> done_{false};
    std::atomic<int> error_{0};
    std::thread thread_;
};

}  // namespace nfbench
