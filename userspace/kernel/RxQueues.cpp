#include "kernel/RxQueues.h"

#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>
#include <filesystem>

#include "common/UniqueFd.h"

namespace netflow {
namespace {

uint32_t fromEthtool(const std::string &ifname) {
    UniqueFd sock(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!sock || ifname.size() >= IFNAMSIZ)
        return 0;
    ethtool_channels channels{};
    channels.cmd = ETHTOOL_GCHANNELS;
    ifreq ifr{};
    std::memcpy(ifr.ifr_name, ifname.c_str(), ifname.size());
    ifr.ifr_data = reinterpret_cast<char *>(&channels);
    if (ioctl(sock.get(), SIOCETHTOOL, &ifr) != 0)
        return 0;  // EOPNOTSUPP: a driver without channels
    // Combined channels have an RX queue each, and so do RX-only ones.
    return channels.combined_count + channels.rx_count;
}

uint32_t fromSysfs(const std::string &ifname) {
    std::error_code ec;
    uint32_t n = 0;
    for (const auto &entry :
         std::filesystem::directory_iterator("/sys/class/net/" + ifname + "/queues", ec))
        if (entry.path().filename().string().rfind("rx-", 0) == 0)
            n++;
    return ec ? 0 : n;
}

}  // namespace

RxQueues rxQueues(const std::string &ifname) {
    if (uint32_t n = fromEthtool(ifname))
        return RxQueues{n, "ethtool channels"};
    if (uint32_t n = fromSysfs(ifname))
        return RxQueues{n, "sysfs"};
    return RxQueues{1, "assumed"};
}

}  // namespace netflow
