// One frame through a loaded program with BPF_PROG_TEST_RUN: no interface,
// no attachment, the kernel builds an xdp_buff / skb around the bytes.
#pragma once

#include <cerrno>
#include <cstdint>
#include <span>
#include <vector>

namespace nftest {

// The kernel's limits for test runs (net/bpf/test_run.c), measured on
// this kernel. Frames outside them are skipped on both sides and counted:
// - XDP needs at least an Ethernet header (ETH_HLEN). Beyond its linear
//   part (a page minus the 256-byte headroom and the skb_shared_info: 3520
//   bytes) it puts the rest in fragments, which the program does not read:
//   every header the parser reads is in the linear part.
// - TC (an skb) needs, after an untagged IPv4 / IPv6 EtherType, the whole
//   IPv4 / IPv6 fixed header (the kernel reads the addresses for the skb's
//   socket), and fits the frame into one linear buffer: at most a page
//   minus NET_SKB_PAD and the skb_shared_info (3712 bytes).
// Anything else that fails is a test failure, not a skip.
inline constexpr size_t kEthHlen = 14;
inline constexpr size_t kPageSize = 4096;
inline constexpr size_t kXdpLinearBytes = 3520;

enum class Rejection { None, TooShort, TooLong };

// Why the kernel refused a test run with EINVAL, when that is a size limit.
inline Rejection sizeRejection(bool tc, int err, std::span<const uint8_t> frame) {
    if (err != -EINVAL)
        return Rejection::None;
    if (frame.size() < kEthHlen)
        return Rejection::TooShort;
    if (!tc)
        return Rejection::None;
    if (frame.size() > kPageSize / 2)
        return Rejection::TooLong;
    const unsigned ethertype = (frame[12] << 8) | frame[13];
    if ((ethertype == 0x0800 && frame.size() < kEthHlen + 20) ||
        (ethertype == 0x86DD && frame.size() < kEthHlen + 40))
        return Rejection::TooShort;
    return Rejection::None;
}

// enum xdp_action of <linux/bpf.h>, which cannot be included next to
// libpcap's headers.
inline constexpr uint32_t kXdpAborted = 0;
inline constexpr uint32_t kXdpDrop = 1;
inline constexpr uint32_t kXdpPass = 2;
inline constexpr uint32_t kXdpRedirect = 4;

struct TestRunResult {
    int err = 0;  // 0, or libbpf's -errno
    uint32_t retval = 0;
};

// libbpf's header is kept in the .cpp: <linux/bpf.h> and libpcap's
// <pcap/bpf.h> cannot be included together.
//
// With `out`, it receives the frame as the program left it, from
// data_meta on: XDP metadata (bpf_xdp_adjust_meta) comes first.
TestRunResult testRun(int prog_fd, std::span<const uint8_t> frame,
                      std::vector<uint8_t> *out = nullptr);

}  // namespace nftest
