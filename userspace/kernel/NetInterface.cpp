#include "kernel/NetInterface.h"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cctype>
#include <cerrno>

#include "common/UniqueFd.h"

namespace netflow {
namespace {

bool validName(const std::string &name) {
    if (name.empty() || name.size() >= IFNAMSIZ || name == "." || name == "..")
        return false;
    for (unsigned char c : name)
        if (c == '/' || c == ':' || std::isspace(c) || c == '\0')
            return false;
    return true;
}

// The interface's IFF_LOOPBACK flag (SIOCGIFFLAGS); false when it cannot
// be read (the attach then treats it as any other interface).
bool isLoopback(const std::string &name) {
    const UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd)
        return false;
    ifreq req{};
    name.copy(req.ifr_name, IFNAMSIZ - 1);
    return ioctl(fd.get(), SIOCGIFFLAGS, &req) == 0 && (req.ifr_flags & IFF_LOOPBACK);
}

}  // namespace

Result<NetInterface> NetInterface::find(const std::string &name) {
    if (!validName(name))
        return Result<NetInterface>::failure("'" + name +
                                             "' is not a valid interface name "
                                             "(1-15 characters, no '/', ':' or spaces)");
    unsigned index = if_nametoindex(name.c_str());
    if (index == 0) {
        int err = errno;
        // The same words as the libpcap backend (capture/PcapLive.cpp).
        if (err == ENODEV || err == ENXIO)
            return Result<NetInterface>::failure("interface " + name + " does not exist");
        return Result<NetInterface>::failure(errnoMessage("looking up interface " + name, err));
    }
    return NetInterface{name, static_cast<int>(index), isLoopback(name)};
}

}  // namespace netflow
