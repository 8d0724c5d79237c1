#include "kernel/NetInterface.h"

#include <net/if.h>

#include <cctype>
#include <cerrno>

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
    return NetInterface{name, static_cast<int>(index)};
}

}  // namespace netflow
