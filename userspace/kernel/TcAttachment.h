// The TC counting program on one interface's egress (what the host sends;
// XDP sees only ingress).
//
// Two ways in, chosen by TcMethod:
//  - tcx (kernel >= 6.6): a bpf_link of type BPF_TCX_EGRESS. Owned by its
//    fd like the XDP link, so a killed sensor leaves nothing attached.
//    libbpf 1.1 (Debian 12) has no bpf_program__attach_tcx(), but its
//    bpf_link_create() passes any attach type through, and a tcx link
//    needs nothing beyond prog, ifindex and type (no relative program, no
//    expected revision: appended last).
//  - netlink (older kernels): a cls_bpf filter on the clsact qdisc through
//    libbpf's bpf_tc_*(), at a fixed handle and priority so the next run
//    can find what a crashed one left (StaleAttachments). The qdisc is
//    destroyed on detach only if this process created it
//    (libbpf-bootstrap's rule): someone else's clsact and filters stay.
//    Such a filter outlives a kill -9; the next start removes it.
#pragma once

#include <cstdint>
#include <string>

#include "kernel/KernelError.h"
#include "kernel/NetInterface.h"
#include "common/UniqueFd.h"

namespace netflow {

// Auto: tcx, and netlink when the kernel does not know tcx.
enum class TcMethod { Auto, Tcx, Netlink };

const char *tcMethodName(TcMethod method);  // "auto", "tcx", "netlink"

// The netlink filter's place on clsact egress: handle "NF", priority 1 (it
// runs first among the filters, so nothing before it can hide a packet;
// it returns TC_ACT_UNSPEC, so every filter after it still runs).
inline constexpr uint32_t kTcFilterHandle = 0x4e46;
inline constexpr uint32_t kTcFilterPriority = 1;

class TcAttachment {
  public:
    // Attaches prog_fd (a sched_cls program) to itf's egress.
    static Result<TcAttachment> attachEgress(int prog_fd, const NetInterface &itf, TcMethod method);
    // Attaches prog_fd to itf's ingress through a tcx link (kernel >= 6.6),
    // the host-mode hook of an interface without native XDP
    // (InterfaceAttachment). No netlink fallback: without tcx, generic XDP
    // serves instead. Errors are one line; `err` gets the errno.
    static Result<TcAttachment> attachIngress(int prog_fd, const NetInterface &itf, int *err);

    TcAttachment(TcAttachment &&other) noexcept;
    TcAttachment &operator=(TcAttachment &&other) noexcept;
    TcAttachment(const TcAttachment &) = delete;
    TcAttachment &operator=(const TcAttachment &) = delete;
    ~TcAttachment() { detach(); }

    // Tcx or Netlink, never Auto.
    TcMethod method() const { return method_; }
    // With Auto on a kernel without tcx, why tcx was not used: for -v.
    const std::string &tcxFailure() const { return tcx_failure_; }
    const NetInterface &interface() const { return itf_; }
    bool attached() const { return link_.valid() || filter_attached_; }
    // Netlink only: this process created the clsact qdisc (and removes it).
    bool createdQdisc() const { return hook_created_; }

    // Detaches now; "" or a one-line error (netlink only: the filter could
    // not be removed). As with XDP, a packet already in the program on
    // another CPU may still update the maps just after.
    Result<void> detach();

  private:
    TcAttachment(NetInterface itf, TcMethod method) : itf_(std::move(itf)), method_(method) {}

    NetInterface itf_;
    TcMethod method_;
    UniqueFd link_;                 // tcx
    bool filter_attached_ = false;  // netlink
    bool hook_created_ = false;     // netlink
    std::string tcx_failure_;
};

}  // namespace netflow
