#include "kernel/TcAttachment.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

#include "kernel/AttachError.h"
#include "kernel/LibbpfQuiet.h"
#include "kernel/ProgramInfo.h"

namespace netflow {
namespace {

// BPF_TCX_EGRESS of enum bpf_attach_type (kernel 6.6). Debian 12's uapi
// headers (6.1) predate it; the running kernel's BTF says 47.
constexpr int kBpfTcxEgress = 47;
#ifdef BPF_F_BEFORE  // uapi headers of 6.6 or later, which have the enum
static_assert(BPF_TCX_EGRESS == kBpfTcxEgress, "enum bpf_attach_type");
#endif

// BPF_TCX_INGRESS, the same way.
constexpr int kBpfTcxIngress = 46;
#ifdef BPF_F_BEFORE
static_assert(BPF_TCX_INGRESS == kBpfTcxIngress, "enum bpf_attach_type");
#endif

bpf_tc_hook egressHook(int ifindex) {
    LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_EGRESS);
    return hook;
}

// What occupies our netlink filter slot, for a refusal.
std::string slotHolder(int ifindex) {
    bpf_tc_hook hook = egressHook(ifindex);
    LIBBPF_OPTS(bpf_tc_opts, q, .handle = kTcFilterHandle, .priority = kTcFilterPriority);
    LibbpfQuiet quiet;
    if (bpf_tc_query(&hook, &q) != 0 || q.prog_id == 0)
        return "";
    return " (" + describeProgram(q.prog_id) + ")";
}

}  // namespace

const char *tcMethodName(TcMethod method) {
    switch (method) {
        case TcMethod::Auto:
            return "auto";
        case TcMethod::Tcx:
            return "tcx";
        case TcMethod::Netlink:
            return "netlink";
    }
    return "?";
}

TcAttachment::TcAttachment(TcAttachment &&other) noexcept
    : itf_(std::move(other.itf_)),
      method_(other.method_),
      link_(std::move(other.link_)),
      filter_attached_(std::exchange(other.filter_attached_, false)),
      hook_created_(std::exchange(other.hook_created_, false)),
      tcx_failure_(std::move(other.tcx_failure_)) {}

TcAttachment &TcAttachment::operator=(TcAttachment &&other) noexcept {
    if (this != &other) {
        detach();
        itf_ = std::move(other.itf_);
        method_ = other.method_;
        link_ = std::move(other.link_);
        filter_attached_ = std::exchange(other.filter_attached_, false);
        hook_created_ = std::exchange(other.hook_created_, false);
        tcx_failure_ = std::move(other.tcx_failure_);
    }
    return *this;
}

Result<TcAttachment> TcAttachment::attachEgress(int prog_fd, const NetInterface &itf,
                                                TcMethod method) {
    using R = Result<TcAttachment>;
    TcAttachment tc(itf, TcMethod::Tcx);

    if (method != TcMethod::Netlink) {
        int fd = bpf_link_create(prog_fd, itf.index, static_cast<bpf_attach_type>(kBpfTcxEgress),
                                 nullptr);
        if (fd >= 0) {
            tc.link_.reset(fd);
            return tc;
        }
        int err = -fd;  // libbpf 1.x returns -errno
        std::string what = "attaching TC egress (tcx) to " + itf.name;
        // A kernel without tcx rejects the attach type itself: EINVAL.
        if (method == TcMethod::Tcx || err != EINVAL)
            return R::failure(attachErrorMessage(what, itf.name, err));
        tc.tcx_failure_ = errnoMessage(what, err);
    }

    tc.method_ = TcMethod::Netlink;
    std::string what = "attaching TC egress (netlink) to " + itf.name;
    bpf_tc_hook hook = egressHook(itf.index);
    int err;
    {
        LibbpfQuiet quiet;  // EEXIST (someone's clsact is there) is expected
        err = bpf_tc_hook_create(&hook);
    }
    if (err && err != -EEXIST)
        return R::failure(attachErrorMessage(what + ": creating the clsact qdisc", itf.name, err));
    tc.hook_created_ = err == 0;

    LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .handle = kTcFilterHandle,
                .priority = kTcFilterPriority);
    err = bpf_tc_attach(&hook, &opts);
    if (err) {
        std::string message = std::abs(err) == EEXIST
                                  ? what +
                                        ": the filter slot (handle 0x4e46, priority 1) is taken" +
                                        slotHolder(itf.index)
                                  : attachErrorMessage(what, itf.name, err);
        tc.detach();  // removes the qdisc if we made it
        return R::failure(message);
    }
    tc.filter_attached_ = true;
    return tc;
}

Result<TcAttachment> TcAttachment::attachIngress(int prog_fd, const NetInterface &itf, int *err) {
    TcAttachment tc(itf, TcMethod::Tcx);
    int fd =
        bpf_link_create(prog_fd, itf.index, static_cast<bpf_attach_type>(kBpfTcxIngress), nullptr);
    if (fd < 0) {
        *err = -fd;
        return Result<TcAttachment>::failure(
            attachErrorMessage("attaching TC ingress (tcx) to " + itf.name, itf.name, -fd));
    }
    *err = 0;
    tc.link_.reset(fd);
    return tc;
}

Result<void> TcAttachment::detach() {
    std::string error;
    link_.reset();
    // What fails here is in the returned message; a filter or qdisc already
    // gone is not a failure, and libbpf would print it as one.
    LibbpfQuiet quiet;
    if (filter_attached_) {
        filter_attached_ = false;
        bpf_tc_hook hook = egressHook(itf_.index);
        LIBBPF_OPTS(bpf_tc_opts, opts, .handle = kTcFilterHandle, .priority = kTcFilterPriority);
        int err = bpf_tc_detach(&hook, &opts);
        // Gone already (interface deleted, qdisc removed by hand): fine.
        if (err && std::abs(err) != ENOENT && std::abs(err) != ENODEV && std::abs(err) != EINVAL)
            error = attachErrorMessage("removing the TC egress filter from " + itf_.name, itf_.name,
                                       err);
    }
    if (hook_created_) {
        hook_created_ = false;
        // Ingress|egress is what destroys the qdisc itself (egress alone
        // would only flush egress filters).
        LIBBPF_OPTS(
            bpf_tc_hook, hook, .ifindex = itf_.index,
            .attach_point = static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS));
        int err = bpf_tc_hook_destroy(&hook);
        if (err && error.empty() && std::abs(err) != ENOENT && std::abs(err) != ENODEV &&
            std::abs(err) != EINVAL)
            error = attachErrorMessage("removing the clsact qdisc of " + itf_.name, itf_.name, err);
    }
    return Result<void>::fromMessage(error);
}

}  // namespace netflow
