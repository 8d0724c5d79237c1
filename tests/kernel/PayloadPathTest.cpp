// The payload path in host capture: which packets the kernel copies to
// userspace and how DPI-done marks stop them. (That the copies equal the
// offline path's hand-offs to the classifier, with nDPI deciding when a
// flow is done, every CountingEqualityTest replay checks.)
//
// - Marks after the k-th payload packet of every flow, over the golden
//   captures and the corpus: DPI copies stop exactly there, app copies of
//   port 53/21 flows go on within --app-packets.
// - A mark names one flow instance: an earlier flow's mark, or a wrong
//   first_us, stops nothing.
// - A full payload ring loses copies and counts them: copies + failures ==
//   wanted packets.
// - Why DPI-done is a separate map: a write of the flow entry from
//   userspace puts back the counters it read and loses packets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "CaptureReplay.h"
#include "FlowCompare.h"
#include "FrameList.h"
#include "KernelTestEnv.h"
#include "BpfHelpers.h"
#include "PayloadChecks.h"
#include "ProgramTestRun.h"
#include "ReplayChecks.h"
#include "flow_key.h"
#include "payload_budget.h"
#include "kernel/BpfStats.h"
#include "kernel/EventRing.h"
#include "kernel/KernelError.h"
#include "support/PacketBuilder.h"

namespace nftest {
namespace {

// Frame by frame through one program, the rings read after each frame.
class Stepper : public netflow::EventHandler {
  public:
    Stepper(netflow::CountingPrograms &programs, Hook hook)
        : programs_(programs),
          prog_fd_(hook == Hook::Xdp ? programs.xdpProgramFd() : programs.tcProgramFd()),
          ring_(programs.eventsMapFd(), *this) {
        ring_.addRing(programs.payloadMapFd());
    }

    // The payload records the frame produced (none or one).
    std::vector<nf_rec_payload> run(const PacketBuilder &b, uint64_t time_us) {
        copies_.clear();
        Frame f = b.build();
        programs_.setTestClock(time_us);
        TestRunResult r = testRun(prog_fd_, std::span<const uint8_t>(f.bytes.data(), f.caplen));
        EXPECT_EQ(r.err, 0) << "test run";
        verdict = r.retval;
        auto n = ring_.consume();
        EXPECT_TRUE(n) << n.error();
        return copies_;
    }

    void onFlowEnded(const nf_rec_flow_ended &) override {}
    void onUnmappedPacket(const nf_rec_packet &) override {}
    void onPayload(const nf_rec_payload &rec, const nf_packet &,
                   std::span<const uint8_t>) override {
        copies_.push_back(rec);
    }

    uint32_t verdict = 0;

  private:
    netflow::CountingPrograms &programs_;
    int prog_fd_;
    netflow::EventRing ring_;
    std::vector<nf_rec_payload> copies_;
};

nf_flow_key keyOf(const PacketBuilder &b) {
    nf_flow_key key{};
    Frame f = b.build();
    // The first packet of these flows comes from the key's lo side or not;
    // either way the canonical key is the same.
    nf_packet pkt{};
    std::memset(&pkt, 0, sizeof(pkt));
    const uint8_t *l3 = f.bytes.data() + 14;
    std::memcpy(pkt.saddr, l3 + 12, 4);
    std::memcpy(pkt.daddr, l3 + 16, 4);
    pkt.sport = static_cast<uint16_t>(l3[20] << 8 | l3[21]);
    pkt.dport = static_cast<uint16_t>(l3[22] << 8 | l3[23]);
    pkt.proto = l3[9];
    pkt.ip_version = 4;
    pkt.has_l4 = 1;
    nf_flow_key_from_packet(&pkt, &key);
    return key;
}

class PayloadPathTest : public SharedProgramsTest {
  protected:
    void SetUp() override {
        SharedProgramsTest::SetUp();
        if (IsSkipped() || HasFatalFailure())
            return;
        ASSERT_EQ(resetKernelState(*programs_), "");
    }

    ReplayTotals replayAll(Hook hook, DpiDone mode, uint32_t after, uint64_t *app_after_mark) {
        ReplayTotals totals;
        CaptureReplay replay(*programs_, sharedClassifier());
        replay.setDpiDone(mode, after);
        for (const std::string &capture : goldenAndCorpusCaptures()) {
            ReplayResult r = replay.run(capture, hook);
            totals.add(r, expectSameAsOffline(capture, r));
            for (const PayloadCopy &c : r.copies)
                *app_after_mark += c.rec.payload_index > after && c.rec.want == NF_WANT_APP;
        }
        return totals;
    }

