#include "capture/PcapLive.h"

#include <poll.h>

#include <cerrno>
#include <cstring>

namespace netflow {
namespace {

constexpr int kSnapLength = 262144;
constexpr int kBufferBytes = 64 << 20;  // rides out bursts while nDPI works

// pcap_activate's result as one line a user can act on.
std::string activateError(pcap_t *pcap, int rc, const std::string &interface) {
    switch (rc) {
        case PCAP_ERROR_NO_SUCH_DEVICE:
            return "interface " + interface + " does not exist";
        case PCAP_ERROR_PERM_DENIED:
            return "no permission to capture on " + interface +
                   " (run as root or with CAP_NET_RAW)";
        case PCAP_ERROR_IFACE_NOT_UP:
            return "interface " + interface + " is not up";
        default:
            return "cannot capture on " + interface + ": " + pcap_geterr(pcap);
    }
}

struct DispatchContext {
    const PcapLive::Handler *handler;
};

void onPacket(u_char *user, const pcap_pkthdr *header, const u_char *data) {
    auto *ctx = reinterpret_cast<DispatchContext *>(user);
    (*ctx->handler)(*header, data);
}

}  // namespace

PcapLive::PcapLive(const std::string &interface, bool promiscuous) : interface_(interface) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_ = pcap_create(interface.c_str(), errbuf);
    if (!pcap_)
        throw CaptureError("cannot capture on " + interface + ": " + errbuf);
    pcap_set_snaplen(pcap_, kSnapLength);
    pcap_set_promisc(pcap_, promiscuous ? 1 : 0);
    pcap_set_immediate_mode(pcap_, 1);
    pcap_set_buffer_size(pcap_, kBufferBytes);
    pcap_set_tstamp_precision(pcap_, PCAP_TSTAMP_PRECISION_MICRO);
    int rc = pcap_activate(pcap_);
    if (rc < 0) {
        std::string message = activateError(pcap_, rc, interface);
        pcap_close(pcap_);
        pcap_ = nullptr;
        throw CaptureError(message);
    }
    if (pcap_setnonblock(pcap_, 1, errbuf) != 0 || (fd_ = pcap_get_selectable_fd(pcap_)) < 0) {
        pcap_close(pcap_);
        pcap_ = nullptr;
        throw CaptureError("cannot poll " + interface + ": " + errbuf);
    }
}

PcapLive::~PcapLive() {
    if (pcap_)
        pcap_close(pcap_);
}

Result<int> PcapLive::poll(int timeout_ms, const Handler &handler) {
    pollfd pfd{fd_, POLLIN, 0};
    int ready = ::poll(&pfd, 1, timeout_ms);
    if (ready < 0) {
        if (errno == EINTR)
            return 0;
        return Result<int>::failure(interface_ + ": " + std::strerror(errno));
    }
    if (ready == 0)
        return 0;
    DispatchContext ctx{&handler};
    int n = pcap_dispatch(pcap_, -1, onPacket, reinterpret_cast<u_char *>(&ctx));
    if (n == PCAP_ERROR)
        return Result<int>::failure(interface_ + ": " + pcap_geterr(pcap_));
    return n < 0 ? 0 : n;
}

PcapLive::Drops PcapLive::drops() const {
    pcap_stat st{};
    if (pcap_stats(pcap_, &st) != 0)
        return {};
    return {st.ps_drop, st.ps_ifdrop};
}

}  // namespace netflow
