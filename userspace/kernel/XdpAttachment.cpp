#include "kernel/XdpAttachment.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include <cerrno>
#include <cstdlib>

#include "kernel/AttachError.h"
#include "kernel/ProgramInfo.h"

namespace netflow {
namespace {

// What holds the interface's XDP hook, for a refusal: " (program X (id N),
// native)" or "" when the query finds nothing.
std::string currentHolder(int ifindex) {
    LIBBPF_OPTS(bpf_xdp_query_opts, q);
    if (bpf_xdp_query(ifindex, 0, &q) != 0)
        return "";
    if (q.drv_prog_id)
        return " (" + describeProgram(q.drv_prog_id) + ", native)";
    if (q.skb_prog_id)
        return " (" + describeProgram(q.skb_prog_id) + ", generic)";
    if (q.hw_prog_id)
        return " (" + describeProgram(q.hw_prog_id) + ", offloaded)";
    return "";
}

std::string failureMessage(const NetInterface &itf, XdpMode mode, int err) {
    int e = std::abs(err);
    std::string what = std::string("attaching XDP (") + xdpModeName(mode) + ") to " + itf.name;
    // EBUSY: a program is attached in this mode (through a link, or ours
    // would replace it); EEXIST: one is attached in the other mode.
    if (e == EBUSY || e == EEXIST)
        return what + ": another XDP program is already attached" + currentHolder(itf.index) +
               "; one XDP program per interface";
    if (mode == XdpMode::Native && e == EOPNOTSUPP)
        return what + ": the driver of " + itf.name +
               " does not support native XDP; use --xdp-mode generic or auto";
    if (mode == XdpMode::Native && !isPermissionError(e) && e != ENODEV)
        // veth, for one, refuses when its peer's MTU is too large (ERANGE).
        return errnoMessage(what + ": the driver refused native XDP", e) +
               "; use --xdp-mode generic or auto";
    return attachErrorMessage(what, itf.name, e);
}

// A link in exactly this mode: fd, or -errno (as libbpf 1.x returns it).
int createLink(int prog_fd, int ifindex, XdpMode mode) {
    LIBBPF_OPTS(bpf_link_create_opts, opts);
    opts.flags = mode == XdpMode::Native ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
    return bpf_link_create(prog_fd, ifindex, BPF_XDP, &opts);
}

}  // namespace

const char *xdpModeName(XdpMode mode) {
    switch (mode) {
        case XdpMode::Auto:
            return "auto";
        case XdpMode::Native:
            return "native";
        case XdpMode::Generic:
            return "generic";
    }
    return "?";
}

bool XdpAttachment::driverRefused(int err) {
    err = std::abs(err);
    return !isPermissionError(err) && err != EBUSY && err != EEXIST && err != ENODEV &&
           err != ENXIO;
}

Result<XdpAttachment> XdpAttachment::attach(int prog_fd, const NetInterface &itf, XdpMode mode,
                                            int *native_err) {
    if (native_err)
        *native_err = 0;
    using R = Result<XdpAttachment>;
    // libbpf's bpf_program__attach_xdp() takes no mode flags (and needs the
    // bpf_program, which CountingPrograms keeps to itself): this is the
    // same BPF_LINK_CREATE call with the mode set.
    XdpMode first = mode == XdpMode::Generic ? XdpMode::Generic : XdpMode::Native;
    int fd = createLink(prog_fd, itf.index, first);
    if (fd >= 0)
        return XdpAttachment(UniqueFd(fd), itf, first, "");

    int err = -fd;
    if (native_err && first == XdpMode::Native)
        *native_err = err;
    std::string first_failure = failureMessage(itf, first, err);
    // Auto goes on to generic only when the driver is what said no: not
    // for missing privileges, a busy hook or a vanished interface, where
    // generic would fail the same way.
    if (mode != XdpMode::Auto || !driverRefused(err))
        return R::failure(first_failure);

    fd = createLink(prog_fd, itf.index, XdpMode::Generic);
    if (fd >= 0)
        return XdpAttachment(UniqueFd(fd), itf, XdpMode::Generic, first_failure);
    return R::failure(failureMessage(itf, XdpMode::Generic, -fd) +
                      " (native: " + errnoMessage("refused", err) + ")");
}

}  // namespace netflow