    uint64_t stat(int index) {
        auto s = netflow::BpfStats(programs_->statsMapFd()).read();
        EXPECT_TRUE(s) << s.error();
        return s ? s.value().counters[index] : 0;
    }
};

TEST_F(PayloadPathTest, DpiDoneMarksStopDpiCopiesAtTheMarkedPacket) {
    for (uint32_t k : {1u, 2u, 5u}) {
        uint64_t app_after_mark = 0;
        ReplayTotals t = replayAll(Hook::Xdp, DpiDone::AfterPayloadPacket, k, &app_after_mark);
        std::printf(
            "%s; %llu app copies after the mark\n",
            t.summary("XDP, marked after payload packet " + std::to_string(k) + ", golden + corpus",
                      Hook::Xdp)
                .c_str(),
            static_cast<unsigned long long>(app_after_mark));
        EXPECT_EQ(t.unequal, 0u) << "k = " << k;
        EXPECT_GT(t.dpi_done_marks, 100u);
        EXPECT_GT(t.dpi_done_seen, 100u) << "marks that stopped a later packet";
        EXPECT_GT(app_after_mark, 0u) << "DNS/FTP flows keep their app copies";
    }
}

TEST_F(PayloadPathTest, DpiDoneMarksWorkTheSameAtTc) {
    uint64_t app_after_mark = 0;
    ReplayTotals t = replayAll(Hook::Tc, DpiDone::AfterPayloadPacket, 3, &app_after_mark);
    std::printf("%s\n", t.summary("TC, marked after payload packet 3", Hook::Tc).c_str());
    EXPECT_EQ(t.unequal, 0u);
    EXPECT_GT(t.dpi_done_seen, 100u);
}

TEST_F(PayloadPathTest, WithoutMarksEveryFlowGetsItsWholeBudget) {
    uint64_t unused = 0;
    ReplayTotals t = replayAll(Hook::Xdp, DpiDone::Never, 0, &unused);
    std::printf("%s\n", t.summary("XDP, no DPI-done marks", Hook::Xdp).c_str());
    EXPECT_EQ(t.unequal, 0u);
    EXPECT_EQ(t.dpi_done_seen, 0u);
}

TEST_F(PayloadPathTest, AMarkHoldsOnlyForTheFlowInstanceItNames) {
    Stepper step(*programs_, Hook::Xdp);
    auto pkt = [] {
        return PacketBuilder().Eth().IPv4("10.5.0.1", "10.5.0.2").UDP(5000, 6000).Payload("data");
    };
    const nf_flow_key key = keyOf(pkt());
    const uint64_t seen_before = stat(NF_STAT_DPI_DONE_SEEN);

    // Flow A, marked under a first_us that is not its own: nothing stops.
    auto a1 = step.run(pkt(), kT0);
    ASSERT_EQ(a1.size(), 1u);
    EXPECT_EQ(step.verdict, kXdpPass) << "host capture: every packet continues";
    const uint64_t a_first = a1[0].flow_first_us;
    EXPECT_EQ(a_first, kT0);
    ASSERT_TRUE(programs_->markDpiDone(key, a_first + 1));
    ASSERT_EQ(step.run(pkt(), kT0 + 1000).size(), 1u) << "a mark for another instance";

    // Flow B under the same key after the idle timeout: A's own mark, now
    // stale, stops nothing either.
    auto b1 = step.run(pkt(), kT0 + 60 * kSec);
    ASSERT_EQ(b1.size(), 1u);
    EXPECT_EQ(b1[0].payload_index, 1u);
    const uint64_t b_first = b1[0].flow_first_us;
    ASSERT_NE(b_first, a_first);
    ASSERT_TRUE(programs_->markDpiDone(key, a_first));
    ASSERT_EQ(step.run(pkt(), kT0 + 61 * kSec).size(), 1u) << "the earlier flow's mark";

    // B's own mark: its next packet is not copied, the mark is taken into
    // the flow entry and removed.
    ASSERT_TRUE(programs_->markDpiDone(key, b_first));
    EXPECT_EQ(step.run(pkt(), kT0 + 62 * kSec).size(), 0u);
    EXPECT_EQ(step.run(pkt(), kT0 + 63 * kSec).size(), 0u);
    EXPECT_EQ(stat(NF_STAT_DPI_DONE_SEEN) - seen_before, 1u);
    EXPECT_EQ(countEntries(programs_->dpiDoneMapFd(), sizeof(nf_flow_key)), 0);
    std::vector<netflow::KernelFlow> flows;
    ASSERT_TRUE(netflow::FlowMapReader(programs_->flowMapFd()).readAll(flows));
    ASSERT_EQ(flows.size(), 1u);
    EXPECT_EQ(flows[0].state.first_us, b_first);
    EXPECT_EQ(flows[0].state.dpi_done, 1) << "latched in the flow's own state";
    EXPECT_EQ(flows[0].state.payload_pkts, 4u) << "counting is untouched";
}

TEST_F(PayloadPathTest, AppCopiesOfAMarkedDnsFlowGoOn) {
    Stepper step(*programs_, Hook::Tc);
    auto query = [] {
        return PacketBuilder().Eth().IPv4("10.6.0.1", "10.6.0.2").UDP(40000, 53).Payload("q");
    };
    auto first = step.run(query(), kT0);
    ASSERT_EQ(first.size(), 1u);
    EXPECT_EQ(first[0].want, NF_WANT_DPI | NF_WANT_APP);
    ASSERT_TRUE(programs_->markDpiDone(first[0].key, first[0].flow_first_us));
    for (int i = 2; i <= 4; i++) {
        auto next = step.run(query(), kT0 + static_cast<uint64_t>(i) * 1000);
        ASSERT_EQ(next.size(), 1u) << "payload packet " << i;
        EXPECT_EQ(next[0].want, NF_WANT_APP) << "payload packet " << i;
        EXPECT_EQ(next[0].payload_index, static_cast<uint32_t>(i));
    }
}

// The payload ring is not read while a capture runs through XDP: most
// copies find it full. Every wanted packet is still accounted for.
TEST(PayloadRingFullTest, LostCopiesAreCounted) {
    NF_REQUIRE_ROOT();
    netflow::CountingConfig config = testConfig(1 << 17, Filtering::Default);
    config.payload_bytes = 4096;
    std::unique_ptr<netflow::CountingPrograms> programs;
    try {
        programs = loadTestPrograms(config);
    } catch (const netflow::KernelError &e) {
        FAIL() << "loading the kernel programs as root: " << e.what();
    }
    ASSERT_EQ(runCaptureThroughXdp(*programs, std::string(NETFLOW_CORPUS_DIR) + "/pcap/1kxun.pcap"),
              "");

    // What the budget wants of these flows, without marks.
    ReplayResult r;
    r.budget = config.budget;
    r.dpi_done = DpiDone::Never;
    class Collect : public netflow::EventHandler {
      public:
        explicit Collect(ReplayResult &r) : r_(r) {}
        void onFlowEnded(const nf_rec_flow_ended &rec) override {
            r_.kernel_flows.push_back(KernelFlow{rec.key, rec.state});
        }
        void onUnmappedPacket(const nf_rec_packet &) override {}
        void onPayload(const nf_rec_payload &, const nf_packet &,
                       std::span<const uint8_t>) override {
            received++;
        }
        uint64_t received = 0;

      private:
        ReplayResult &r_;
    } collect(r);
    netflow::EventRing ring(programs->eventsMapFd(), collect);
    ring.addRing(programs->payloadMapFd());
    ASSERT_TRUE(ring.consume());
    ASSERT_TRUE(netflow::FlowMapReader(programs->flowMapFd()).drain(r.kernel_flows));
    auto stats = netflow::BpfStats(programs->statsMapFd()).read();
    ASSERT_TRUE(stats) << stats.error();
    const __u64 *k = stats.value().counters;

    std::printf(
        "payload ring of 4096 bytes, unread: %llu packets wanted (the budget says %llu), %llu "
        "copies received, %llu lost and counted\n",
        static_cast<unsigned long long>(k[NF_STAT_PAYLOAD_WANTED]),
        static_cast<unsigned long long>(wantedByBudget(r)),
        static_cast<unsigned long long>(collect.received),
        static_cast<unsigned long long>(k[NF_STAT_PAYLOAD_COPY_FAILED]));
    EXPECT_EQ(k[NF_STAT_PAYLOAD_WANTED], wantedByBudget(r));
    EXPECT_GT(k[NF_STAT_PAYLOAD_COPY_FAILED], 0u) << "the ring should have filled";
    EXPECT_EQ(k[NF_STAT_PAYLOAD_COPIED], collect.received);
    EXPECT_EQ(collect.received + k[NF_STAT_PAYLOAD_COPY_FAILED], k[NF_STAT_PAYLOAD_WANTED]);
    EXPECT_EQ(k[NF_STAT_RINGBUF_FAILED], 0u) << "the events ring is not the payload ring";
    EXPECT_EQ(ring.badRecords(), 0u);
}

// Why userspace does not set nf_flow_state.dpi_done itself: a map update
// copies the whole value in (and userspace cannot even take the entry's
// lock, bpf/netflow_lock.h), so the counters userspace read go back in and
// every packet counted since is lost. The nf_dpi_done map leaves the entry
// to the programs.
TEST_F(PayloadPathTest, WritingTheFlowEntryFromUserspaceWouldLosePackets) {
    Stepper step(*programs_, Hook::Xdp);
    auto pkt = [](uint16_t sport) {
        return PacketBuilder().Eth().IPv4("10.7.0.1", "10.7.0.2").UDP(sport, 8000).Payload("x");
    };
    auto packets = [](const nf_flow_entry &e) {
        return e.st.dir[NF_DIR_IN].pkts + e.st.dir[NF_DIR_OUT].pkts;
    };

    const nf_flow_key racy = keyOf(pkt(7000));
    step.run(pkt(7000), kT0);
    nf_flow_entry entry{};
    ASSERT_EQ(lookupValue(programs_->flowMapFd(), &racy, &entry), 0);
    step.run(pkt(7000), kT0 + 1000);  // counted while userspace holds its copy
    entry.st.dpi_done = 1;
    ASSERT_EQ(updateValue(programs_->flowMapFd(), &racy, &entry), 0);
    ASSERT_EQ(lookupValue(programs_->flowMapFd(), &racy, &entry), 0);
    EXPECT_EQ(packets(entry), 1u) << "the packet counted in between is gone";

    const nf_flow_key marked = keyOf(pkt(7001));
    auto first = step.run(pkt(7001), kT0);
    ASSERT_EQ(first.size(), 1u);
    ASSERT_TRUE(programs_->markDpiDone(marked, first[0].flow_first_us));
    step.run(pkt(7001), kT0 + 1000);
    ASSERT_EQ(lookupValue(programs_->flowMapFd(), &marked, &entry), 0);
    EXPECT_EQ(packets(entry), 2u);
    EXPECT_EQ(entry.st.dpi_done, 1);
}

TEST(PayloadRecordTest, BytesParseOnlyAsTheFlowTheRecordNames) {
    Frame f = PacketBuilder()
                  .Eth()
                  .Vlan(7)
                  .IPv4("10.8.0.1", "10.8.0.2")
                  .TCP(1234, 80)
                  .Payload("GET /")
                  .build();
    std::span<const uint8_t> l3(f.bytes.data() + 18, f.caplen - 18);
    nf_rec_payload rec{};
    rec.key = keyOf(PacketBuilder().Eth().IPv4("10.8.0.1", "10.8.0.2").TCP(1234, 80));
    rec.key.vlan_id = 7;
    nf_packet pkt;
    ASSERT_TRUE(netflow::EventRing::parsePayload(rec, l3, pkt));
    EXPECT_EQ(pkt.payload_len, 5u);
    EXPECT_EQ(pkt.vlan_id, 7) << "the VLAN tag is not among the bytes: the key has it";
    rec.key.port_hi = 81;
    EXPECT_FALSE(netflow::EventRing::parsePayload(rec, l3, pkt)) << "another port";
    rec.key.port_hi = 80;
    rec.key.ip_version = 6;
    EXPECT_FALSE(netflow::EventRing::parsePayload(rec, l3, pkt)) << "another IP version";
    rec.key.ip_version = 4;
    EXPECT_FALSE(netflow::EventRing::parsePayload(rec, l3.first(30), pkt))
        << "cut inside the TCP header: the ports are not the key's";
}

}  // namespace
}  // namespace nftest
