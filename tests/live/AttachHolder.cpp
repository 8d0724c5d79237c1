// nf_attach_holder: a test-only process that attaches the counting programs
// to an interface and waits, so that the live attach tests have something
// to kill -9 and a second process to refuse. Never installed, never part of
// netflow.
//
//   nf_attach_holder IF [--xdp-mode auto|native|generic] [--tc auto|tcx|netlink]
//                       [--legacy] [--drop-caps] [--max-seconds N]
//
// Prints "ready <what is attached>" on stdout once attached, then waits for
// SIGTERM/SIGINT (detaches, exit 0) or --max-seconds (default 30; bounded
// even when the test that started it dies). An attach error is one line on
// stderr and exit 1.
//
// --legacy plays a crashed older netflow: XDP attached the netlink way (no
// bpf_link, generic mode) and TC through the netlink filter, both of which
// outlive a kill -9. --drop-caps drops CAP_BPF, CAP_NET_ADMIN and
// CAP_SYS_ADMIN after loading, to see the not-permitted message.
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <linux/if_link.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>

#include "LiveLab.h"
#include "kernel/CountingPrograms.h"
#include "kernel/InterfaceAttachment.h"
#include "kernel/LibbpfLog.h"

using namespace netflow;

namespace {

int fail(const std::string &message) {
    std::fprintf(stderr, "nf_attach_holder: %s\n", message.c_str());
    return 1;
}

bool dropAttachCapabilities() {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    if (syscall(SYS_capget, &header, data) != 0)
        return false;
    for (int cap : {CAP_NET_ADMIN, CAP_SYS_ADMIN, CAP_BPF}) {
        data[cap / 32].effective &= ~(1U << (cap % 32));
        data[cap / 32].permitted &= ~(1U << (cap % 32));
    }
    return syscall(SYS_capset, &header, data) == 0;
}

struct Args {
    std::string ifname;
    AttachOptions options;
    bool legacy = false;
    bool drop_caps = false;
    int max_seconds = 30;
};

std::optional<Args> parse(int argc, char **argv) {
    if (argc < 2)
        return std::nullopt;
    Args args;
    args.ifname = argv[1];
    for (int i = 2; i < argc; ++i) {
        std::string a = argv[i];
        std::string v = i + 1 < argc ? argv[i + 1] : "";
        if (a == "--xdp-mode" && (v == "auto" || v == "native" || v == "generic")) {
            args.options.xdp_mode = v == "auto"     ? XdpMode::Auto
                                    : v == "native" ? XdpMode::Native
                                                    : XdpMode::Generic;
            ++i;
        } else if (a == "--tc" && (v == "auto" || v == "tcx" || v == "netlink")) {
            args.options.tc_method = v == "auto"  ? TcMethod::Auto
                                     : v == "tcx" ? TcMethod::Tcx
                                                  : TcMethod::Netlink;
            ++i;
        } else if (a == "--max-seconds" && !v.empty()) {
            args.max_seconds = std::atoi(v.c_str());
            ++i;
        } else if (a == "--legacy") {
            args.legacy = true;
        } else if (a == "--drop-caps") {
            args.drop_caps = true;
        } else {
            return std::nullopt;
        }
    }
    if (args.max_seconds <= 0 || args.max_seconds > 300)
        return std::nullopt;
    return args;
}

// What --legacy leaves: lock, netlink XDP, netlink TC; "" or an error.
std::string attachLegacy(const Args &args, const CountingPrograms &programs,
                         std::optional<InterfaceLock> &lock, std::optional<TcAttachment> &tc) {
    Result<NetInterface> itf = NetInterface::find(args.ifname);
    if (!itf)
        return itf.error();
    Result<InterfaceLock> locked = InterfaceLock::acquire(itf.value());
    if (!locked)
        return locked.error();
    lock.emplace(std::move(locked.value()));
    int err =
        bpf_xdp_attach(itf.value().index, programs.xdpProgramFd(), XDP_FLAGS_SKB_MODE, nullptr);
    if (err)
        return "legacy XDP attach: " + std::string(std::strerror(-err));
    Result<TcAttachment> attached =
        TcAttachment::attachEgress(programs.tcProgramFd(), itf.value(), TcMethod::Netlink);
    if (!attached)
        return attached.error();
    tc.emplace(std::move(attached.value()));
    return "";
}

}  // namespace

int main(int argc, char **argv) {
    std::optional<Args> args = parse(argc, argv);
    if (!args)
        return fail(
            "usage: nf_attach_holder IF [--xdp-mode M] [--tc M] [--legacy] "
            "[--drop-caps] [--max-seconds 1-300]");
    // It attaches for real: only ever inside the lab namespace the test
    // script made (NF_LIVE_NS), never in the machine's own.
    const char *lab_ns = std::getenv("NF_LIVE_NS");
    if (!lab_ns || !nftest::inLabNamespace(lab_ns))
        return fail("refusing to attach outside the lab network namespace (NF_LIVE_NS)");

    // SIGTERM/SIGINT are taken with sigtimedwait below, not by a handler.
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    sigprocmask(SIG_BLOCK, &stop, nullptr);

    routeLibbpfLog(false);
    std::optional<CountingPrograms> programs;
    try {
        programs.emplace(CountingConfig{});
    } catch (const KernelError &e) {
        return fail(e.what());
    }
    if (args->drop_caps && !dropAttachCapabilities())
        return fail("could not drop capabilities");

    std::optional<InterfaceAttachment> attachment;
    std::optional<InterfaceLock> legacy_lock;
    std::optional<TcAttachment> legacy_tc;
    std::string what;
    if (args->legacy) {
        std::string error = attachLegacy(*args, *programs, legacy_lock, legacy_tc);
        if (!error.empty())
            return fail(error);
        what = args->ifname + ": legacy XDP generic, TC egress netlink";
    } else {
        Result<InterfaceAttachment> attached =
            InterfaceAttachment::attach(args->ifname, *programs, args->options);
        if (!attached) {
            // The message alone, as netflow prints it: the tests match it.
            std::fprintf(stderr, "%s\n", attached.error().c_str());
            return 1;
        }
        attachment.emplace(std::move(attached.value()));
        what = attachment->describe();
    }
    std::printf("ready %s\n", what.c_str());
    std::fflush(stdout);

    timespec limit{args->max_seconds, 0};
    sigtimedwait(&stop, nullptr, &limit);
    if (attachment)
        attachment->detach();
    if (args->legacy)  // nothing detaches a legacy XDP program but this
        bpf_xdp_detach(NetInterface::find(args->ifname).value().index, XDP_FLAGS_SKB_MODE, nullptr);
    return 0;
}
