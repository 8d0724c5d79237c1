#include "TemplateFrames.h"

#include <linux/if_ether.h>
#include <pcap/pcap.h>

#include <cstring>
#include <memory>

namespace {

uint16_t be16(const uint8_t *p) {
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
}

// The frame's IPv4 layout, or false when it is not a complete IPv4 frame.
bool locate(Frame &f) {
    const auto &b = f.bytes;
    size_t off = 12;
    if (b.size() < off + 2)
        return false;
    uint16_t type = be16(&b[off]);
    for (int tags = 0; tags < 2 && (type == ETH_P_8021Q || type == ETH_P_8021AD); ++tags) {
        off += 4;
        if (b.size() < off + 2)
            return false;
        type = be16(&b[off]);
    }
    if (type != ETH_P_IP)
        return false;
    size_t ip = off + 2;
    if (b.size() < ip + 20 || (b[ip] >> 4) != 4)
        return false;
    size_t ihl = static_cast<size_t>(b[ip] & 0x0f) * 4;
    if (ihl < 20 || b.size() < ip + ihl)
        return false;
    f.ip_off = static_cast<uint32_t>(ip);
    std::memcpy(&f.saddr, &b[ip + 12], 4);
    std::memcpy(&f.daddr, &b[ip + 16], 4);
    bool first_fragment = (be16(&b[ip + 6]) & 0x1fff) == 0;
    uint8_t proto = b[ip + 9];
    size_t csum = 0;
    if (first_fragment && proto == 6)
        csum = ip + ihl + 16;
    if (first_fragment && proto == 17)
        csum = ip + ihl + 6;
    if (csum != 0 && csum + 2 <= b.size()) {
        f.l4_csum_off = static_cast<uint32_t>(csum);
        f.udp = proto == 17;
    }
    return true;
}

}  // namespace

std::string loadTemplate(const std::string &capture, uint32_t max_len, std::vector<Frame> &frames,
                         SkippedFrames &skipped) {
    char err[PCAP_ERRBUF_SIZE] = {};
    std::unique_ptr<pcap_t, decltype(&pcap_close)> pc(pcap_open_offline(capture.c_str(), err),
                                                      pcap_close);
    if (!pc)
        return "cannot read " + capture + ": " + err;
    if (pcap_datalink(pc.get()) != DLT_EN10MB)
        return capture + " is not an Ethernet capture";
    pcap_pkthdr *hdr = nullptr;
    const u_char *data = nullptr;
    int rc = 0;
    while ((rc = pcap_next_ex(pc.get(), &hdr, &data)) == 1) {
        if (hdr->caplen < hdr->len) {
            ++skipped.truncated;
            continue;
        }
        if (hdr->caplen > max_len) {
            ++skipped.too_long;
            continue;
        }
        Frame f;
        f.bytes.assign(data, data + hdr->caplen);
        if (!locate(f)) {
            ++skipped.not_ipv4;
            continue;
        }
        frames.push_back(std::move(f));
    }
    if (rc == -1)
        return "error reading " + capture + ": " + pcap_geterr(pc.get());
    if (frames.empty())
        return "no IPv4 frame to replay in " + capture;
    return {};
}
