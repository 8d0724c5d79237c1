// What happens around an attachment: kill -9 of its holder, leftovers of a
// crashed netlink-era run, a second sensor, an interface that does not
// exist, missing privileges, another tool's XDP program.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <signal.h>

#include <string>

#include "LiveFixture.h"
#include "common/Result.h"
#include "kernel/InterfaceAttachment.h"
#include "kernel/XdpAttachment.h"
#include "common/UniqueFd.h"

namespace nftest {
namespace {

using namespace std::chrono_literals;
using netflow::AttachOptions;
using netflow::InterfaceAttachment;
using netflow::TcMethod;
using netflow::XdpMode;

// Loading the programs (verifier) and attaching, in a fresh process.
constexpr auto kReady = 60s;

bool contains(const std::string &text, const std::string &part) {
    return text.find(part) != std::string::npos;
}

using AttachLifecycle = AttachLive;

// Links belong to the process: the kernel detaches them when it dies, so
// a kill -9 leaves nothing, and the lock is free again.
TEST_F(AttachLifecycle, KillDashNineLeavesNothingAttached) {
    for (const char *mode : {"native", "generic"}) {
        SCOPED_TRACE(mode);
        HolderProcess holder(lab_->holder, {itf_.name, "--xdp-mode", mode});
        ASSERT_TRUE(holder.waitReady(kReady)) << holder.output();
        Hooks held = hooksOf(itf_.index);
        EXPECT_NE(std::string(mode) == "native" ? held.xdp_native : held.xdp_generic, 0u);
        EXPECT_EQ(held.tcx_egress.size(), 1u);

        holder.signal(SIGKILL);
        EXPECT_EQ(holder.waitExit(5s), -2) << "killed by a signal";
        EXPECT_TRUE(waitUntilNothingAttached(itf_.index, 2s));
        CommandResult net = runCommand("bpftool net show dev " + itf_.name);
        EXPECT_FALSE(contains(net.output, " id ")) << net.output;

        auto again = InterfaceAttachment::attach(itf_.name, *programs_, AttachOptions{});
        EXPECT_TRUE(again) << again.error();
    }
}

// A netlink filter and a legacy XDP program outlive kill -9; the next start
// finds them by name and removes them before it attaches.
TEST_F(AttachLifecycle, LeftoversOfACrashedRunAreRemovedOnStart) {
    HolderProcess holder(lab_->holder, {itf_.name, "--legacy"});
    ASSERT_TRUE(holder.waitReady(kReady)) << holder.output();
    holder.signal(SIGKILL);
    ASSERT_EQ(holder.waitExit(5s), -2);
    Hooks left = hooksOf(itf_.index);
    ASSERT_NE(left.xdp_generic, 0u) << "a legacy XDP program outlives its process";
    ASSERT_NE(left.tc_netlink_filter, 0u) << "a netlink filter outlives its process";

    auto att = InterfaceAttachment::attach(itf_.name, *programs_, AttachOptions{});
    ASSERT_TRUE(att) << att.error();
    const auto &notes = att.value().notes();
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_EQ(notes[0], "removed XDP program nf_xdp_count (id " + std::to_string(left.xdp_generic) +
                            ", generic) left on " + itf_.name + " by an earlier run");
    EXPECT_EQ(notes[1], "removed TC egress filter nf_tc_count (id " +
                            std::to_string(left.tc_netlink_filter) + ") left on " + itf_.name +
                            " by an earlier run");
    Hooks now = hooksOf(itf_.index);
    EXPECT_EQ(now.xdp_native, programId(programs_->xdpProgramFd()));
    EXPECT_EQ(now.xdp_generic, 0u);
    EXPECT_EQ(now.tc_netlink_filter, 0u);
    EXPECT_EQ(now.tcx_egress.size(), 1u);
}

// Someone else's XDP program is never removed: the attach is refused and
// names it.
TEST_F(AttachLifecycle, AnotherToolsXdpProgramIsLeftAloneAndNamed) {
    const bpf_insn pass[] = {
        {0xb7, 0, 0, 0, XDP_PASS},  // r0 = XDP_PASS
        {0x95, 0, 0, 0, 0},         // exit
    };
    netflow::UniqueFd other(
        bpf_prog_load(BPF_PROG_TYPE_XDP, "other_tool", "GPL", pass, 2, nullptr));
    ASSERT_TRUE(other);
    ASSERT_EQ(bpf_xdp_attach(itf_.index, other.get(), XDP_FLAGS_SKB_MODE, nullptr), 0);
    struct Detach {  // also when an assertion below fails
        int ifindex;
        ~Detach() { bpf_xdp_detach(ifindex, XDP_FLAGS_SKB_MODE, nullptr); }
    } detach{itf_.index};
    const std::string other_id = std::to_string(programId(other.get()));

    auto att = InterfaceAttachment::attach(itf_.name, *programs_, AttachOptions{});
    ASSERT_FALSE(att);
    EXPECT_EQ(att.error(),
              "attaching XDP (native) to " + itf_.name +
                  ": another XDP program is already attached (program other_tool (id " + other_id +
                  "), generic); one XDP program per interface");
    EXPECT_EQ(std::to_string(hooksOf(itf_.index).xdp_generic), other_id) << "left alone";
}

// One sensor per interface: the lock refuses a second process and names
// the first; the kernel's own EBUSY on the XDP link says the same in words
// of its own when the lock is bypassed.
TEST_F(AttachLifecycle, ASecondSensorOnTheInterfaceIsRefused) {
    HolderProcess first(lab_->holder, {itf_.name});
    ASSERT_TRUE(first.waitReady(kReady)) << first.output();
    const std::string refused = "interface " + itf_.name +
                                " is already captured by another netflow (PID " +
                                std::to_string(first.pid()) + "); one sensor per interface";

    HolderProcess second(lab_->holder, {itf_.name});
    EXPECT_EQ(second.waitExit(kReady), 1);
    EXPECT_EQ(second.output(), refused + "\n");

    auto in_process = InterfaceAttachment::attach(itf_.name, *programs_, AttachOptions{});
    ASSERT_FALSE(in_process);
    EXPECT_EQ(in_process.error(), refused);

    first.signal(SIGTERM);
    EXPECT_EQ(first.waitExit(5s), 0);
}

TEST_F(AttachLifecycle, TheKernelRefusesASecondXdpLink) {
    auto first = netflow::XdpAttachment::attach(programs_->xdpProgramFd(), itf_, XdpMode::Native);
    ASSERT_TRUE(first) << first.error();
    const std::string holder = "(program nf_xdp_count (id " +
                               std::to_string(programId(programs_->xdpProgramFd())) + "), native)";
    for (XdpMode mode : {XdpMode::Native, XdpMode::Generic, XdpMode::Auto}) {
        auto second = netflow::XdpAttachment::attach(programs_->xdpProgramFd(), itf_, mode);
        ASSERT_FALSE(second);
        EXPECT_TRUE(
            contains(second.error(),
                     "to " + itf_.name + ": another XDP program is already attached " + holder))
            << second.error();
    }
}

TEST_F(AttachLifecycle, AnInterfaceThatDoesNotExistIsAClearError) {
    auto att = InterfaceAttachment::attach("nfnope0", *programs_, AttachOptions{});
    ASSERT_FALSE(att);
    EXPECT_EQ(att.error(), "interface nfnope0 does not exist");

    auto bad = InterfaceAttachment::attach("../etc", *programs_, AttachOptions{});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error(),
              "'../etc' is not a valid interface name (1-15 characters, no '/', ':' or spaces)");

    HolderProcess holder(lab_->holder, {"nfnope0"});
    EXPECT_EQ(holder.waitExit(kReady), 1);
    EXPECT_EQ(holder.output(), "interface nfnope0 does not exist\n");
}

// Root without CAP_NET_ADMIN, CAP_SYS_ADMIN and CAP_BPF (dropped after the
// programs are loaded). On this kernel the links need no capability once
// the program fds exist (loading is where the kernel checks), so XDP and
// tcx would attach; a netlink TC filter needs CAP_NET_ADMIN.
TEST_F(AttachLifecycle, MissingPrivilegesAreAClearError) {
    HolderProcess holder(lab_->holder,
                         {itf_.name, "--drop-caps", "--tc", "netlink", "--max-seconds", "5"});
    EXPECT_EQ(holder.waitExit(kReady), 1);
    EXPECT_EQ(holder.output(), "attaching TC egress (netlink) to " + itf_.name +
                                   ": creating the clsact qdisc: not permitted: " +
                                   netflow::kKernelPrivileges + "\n");
}

}  // namespace
}  // namespace nftest
