// Attached for real on the lab's client veth: the kernel and bpftool show
// the programs on the hooks, and pings across the veth are counted, the
// requests by TC egress and the replies by XDP ingress.
#include <string>

#include "LiveFixture.h"
#include "kernel/BpfStats.h"
#include "kernel/InterfaceAttachment.h"

namespace nftest {
namespace {

using netflow::AttachOptions;
using netflow::InterfaceAttachment;
using netflow::TcMethod;
using netflow::XdpMode;

constexpr int kPings = 3;

bool hasLine(const std::string &text, const std::string &a, const std::string &b = "") {
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        std::string line = text.substr(start, end - start);
        if (line.find(a) != std::string::npos && line.find(b) != std::string::npos)
            return true;
        start = end + 1;
    }
    return false;
}

class AttachCounting : public AttachLive {
  protected:
    bool hasClsact() {
        return runCommand("tc qdisc show dev " + itf_.name).output.find("clsact") !=
               std::string::npos;
    }

    // Attaches, checks what the kernel and bpftool see, pings, checks the
    // counts, detaches and checks that nothing is left.
    void attachAndCount(XdpMode mode, TcMethod method, XdpMode want_xdp, TcMethod want_tc) {
        const uint32_t xdp_id = programId(programs_->xdpProgramFd());
        const uint32_t tc_id = programId(programs_->tcProgramFd());
        ASSERT_NE(xdp_id, 0u);
        ASSERT_NE(tc_id, 0u);

        const bool had_qdisc = hasClsact();
        AttachOptions options;
        options.xdp_mode = mode;
        options.tc_method = method;
        auto att = InterfaceAttachment::attach(itf_.name, *programs_, options);
        ASSERT_TRUE(att) << att.error();
        InterfaceAttachment &a = att.value();
        EXPECT_EQ(a.xdpMode(), want_xdp);
        EXPECT_EQ(a.tcMethod(), want_tc);
        EXPECT_EQ(a.describe(), itf_.name + ": XDP " + netflow::xdpModeName(want_xdp) +
                                    ", TC egress " + netflow::tcMethodName(want_tc));

        // The kernel's view.
        Hooks hooks = hooksOf(itf_.index);
        EXPECT_EQ(want_xdp == XdpMode::Native ? hooks.xdp_native : hooks.xdp_generic, xdp_id);
        if (want_tc == TcMethod::Tcx) {
            ASSERT_EQ(hooks.tcx_egress.size(), 1u);
            EXPECT_EQ(hooks.tcx_egress[0], tc_id);
            EXPECT_EQ(hooks.tc_netlink_filter, 0u);
        } else {
            EXPECT_TRUE(hooks.tcx_egress.empty());
            EXPECT_EQ(hooks.tc_netlink_filter, tc_id);
        }

        // bpftool's view (run here, inside the lab namespace). Debian 12's
        // bpftool 7.1 predates tcx: `net show` lists XDP and netlink
        // filters only, and a tcx link shows in `link show` as "type 11".
        CommandResult net = runCommand("bpftool net show dev " + itf_.name);
        ASSERT_EQ(net.status, 0) << net.output;
        EXPECT_TRUE(hasLine(
            net.output, itf_.name,
            (want_xdp == XdpMode::Native ? "driver id " : "generic id ") + std::to_string(xdp_id)))
            << net.output;
        if (want_tc == TcMethod::Tcx) {
            CommandResult links = runCommand("bpftool link show");
            EXPECT_TRUE(hasLine(links.output, "prog " + std::to_string(tc_id) + " ") ||
                        hasLine(links.output, "prog " + std::to_string(tc_id) + "\n"))
                << links.output;
        } else {
            EXPECT_TRUE(hasLine(net.output, "clsact/egress nf_tc_count", std::to_string(tc_id)))
                << net.output;
        }

        // Traffic: pings from this namespace to the peer.
        netflow::BpfStats stats(programs_->statsMapFd());
        auto before = stats.read();
        ASSERT_TRUE(before) << before.error();
        CommandResult ping = runCommand("ping -n -q -c " + std::to_string(kPings) +
                                        " -i 0.2 -W 2 " + lab_->peer_ip4);
        ASSERT_EQ(ping.status, 0) << ping.output;
        auto after = stats.read();
        ASSERT_TRUE(after) << after.error();
        const auto &b = before.value().counters;
        const auto &c = after.value().counters;
        EXPECT_GE(c[NF_STAT_SEEN] - b[NF_STAT_SEEN], 2u * kPings);
        EXPECT_GE(c[NF_STAT_COUNTED] - b[NF_STAT_COUNTED], 2u * kPings);

        // One ICMP flow. Its first packet was a request leaving this
        // namespace, which only TC egress sees: the flow's src is this end,
        // its IN direction the requests (TC), OUT the replies (XDP).
        auto flow = findFlow(programs_->flowMapFd(), NF_IPPROTO_ICMP, lab_->ip4, lab_->peer_ip4);
        ASSERT_TRUE(flow) << "no ICMP flow in the flow map";
        EXPECT_EQ(flow->src_is_lo, lab_->ip4 < lab_->peer_ip4 ? 1 : 0);
        EXPECT_EQ(flow->dir[NF_DIR_IN].pkts, static_cast<uint32_t>(kPings)) << "TC egress";
        EXPECT_EQ(flow->dir[NF_DIR_OUT].pkts, static_cast<uint32_t>(kPings)) << "XDP ingress";

        EXPECT_EQ(a.detach().error(), "");
        EXPECT_TRUE(hooksOf(itf_.index).empty());
        net = runCommand("bpftool net show dev " + itf_.name);
        EXPECT_FALSE(hasLine(net.output, " id ")) << net.output;
        // The clsact qdisc goes only if this process created it.
        bool has_qdisc_now = hasClsact();
        EXPECT_EQ(has_qdisc_now, had_qdisc);
    }
};

TEST_F(AttachCounting, NativeXdpAndTcxEgressAreAttachedAndCount) {
    attachAndCount(XdpMode::Native, TcMethod::Auto, XdpMode::Native, TcMethod::Tcx);
}

TEST_F(AttachCounting, GenericXdpAndTcxEgressAreAttachedAndCount) {
    attachAndCount(XdpMode::Generic, TcMethod::Tcx, XdpMode::Generic, TcMethod::Tcx);
}

TEST_F(AttachCounting, AutoXdpIsNativeOnVeth) {
    attachAndCount(XdpMode::Auto, TcMethod::Auto, XdpMode::Native, TcMethod::Tcx);
}

// The path of kernels before 6.6, forced here.
TEST_F(AttachCounting, NetlinkTcFallbackIsAttachedAndCounts) {
    attachAndCount(XdpMode::Native, TcMethod::Netlink, XdpMode::Native, TcMethod::Netlink);
}

// veth refuses native XDP when its peer's MTU exceeds what one page holds
// (for a program without frags support): a driver refusal, like a NIC
// without XDP support. Native says so; auto falls back to generic XDP in a
// tap, to TC ingress in host capture.
TEST_F(AttachCounting, AutoFallsBackWhenTheDriverRefusesNative) {
    struct PeerMtu {
        std::string set;
        ~PeerMtu() { runCommand(set + "1500"); }
    } mtu{"ip -n " + lab_->peer_ns + " link set dev " + lab_->peer_ifname + " mtu "};
    CommandResult r = runCommand(mtu.set + "9000");
    ASSERT_EQ(r.status, 0) << r.output;

    AttachOptions native;
    native.xdp_mode = XdpMode::Native;
    auto refused = InterfaceAttachment::attach(itf_.name, *programs_, native);
    ASSERT_FALSE(refused);
    EXPECT_EQ(
        refused.error().rfind(
            "attaching XDP (native) to " + itf_.name + ": the driver refused native XDP: ", 0),
        0u)
        << refused.error();
    EXPECT_NE(refused.error().find("; use --xdp-mode generic or auto"), std::string::npos)
        << refused.error();
    EXPECT_TRUE(hooksOf(itf_.index).empty()) << "a refused attach leaves nothing";

    {
        // A tap (no egress): generic XDP, which AF_XDP needs.
        AttachOptions tap;
        tap.egress = false;
        auto att = InterfaceAttachment::attach(itf_.name, *programs_, tap);
        ASSERT_TRUE(att) << att.error();
        EXPECT_EQ(att.value().xdpMode(), XdpMode::Generic);
        ASSERT_FALSE(att.value().notes().empty());
        EXPECT_NE(att.value().notes().back().find("using generic XDP"), std::string::npos)
            << att.value().notes().back();
        EXPECT_EQ(hooksOf(itf_.index).xdp_generic, programId(programs_->xdpProgramFd()));
    }  // detached, and the interface lock released

    // Host capture: TC ingress (tcx) instead of generic XDP.
    auto host = InterfaceAttachment::attach(itf_.name, *programs_, AttachOptions{});
    ASSERT_TRUE(host) << host.error();
    EXPECT_TRUE(host.value().tcIngress());
    EXPECT_EQ(host.value().describe(), itf_.name + ": TC ingress tcx, TC egress tcx");
    ASSERT_FALSE(host.value().notes().empty());
    EXPECT_NE(host.value().notes().back().find("counting ingress at TC (tcx) instead"),
              std::string::npos)
        << host.value().notes().back();
    Hooks hooks = hooksOf(itf_.index);
    EXPECT_EQ(hooks.xdp_generic, 0u);
    EXPECT_EQ(hooks.xdp_native, 0u);
    EXPECT_EQ(hooks.tcx_ingress, std::vector<uint32_t>{programId(programs_->tcProgramFd())});
}

}  // namespace
}  // namespace nftest
