// A tcpdump filter compiled by libpcap for a link type (RAII over
// bpf_program), applied to frames exactly as tcpdump would.
#pragma once

#include <pcap/pcap.h>

#include <span>
#include <stdexcept>
#include <string>

#include "filter/FilterError.h"

namespace netflow {

class BpfFilter {
  public:
    // Throws FilterError with libpcap's reason when it does not compile.
    BpfFilter(int link_type, int snaplen, const std::string &expression);
    ~BpfFilter();
    BpfFilter(const BpfFilter &) = delete;
    BpfFilter &operator=(const BpfFilter &) = delete;

    bool matches(const pcap_pkthdr &header, const uint8_t *frame) const {
        return pcap_offline_filter(&program_, &header, frame) != 0;
    }

    // The classic BPF program libpcap compiled: what the kernel path
    // translates (userspace/filter/), so both paths run the same code.
    std::span<const bpf_insn> instructions() const { return {program_.bf_insns, program_.bf_len}; }

  private:
    bpf_program program_{};
};

}  // namespace netflow
