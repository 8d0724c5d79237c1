// Silences libbpf's log for one scope. Some queries are expected to fail
// (asking for our TC filter on an interface without a clsact qdisc), and
// libbpf prints the kernel's netlink message for each, which with -v would
// look like an error on every start. Process-wide, like libbpf's print
// callback itself: use it only on the single-threaded control path.
//
// Includes <bpf/libbpf.h>: for .cpp files only (see CountingPrograms.h on
// libpcap's <pcap/bpf.h>).
#pragma once

#include <bpf/libbpf.h>

namespace netflow {

class LibbpfQuiet {
  public:
    LibbpfQuiet() : previous_(libbpf_set_print(nullptr)) {}
    ~LibbpfQuiet() { libbpf_set_print(previous_); }
    LibbpfQuiet(const LibbpfQuiet &) = delete;
    LibbpfQuiet &operator=(const LibbpfQuiet &) = delete;

  private:
    libbpf_print_fn_t previous_;
};

}  // namespace netflow
