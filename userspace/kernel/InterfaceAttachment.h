// Everything a live sensor attaches to its interface, in order, and taken
// down in reverse: the lock that makes it the interface's only sensor, the
// removal of what a crashed earlier run left, XDP on ingress, TC on egress.
//
//   CountingPrograms programs(config);            // load first: verifier
//   auto att = InterfaceAttachment::attach("eth0", programs, {});
//   if (!att) { error(att.error()); return 1; }   // one line, exit 1
//   ... count; on stop: att.value().detach(), then drain the maps ...
//
// Order, and why: the lock comes first, so the leftover removal cannot
// touch a live sensor's filter; XDP before TC, since XDP's mode is the
// likeliest to be refused and then there is no qdisc to undo; the lock is
// released last, so no second sensor attaches while we still are.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kernel/InterfaceLock.h"
#include "kernel/KernelError.h"
#include "kernel/NetInterface.h"
#include "kernel/TcAttachment.h"
#include "kernel/XdpAttachment.h"

namespace netflow {

class CountingPrograms;

struct AttachOptions {
    // Auto in host capture (egress true): native XDP, else TC ingress (tcx),
    // else generic XDP. Auto in tap capture: native, else generic (AF_XDP
    // needs XDP). Native or Generic: that XDP mode, nothing else.
    XdpMode xdp_mode = XdpMode::Auto;
    // Host capture: ingress at TC (tcx), no XDP (--xdp-mode tc).
    bool tc_ingress = false;
    TcMethod tc_method = TcMethod::Auto;
    // Count egress too (host capture). A tap (mirror port) only receives.
    bool egress = true;
    std::string lock_dir = kDefaultLockDir;
};

class InterfaceAttachment {
  public:
    // Errors are one line naming the interface: does not exist, already
    // captured by another netflow (PID), XDP hook busy, native XDP not
    // supported, not permitted (need root or CAP_BPF+CAP_NET_ADMIN).
    static Result<InterfaceAttachment> attach(const std::string &ifname, int xdp_prog_fd,
                                              int tc_prog_fd, const AttachOptions &options);
    static Result<InterfaceAttachment> attach(const std::string &ifname,
                                              const CountingPrograms &programs,
                                              const AttachOptions &options);
    // The hooks alone, on an interface found and locked by the caller (who
    // tells those failures apart: libpcap would fail the same way).
    static Result<InterfaceAttachment> attach(const NetInterface &itf, InterfaceLock lock,
                                              int xdp_prog_fd, int tc_prog_fd,
                                              const AttachOptions &options);

    InterfaceAttachment(InterfaceAttachment &&) noexcept = default;
    InterfaceAttachment &operator=(InterfaceAttachment &&) noexcept = default;
    InterfaceAttachment(const InterfaceAttachment &) = delete;
    InterfaceAttachment &operator=(const InterfaceAttachment &) = delete;
    ~InterfaceAttachment() = default;  // members go in reverse: TC, ingress, lock

    // TC then XDP; the lock stays until destruction. After it returns the
    // programs see no new packets (but see XdpAttachment::detach on
    // packets in flight). "" or a one-line error.
    Result<void> detach();

    const NetInterface &interface() const { return itf_; }
    // The XDP mode in force; Auto when ingress is counted at TC instead.
    XdpMode xdpMode() const { return xdp_ ? xdp_->mode() : XdpMode::Auto; }
    // Ingress is counted by the TC program on a tcx ingress link.
    bool tcIngress() const { return ingress_.has_value(); }
    bool hasEgress() const { return tc_.has_value(); }
    TcMethod tcMethod() const { return tc_ ? tc_->method() : TcMethod::Auto; }
    // Leftovers removed and fallbacks taken, one line each: for -v.
    const std::vector<std::string> &notes() const { return notes_; }
    // "eth0: XDP native, TC egress tcx" (or "eth0: TC ingress tcx, TC
    // egress tcx") for the start message.
    std::string describe() const;

  private:
    InterfaceAttachment(InterfaceLock lock, NetInterface itf, std::optional<XdpAttachment> xdp,
                        std::optional<TcAttachment> ingress, std::optional<TcAttachment> tc,
                        std::vector<std::string> notes)
        : lock_(std::move(lock)),
          itf_(std::move(itf)),
          xdp_(std::move(xdp)),
          ingress_(std::move(ingress)),
          tc_(std::move(tc)),
          notes_(std::move(notes)) {}

    // Declared in attach order: destroyed in reverse.
    InterfaceLock lock_;
    NetInterface itf_;
    std::optional<XdpAttachment> xdp_;     // ingress by XDP, or
    std::optional<TcAttachment> ingress_;  // ingress by TC (tcx)
    std::optional<TcAttachment> tc_;       // egress
    std::vector<std::string> notes_;
};

}  // namespace netflow
