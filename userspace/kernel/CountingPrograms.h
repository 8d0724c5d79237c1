// The kernel counting programs (bpf/netflow.bpf.c) loaded and ready: the
// XDP and TC programs, the flow map, the ring buffers and the statistics,
// and the payload path's controls (DPI-done marks, AF_XDP sockets).
// Nothing is attached here; attaching to an interface is the live capture's
// job. Knobs are set between open and load, as const rodata.
//
// libbpf's headers stay out of this one: they bring <linux/bpf.h>, which
// cannot be included next to libpcap's <pcap/bpf.h>.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "payload_budget.h"
#include "kernel/KernelError.h"
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
    // --filter: a tcpdump expression that decides, in the programs, which
    // frames count (an empty one: every frame), instead of the default
    // filter. Compiled by libpcap for Ethernet, translated to eBPF and
    // spliced into both programs (userspace/filter/): a compile error or
    // the verifier's refusal throws FilterError, before anything is
    // attached.
    std::optional<std::string> filter;
    // Time comes from setTestClock() instead of the kernel's clock: for
    // BPF_PROG_TEST_RUN with capture timestamps.
    bool use_test_clock = false;

    // The payload path (docs/spec/DESIGN.md). NF_CAPTURE_HOST: payload packets are
    // copied to the payload ring, every packet continues. NF_CAPTURE_TAP
    // (XDP only, a mirror port): payload packets go to the RX queue's
    // AF_XDP socket (registerXsk), every other packet is dropped.
    uint8_t capture_mode = NF_CAPTURE_HOST;
    // --dpi-packets, --app-packets: the offline path's MeterConfig::budget.
    nf_payload_budget budget{32, 256};
    uint32_t payload_bytes = NF_PAYLOAD_BYTES;  // payload ring: a power of 2, whole pages
    uint32_t dpi_done_entries = NF_DPI_DONE_ENTRIES;
    uint32_t xsk_queues = NF_XSK_QUEUES;  // RX queues 0..xsk_queues-1 can have a socket
};

class CountingPrograms {
  public:
    // Opens, configures and loads. Throws KernelError (not root, no BTF,
    // verifier rejection, ...), FilterError for a --filter that cannot run.
    explicit CountingPrograms(const CountingConfig &config);
    ~CountingPrograms();
    CountingPrograms(const CountingPrograms &) = delete;
    CountingPrograms &operator=(const CountingPrograms &) = delete;

    const CountingConfig &config() const { return config_; }
    // With a --filter: the eBPF instructions its translation put into the
    // XDP and the TC program (for -v).
    size_t xdpFilterInstructions() const { return xdp_filter_insns_; }
    size_t tcFilterInstructions() const { return tc_filter_insns_; }
    int xdpProgramFd() const;
    int tcProgramFd() const;
    int flowMapFd() const;
    // nf_xdp_take, never attached: run by FlowTaker to remove a live flow
    // under its entry's lock.
    int takeProgramFd() const;
    int eventsMapFd() const;
    int statsMapFd() const;
    // The payload ring buffer (NF_REC_PAYLOAD records): EventRing::addRing.
    int payloadMapFd() const;
    int dpiDoneMapFd() const;
    int xskMapFd() const;

    // nDPI needs no more packets of the flow instance a payload record
    // named (its key and flow_first_us): the programs stop copying its
    // packets for DPI from the next one on; app copies (DNS/FTP) go on
    // within their budget. Only worth calling when nDPI finished before its
    // budget (payload_index < dpi_packets): after the last budgeted packet
    // the kernel stops by itself. Thread-safe, one syscall; a mark that the
    // flow never consumes ages out of the LRU map by itself.
    Result<void> markDpiDone(const nf_flow_key &key, uint64_t flow_first_us) const;

    // tap: the AF_XDP socket `xsk_fd`, bound to RX queue `queue` of the
    // interface the XDP program is attached to, receives that queue's
    // payload packets from now on (with struct nf_xsk_meta in front).
    // Until a queue has one, its payload packets are copied to the payload
    // ring instead. Thread-safe, one syscall each.
    Result<void> registerXsk(uint32_t queue, int xsk_fd) const;
    Result<void> unregisterXsk(uint32_t queue) const;

    // The flow timers end no flow from now on (bpf/netflow_expiry.h): at
    // stop, before the rings are read for the last time and the map is
    // drained. Written through the mmaped .bss, no syscall.
    void stopExpiry();

    // The time the programs see from now on (microseconds); only with
    // use_test_clock. Written through the mmaped .bss, no syscall.
    void setTestClock(uint64_t time_us);

  private:
    CountingConfig config_;
    std::unique_ptr<BpfSkeleton<netflow_bpf>> skel_;
    size_t xdp_filter_insns_ = 0;
    size_t tc_filter_insns_ = 0;
};

}  // namespace netflow
