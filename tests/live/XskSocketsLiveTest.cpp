// tap capture's AF_XDP sockets for real, on the lab's client veth (run
// through tests/live/run_attach_live.sh, inside the client
// namespace): the XDP program in tap mode redirects payload packets the
// server sends, XskReceiver reads them. Small UMEMs make the limits
// reachable: frames are lent to the kernel again after each read, and what
// the sockets cannot take is counted by the kernel, never lost silently:
// redirected == received + lost, always.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include "LiveLab.h"
#include "kernel/BpfStats.h"
#include "kernel/CountingPrograms.h"
#include "kernel/InterfaceAttachment.h"
#include "kernel/RxQueues.h"
#include "kernel/XskReceiver.h"

namespace nftest {
namespace {

using netflow::XskCounters;
using netflow::XskReceiver;

constexpr uint32_t kFrames = 16;  // per socket: a ring the tests can fill

struct Collect : netflow::EventHandler {
    void onFlowEnded(const nf_rec_flow_ended &) override {}
    void onUnmappedPacket(const nf_rec_packet &) override {}
    void onPayload(const nf_rec_payload &rec, const nf_packet &pkt,
                   std::span<const uint8_t> l3) override {
        ports.insert(pkt.dport);  // distinct by construction (the source port may repeat)
        EXPECT_EQ(rec.dir, NF_DIR_IN) << "the sender starts each flow";
        EXPECT_EQ(rec.payload_index, 1u);
        EXPECT_EQ(rec.time_us, rec.flow_first_us);
        EXPECT_EQ(l3.size(), rec.cap_len);
        EXPECT_EQ(pkt.payload_len, 8u);  // "payload\n"
    }
    std::set<uint16_t> ports;
};

class XskSocketsLive : public ::testing::Test {
  protected:
    void SetUp() override {
        if (geteuid() != 0)
            GTEST_SKIP() << "AF_XDP and XDP need root";
        std::string why;
        lab_ = labEnv(&why);
        ASSERT_TRUE(lab_) << why;
        netflow::CountingConfig config;
        config.capture_mode = NF_CAPTURE_TAP;
        programs_ = std::make_unique<netflow::CountingPrograms>(config);
        netflow::AttachOptions options;
        options.xdp_mode = netflow::XdpMode::Native;
        options.egress = false;
        auto att = netflow::InterfaceAttachment::attach(lab_->ifname, *programs_, options);
        ASSERT_TRUE(att) << att.error();
        attachment_ = std::make_unique<netflow::InterfaceAttachment>(std::move(att.value()));
        queues_ = netflow::rxQueues(lab_->ifname).count;
        xsk_ = std::make_unique<XskReceiver>(lab_->ifname, queues_, true,
                                             netflow::XskRingConfig{kFrames, 4096});
        auto registered = xsk_->registerWith(*programs_);
        ASSERT_TRUE(registered) << registered.error();
    }
    void TearDown() override {
        // As netflow stops: XDP off first, then the sockets.
        if (attachment_) {
            EXPECT_EQ(attachment_->detach().error(), "");
        }
        if (xsk_) {
            EXPECT_EQ(xsk_->close().error(), "");
        }
    }

    uint64_t stat(int index) {
        auto s = netflow::BpfStats(programs_->statsMapFd()).read();
        EXPECT_TRUE(s) << s.error();
        return s ? s.value().counters[index] : 0;
    }

    // Frames counted on flows: the peer's own chatter (ARP, IPv6 neighbour
    // discovery, MLD), which may come at any time, is not IPv4 TCP/UDP/ICMP
    // and is left out, so the count is exactly the datagrams sent.
    uint64_t flowFrames() { return stat(NF_STAT_COUNTED) + stat(NF_STAT_MAP_FULL); }

    // One UDP datagram with 8 bytes of payload from the server to each
    // port in [first, first + n): n new flows, each of whose first payload
    // packet the program redirects. Returns once the program has seen them
    // all (bounded: 10 s, for a loaded machine).
    void send(int first, int n) {
        const uint64_t before = flowFrames();
        CommandResult r =
            runCommand("ip netns exec " + lab_->peer_ns + " bash -c 'for p in $(seq " +
                       std::to_string(first) + " " + std::to_string(first + n - 1) +
                       "); do echo payload >/dev/udp/" + lab_->ip4 + "/$p; done'");
        ASSERT_EQ(r.status, 0) << r.output;
        for (int i = 0; i < 1000 && flowFrames() < before + static_cast<uint64_t>(n); i++)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        ASSERT_EQ(flowFrames(), before + static_cast<uint64_t>(n));
    }

    XskCounters counters() {
        auto c = xsk_->counters();
        EXPECT_TRUE(c) << c.error();
        return c ? c.value() : XskCounters{};
    }

    std::optional<LabEnv> lab_;
    std::unique_ptr<netflow::CountingPrograms> programs_;
    std::unique_ptr<netflow::InterfaceAttachment> attachment_;
    std::unique_ptr<XskReceiver> xsk_;
    uint32_t queues_ = 0;
};

TEST_F(XskSocketsLive, VethOffersCopyModeOnly) {
    ASSERT_EQ(xsk_->sockets(), queues_);
    for (const std::string &line : xsk_->describe())
        EXPECT_NE(line.find(": copy mode (zero-copy: "), std::string::npos) << line;
    EXPECT_EQ(xsk_->modeSummary(), "copy");
}

TEST_F(XskSocketsLive, FramesAreLentAgainAfterEachRead) {
    Collect got;
    for (int round = 0; round < 5; round++) {
        send(31000 + round * 10, 10);
        ASSERT_TRUE(xsk_->poll(0, got));
    }
    const XskCounters c = counters();
    EXPECT_EQ(stat(NF_STAT_XSK_REDIRECTED), 50u);
    EXPECT_EQ(stat(NF_STAT_XSK_REDIRECT_FAILED), 0u);
    EXPECT_EQ(c.received, 50u) << "more than the " << kFrames << " frames of the UMEM";
    EXPECT_EQ(got.ports.size(), 50u);
    EXPECT_EQ(c.lost(), 0u);
    EXPECT_EQ(c.bad_metadata + c.not_parsed, 0u);
}

TEST_F(XskSocketsLive, WhatTheSocketsCannotTakeIsCountedLost) {
    // Unread, the sockets hold kFrames frames each; the rest find no free
    // frame (copy mode: rx_dropped, and the fill ring empty).
    const int n = 64;
    send(32000, n);
    Collect got;
    xsk_->drain(got);
    const XskCounters c = counters();
    const uint64_t redirected = stat(NF_STAT_XSK_REDIRECTED);
    EXPECT_EQ(redirected, static_cast<uint64_t>(n));
    EXPECT_EQ(redirected, c.received + c.lost()) << "every redirected frame received or counted";
    EXPECT_LE(c.received, static_cast<uint64_t>(kFrames) * queues_);
    EXPECT_GT(c.lost(), 0u);
    EXPECT_EQ(c.kernel.rx_dropped, c.lost()) << "copy mode: no free frame";
    EXPECT_GE(c.kernel.rx_fill_ring_empty, c.kernel.rx_dropped);
    EXPECT_EQ(got.ports.size(), c.received);
    const std::string line = netflow::formatXskSummary(c, xsk_->sockets(), "copy", redirected);
    std::printf("%s\n", line.c_str());
    EXPECT_NE(line.find(std::to_string(c.lost()) + " lost"), std::string::npos) << line;
}

}  // namespace
}  // namespace nftest
