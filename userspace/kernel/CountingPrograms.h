// The kernel counting programs (bpf/netflow.bpf.c) loaded and ready: the
// XDP and TC programs, the flow map, the ring buffer and the statistics.
// Nothing is attached here; attaching to an interface is the live capture's
// job. Knobs are set between open and load, as const rodata.
//
// libbpf's headers stay out of this one: they bring <linux/bpf.h>, which
// cannot be included next to libpcap's <pcap/bpf.h>.
#pragma once

#include <cstdint>
#include <memory>

#include "netflow_kern_user.h"

struct netflow_bpf;  // the generated skeleton, included by the .cpp only

namespace netflow {

template <typename T>
class BpfSkeleton;

struct CountingConfig {
    nf_timeouts timeouts{30'000'000, 120'000'000};
    uint32_t flow_map_entries = NF_FLOW_MAP_ENTRIES;
    uint32_t events_bytes = NF_EVENTS_BYTES;  // a power of 2, whole pages
    // Every IPv4/IPv6 packet forms flows (offline: `--filter ''`) instead
    // of the default filter's IPv4 TCP/UDP/ICMP.
    bool count_all_ip = false;
    // Time comes from setTestClock() instead of the kernel's clock: for
    // BPF_PROG_TEST_RUN with capture timestamps.
    bool use_test_clock = false;
};

class CountingPrograms {
  public:
    // Opens, configures and loads. Throws KernelError (not root, no BTF,
    // verifier rejection, ...).
    explicit CountingPrograms(const CountingConfig &config);
    ~CountingPrograms();
    CountingPrograms(const CountingPrograms &) = delete;
    CountingPrograms &operator=(const CountingPrograms &) = delete;

    const CountingConfig &config() const { return config_; }
    int xdpProgramFd() const;
    int tcProgramFd() const;
    int flowMapFd() const;
    int eventsMapFd() const;
    int statsMapFd() const;

    // The time the programs see from now on (microseconds); only with
    // use_test_clock. Written through the mmaped .bss, no syscall.
    void setTestClock(uint64_t time_us);

  private:
    CountingConfig config_;
    std::unique_ptr<BpfSkeleton<netflow_bpf>> skel_;
};

}  // namespace netflow
