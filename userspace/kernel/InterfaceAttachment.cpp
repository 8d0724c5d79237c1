#include "kernel/InterfaceAttachment.h"

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

    Result<XdpAttachment> xdp = XdpAttachment::attach(xdp_prog_fd, itf, options.xdp_mode);
    if (!xdp)
        return R::failure(xdp.error());
    if (!xdp.value().nativeFailure().empty())
        notes.push_back(xdp.value().nativeFailure() + "; using generic XDP");

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
    return InterfaceAttachment(std::move(lock), std::move(xdp.value()), std::move(tc),
                               std::move(notes));
}

Result<InterfaceAttachment> InterfaceAttachment::attach(const std::string &ifname,
                                                        const CountingPrograms &programs,
                                                        const AttachOptions &options) {
    return attach(ifname, programs.xdpProgramFd(), programs.tcProgramFd(), options);
}

Result<void> InterfaceAttachment::detach() {
    Result<void> tc = tc_ ? tc_->detach() : Result<void>{};
    xdp_.detach();
    return tc;
}

std::string InterfaceAttachment::describe() const {
    std::string text = interface().name + ": XDP " + xdpModeName(xdp_.mode());
    if (tc_)
        text += std::string(", TC egress ") + tcMethodName(tc_->method());
    return text;
}

}  // namespace netflow
