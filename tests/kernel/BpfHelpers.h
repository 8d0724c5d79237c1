// bpf(2) operations the tests need beyond the programs' own API, kept
// apart from the files that include libpcap (<linux/bpf.h> and
// <pcap/bpf.h> both define struct bpf_insn).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace nftest {

// Deletes every entry of a hash map whose keys are key_size bytes; an error
// message, or empty.
std::string clearHashMap(int map_fd, size_t key_size);

// How many entries it holds (-1 on error).
long countEntries(int map_fd, size_t key_size);

// One frame through a program `repeat` times in one BPF_PROG_TEST_RUN
// (the kernel loops, bottom halves off around each run); 0 or -errno.
int testRunRepeat(int prog_fd, const void *frame, size_t len, uint32_t repeat);

// One value copied out / in whole, the way userspace would have to write a
// flow entry (it cannot take the entry's lock, bpf/netflow_lock.h); 0 or
// -errno.
int lookupValue(int map_fd, const void *key, void *value);
int updateValue(int map_fd, const void *key, const void *value);

// An AF_XDP socket, unbound: enough to stand in an XSKMAP (the kernel takes
// any AF_XDP socket there; a redirect to an unbound one would fail only
// when carried out, which a test run never does). Closed on destruction.
// What the verifier did with a loaded program: instructions it processed
// (all paths; the kernel refuses a program past 1,000,000) and the
// program's length after loading.
struct ProgramCost {
    uint32_t verified_insns = 0;
    uint32_t xlated_insns = 0;
};
// Zeroes when the kernel does not say.
ProgramCost programCost(int prog_fd);

class XdpSocket {
  public:
    XdpSocket();  // fd() < 0 on failure, with errno set
    ~XdpSocket();
    XdpSocket(const XdpSocket &) = delete;
    XdpSocket &operator=(const XdpSocket &) = delete;
    int fd() const { return fd_; }

  private:
    int fd_;
};

}  // namespace nftest
