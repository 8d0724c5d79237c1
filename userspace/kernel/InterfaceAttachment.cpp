#include "kernel/InterfaceAttachment.h"

#include <cerrno>

#include "kernel/CountingPrograms.h"
#include "kernel/StaleAttachments.h"

namespace netflow {

Result<InterfaceAttachment> InterfaceAttachment::attach(const std::string &ifname, int xdp_prog_fd,
                                                        int tc_prog_fd,
                                                        const AttachOptions &options) {
    using R = Result<InterfaceAttachment>;
    Result<NetInterface> itf = NetInterface::find(ifname);
    if (!itf)
        return R::failure(itf.error());
    Result<InterfaceLock> lock = InterfaceLock::acquire(itf.value(), options.lock_dir);
    if (!lock)
        return R::failure(lock.error());
    return attach(itf.value(), std::move(lock.value()), xdp_prog_fd, tc_prog_fd, options);
}

Result<InterfaceAttachment> InterfaceAttachment::attach(const NetInterface &itf, InterfaceLock lock,
                                                        int xdp_prog_fd, int tc_prog_fd,
                                                        const AttachOptions &options) {
    using R = Result<InterfaceAttachment>;
    Result<std::vector<std::string>> removed = removeStaleAttachments(itf, xdp_prog_fd, tc_prog_fd);
    if (!removed)
        return R::failure(removed.error());
    std::vector<std::string> notes = std::move(removed.value());

    std::optional<XdpAttachment> xdp;
    std::optional<TcAttachment> ingress;
    if (options.tc_ingress) {
        int tc_err = 0;
        Result<TcAttachment> in = TcAttachment::attachIngress(tc_prog_fd, itf, &tc_err);
        if (!in)
            return R::failure(in.error());
        ingress.emplace(std::move(in.value()));
    } else if (options.xdp_mode == XdpMode::Auto && options.egress) {
        // Host capture: native XDP where the driver has it; otherwise TC
        // ingress, which costs less than generic XDP (docs/decisions.md,
        // "Ingress hook"); generic XDP only on a kernel without tcx.
        int native_err = 0;
        Result<XdpAttachment> native =
            XdpAttachment::attach(xdp_prog_fd, itf, XdpMode::Native, &native_err);
        if (native) {
            xdp.emplace(std::move(native.value()));
        } else if (!XdpAttachment::driverRefused(native_err)) {
            return R::failure(native.error());
        } else {
            int tc_err = 0;
            Result<TcAttachment> in = TcAttachment::attachIngress(tc_prog_fd, itf, &tc_err);
            if (in) {
                ingress.emplace(std::move(in.value()));
                notes.push_back(native.error() + "; counting ingress at TC (tcx) instead");
            } else if (tc_err != EINVAL) {  // EINVAL: a kernel without tcx
                return R::failure(in.error());
            } else {
                Result<XdpAttachment> generic =
                    XdpAttachment::attach(xdp_prog_fd, itf, XdpMode::Generic);
                if (!generic)
                    return R::failure(generic.error());
                notes.push_back(native.error() + "; " + in.error() + "; using generic XDP");
                xdp.emplace(std::move(generic.value()));
            }
        }
    } else {
        Result<XdpAttachment> attached = XdpAttachment::attach(xdp_prog_fd, itf, options.xdp_mode);
        if (!attached)
            return R::failure(attached.error());
        if (!attached.value().nativeFailure().empty())
            notes.push_back(attached.value().nativeFailure() + "; using generic XDP");
        xdp.emplace(std::move(attached.value()));
    }

    std::optional<TcAttachment> tc;
    // On a loopback interface XDP (ingress) already sees every packet the
    // host sends on it: TC egress would count each one a second time.
    if (options.egress && itf.loopback)
        notes.push_back(itf.name +
                        " is a loopback interface: XDP sees every packet once, no TC egress");
    if (options.egress && !itf.loopback) {
        Result<TcAttachment> attached =
            TcAttachment::attachEgress(tc_prog_fd, itf, options.tc_method);
        if (!attached)
            return R::failure(attached.error());  // xdp detaches on return
        if (!attached.value().tcxFailure().empty())
            notes.push_back(attached.value().tcxFailure() + "; using a netlink clsact filter");
        tc.emplace(std::move(attached.value()));
    }
    return InterfaceAttachment(std::move(lock), itf, std::move(xdp), std::move(ingress),
                               std::move(tc), std::move(notes));
}

Result<InterfaceAttachment> InterfaceAttachment::attach(const std::string &ifname,
                                                        const CountingPrograms &programs,
                                                        const AttachOptions &options) {
    return attach(ifname, programs.xdpProgramFd(), programs.tcProgramFd(), options);
}

Result<void> InterfaceAttachment::detach() {
    Result<void> tc = tc_ ? tc_->detach() : Result<void>{};
    if (ingress_)
        ingress_->detach();  // a link: cannot fail
    if (xdp_)
        xdp_->detach();
    return tc;
}

std::string InterfaceAttachment::describe() const {
    std::string text = interface().name + (xdp_ ? std::string(": XDP ") + xdpModeName(xdp_->mode())
                                                : std::string(": TC ingress tcx"));
    if (tc_)
        text += std::string(", TC egress ") + tcMethodName(tc_->method());
    return text;
}

}  // namespace netflow
