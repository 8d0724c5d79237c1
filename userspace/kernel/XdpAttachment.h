// The XDP counting program attached to one interface through a bpf_link.
// A link is owned by its fd: when the fd closes (detach(), the destructor,
// or the process dying, kill -9 included) the kernel detaches the program,
// so nothing is ever left on the interface. While a link holds the hook, no
// other XDP program can be attached to it in either mode (EBUSY/EEXIST),
// which is how the kernel itself refuses a second sensor.
#pragma once

#include <string>

#include "kernel/KernelError.h"
#include "kernel/NetInterface.h"
#include "common/UniqueFd.h"

namespace netflow {

// --xdp-mode: native runs in the driver (fast; veth and most NICs), generic
// on the skb after the driver (any interface, slower). Auto tries native,
// then generic.
enum class XdpMode { Auto, Native, Generic };

const char *xdpModeName(XdpMode mode);  // "auto", "native", "generic"

class XdpAttachment {
  public:
    // Attaches prog_fd (an XDP program) to itf. Errors are one line naming
    // the interface: already attached (with the program that holds it),
    // native XDP not supported by the driver, not permitted, gone.
    // `native_err`, when given, gets the errno of a failed native attempt
    // (0 when native was not tried or worked).
    static Result<XdpAttachment> attach(int prog_fd, const NetInterface &itf, XdpMode mode,
                                        int *native_err = nullptr);
    // Whether an attach failure with this errno is the driver's refusal
    // (no native XDP, or not in this configuration), not missing
    // privileges, a busy hook or a vanished interface.
    static bool driverRefused(int err);

    XdpAttachment(XdpAttachment &&) noexcept = default;
    XdpAttachment &operator=(XdpAttachment &&) noexcept = default;
    XdpAttachment(const XdpAttachment &) = delete;
    XdpAttachment &operator=(const XdpAttachment &) = delete;
    ~XdpAttachment() = default;  // closing the link detaches

    // The mode in force: Native or Generic, never Auto.
    XdpMode mode() const { return mode_; }
    // With Auto, why native was not used ("" when it was): for -v.
    const std::string &nativeFailure() const { return native_failure_; }
    const NetInterface &interface() const { return itf_; }
    bool attached() const { return link_.valid(); }

    // Detaches now. Packets already inside the program on another CPU
    // finish there (the kernel frees the program only after an RCU grace
    // period), so a few map updates may still land right after this.
    void detach() { link_.reset(); }

  private:
    XdpAttachment(UniqueFd link, NetInterface itf, XdpMode mode, std::string native_failure)
        : link_(std::move(link)),
          itf_(std::move(itf)),
          mode_(mode),
          native_failure_(std::move(native_failure)) {}

    UniqueFd link_;
    NetInterface itf_;
    XdpMode mode_;
    std::string native_failure_;
};

}  // namespace netflow
