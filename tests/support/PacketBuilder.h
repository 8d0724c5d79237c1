// Hand-built frames for the unit tests, byte by byte, in the spirit of
// Katran's PacketBuilder: Eth().Vlan().IPv4().TCP().Payload(), each layer
// appended in wire order. Lengths (IPv4 total length, IPv6 payload length,
// UDP length), the EtherType chain and the protocol/next-header chain are
// filled in by build() unless a test overrides them to make a malformed
// packet. Checksums are left 0: nothing under test reads them.
//
// Padding (Pad) goes after the IP packet and is not part of any IP length;
// Snap sets how many bytes were captured, which may be fewer than the frame.
#pragma once

#include <arpa/inet.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace nftest {

inline constexpr uint8_t kFin = 0x01;
inline constexpr uint8_t kSyn = 0x02;
inline constexpr uint8_t kRst = 0x04;
inline constexpr uint8_t kPsh = 0x08;
inline constexpr uint8_t kAck = 0x10;
inline constexpr uint8_t kUrg = 0x20;
inline constexpr uint8_t kEce = 0x40;
inline constexpr uint8_t kCwr = 0x80;

// A captured frame: the bytes on the wire and how many of them were captured.
struct Frame {
    std::vector<uint8_t> bytes;
    uint32_t caplen = 0;

    const uint8_t *data() const { return bytes.data(); }
    const uint8_t *end() const { return bytes.data() + caplen; }
    uint32_t wireLen() const { return static_cast<uint32_t>(bytes.size()); }
};

class PacketBuilder {
  public:
    // Ethernet II; the EtherType is set by the next layer.
    PacketBuilder &Eth() {
        static constexpr uint8_t kDst[6] = {0x02, 0, 0, 0, 0, 0x02};
        static constexpr uint8_t kSrc[6] = {0x02, 0, 0, 0, 0, 0x01};
        bytes_.insert(bytes_.end(), kDst, kDst + 6);
        bytes_.insert(bytes_.end(), kSrc, kSrc + 6);
        type_off_ = bytes_.size();
        put16(0);
        return *this;
    }

    // An 802.1Q (or, with tpid, 802.1ad / 0x9100) tag carrying `vid`.
    PacketBuilder &Vlan(uint16_t vid, uint16_t tpid = 0x8100, uint8_t pcp = 0) {
        setType(tpid);
        put16(static_cast<uint16_t>((pcp << 13) | (vid & 0x0FFF)));
        type_off_ = bytes_.size();
        put16(0);
        return *this;
    }

    // Any EtherType and raw bytes after it (ARP and other non-IP frames).
    PacketBuilder &EtherPayload(uint16_t ethertype, std::vector<uint8_t> body) {
        setType(ethertype);
        type_off_.reset();
        bytes_.insert(bytes_.end(), body.begin(), body.end());
        return *this;
    }

    // 20-byte IPv4 header, TTL 64, no fragmentation.
    PacketBuilder &IPv4(const std::string &src, const std::string &dst) {
        setType(0x0800);
        ip_off_ = bytes_.size();
        ip_version_ = 4;
        put8(0x45);
        put8(0);
        put16(0);  // total length: build()
        put16(0x1234);
        put16(0);
        put8(64);
        put8(0);  // protocol: next layer
        put16(0);
        putAddr(AF_INET, src);
        putAddr(AF_INET, dst);
        proto_off_ = ip_off_ + 9;
        return *this;
    }

    // 40-byte IPv6 header, hop limit 64.
    PacketBuilder &IPv6(const std::string &src, const std::string &dst) {
        setType(0x86DD);
        ip_off_ = bytes_.size();
        ip_version_ = 6;
        put32(0x60000000);
        put16(0);  // payload length: build()
        put8(0);   // next header: next layer
        put8(64);
        putAddr(AF_INET6, src);
        putAddr(AF_INET6, dst);
        proto_off_ = ip_off_ + 6;
        return *this;
    }

    // --- Field overrides on the IP header -------------------------------
    PacketBuilder &Ttl(uint8_t ttl) {  // IPv4 TTL or IPv6 hop limit
        bytes_.at(ip_off_ + (ip_version_ == 4 ? 8 : 7)) = ttl;
        return *this;
    }
    // IPv4 options, right after the fixed header (a multiple of 4 bytes).
    PacketBuilder &Ipv4Options(const std::vector<uint8_t> &options) {
        if (options.size() % 4 != 0 || bytes_.size() != ip_off_ + 20)
            throw std::logic_error("IPv4 options: 4-byte multiple, right after the header");
        bytes_.insert(bytes_.end(), options.begin(), options.end());
        bytes_[ip_off_] = static_cast<uint8_t>(0x40 | ((20 + options.size()) / 4));
        return *this;
    }
    // IPv4 fragment offset (8-byte units) and the More Fragments flag.
    PacketBuilder &Ipv4Fragment(uint16_t offset_units, bool more_fragments) {
        uint16_t v = static_cast<uint16_t>((more_fragments ? 0x2000 : 0) | (offset_units & 0x1FFF));
        set16(ip_off_ + 6, v);
        return *this;
    }
    PacketBuilder &Ipv4DontFragment() {
        set16(ip_off_ + 6, static_cast<uint16_t>(get16(ip_off_ + 6) | 0x4000));
        return *this;
    }
    PacketBuilder &VersionNibble(uint8_t version) {
        bytes_.at(ip_off_) = static_cast<uint8_t>((version << 4) | (bytes_.at(ip_off_) & 0x0F));
        return *this;
    }
    PacketBuilder &Ipv4Ihl(uint8_t ihl_words) {
        bytes_.at(ip_off_) = static_cast<uint8_t>((bytes_.at(ip_off_) & 0xF0) | (ihl_words & 0x0F));
        return *this;
    }
    // IPv4 total length or IPv6 payload length, as written (not computed).
    PacketBuilder &IpLengthField(uint16_t value) {
        ip_len_override_ = value;
        return *this;
    }
    // The protocol / next-header byte of whatever comes next, explicitly.
    PacketBuilder &NextProto(uint8_t proto) {
        setProto(proto);
        return *this;
    }

    // --- IPv6 extension headers ------------------------------------------
    // Hop-by-hop (0), routing (43), destination options (60): 8 * (units+1)
    // bytes, padded with PadN.
    PacketBuilder &Ipv6HopByHop(uint8_t len_units = 0) { return ipv6Ext(0, len_units); }
    PacketBuilder &Ipv6Routing(uint8_t len_units = 0) { return ipv6Ext(43, len_units); }
    PacketBuilder &Ipv6DestOpts(uint8_t len_units = 0) { return ipv6Ext(60, len_units); }
    // Fragment header (44): offset in 8-byte units, M flag.
    PacketBuilder &Ipv6Fragment(uint16_t offset_units, bool more_fragments, uint32_t id = 0xABCD) {
        setProto(44);
        size_t off = bytes_.size();
        put8(0);
        put8(0);
        put16(static_cast<uint16_t>((offset_units << 3) | (more_fragments ? 1 : 0)));
        put32(id);
        proto_off_ = off;
        return *this;
    }

    // --- L4 -----------------------------------------------------------------
    // 20-byte TCP header (data offset 5) with these flags; seq/ack/window 0.
    PacketBuilder &TCP(uint16_t sport, uint16_t dport, uint8_t flags = kAck) {
        setProto(6);
        l4_off_ = bytes_.size();
        l4_proto_ = 6;
        put16(sport);
        put16(dport);
        put32(0);
        put32(0);
        put8(0x50);
        put8(flags);
        put16(0);
        put16(0);
        put16(0);
        return *this;
    }
    PacketBuilder &Seq(uint32_t seq) {
        tcpField(4);
        set32(l4_off_ + 4, seq);
        return *this;
    }
    PacketBuilder &AckNum(uint32_t ack) {
        tcpField(8);
        set32(l4_off_ + 8, ack);
        return *this;
    }
    PacketBuilder &Window(uint16_t window) {
        tcpField(14);
        set16(l4_off_ + 14, window);
        return *this;
    }
    // The raw 4-bit data offset, in 32-bit words (not checked).
    PacketBuilder &DataOffset(uint8_t words) {
        tcpField(12);
        bytes_[l4_off_ + 12] = static_cast<uint8_t>((words & 0x0F) << 4);
        return *this;
    }
    // TCP options after the fixed header; the data offset grows with them.
    PacketBuilder &TcpOptions(const std::vector<uint8_t> &options) {
        tcpField(12);
        if (options.size() % 4 != 0 || bytes_.size() != l4_off_ + 20)
            throw std::logic_error("TCP options: 4-byte multiple, right after the header");
        bytes_.insert(bytes_.end(), options.begin(), options.end());
        bytes_[l4_off_ + 12] = static_cast<uint8_t>(((20 + options.size()) / 4) << 4);
        return *this;
    }

    // 8-byte UDP header; its length field is set by build().
    PacketBuilder &UDP(uint16_t sport, uint16_t dport) {
        setProto(17);
        l4_off_ = bytes_.size();
        l4_proto_ = 17;
        put16(sport);
        put16(dport);
        put16(0);
        put16(0);
        return *this;
    }

    // ICMP (over IPv4) or ICMPv6 (over IPv6): type, code, checksum and the
    // 4-byte rest of header (identifier, sequence) = 8 bytes.
    PacketBuilder &ICMP(uint8_t type, uint8_t code, uint16_t id = 1, uint16_t seq = 1) {
        setProto(ip_version_ == 6 ? 58 : 1);
        l4_off_ = bytes_.size();
        l4_proto_ = ip_version_ == 6 ? 58 : 1;
        put8(type);
        put8(code);
        put16(0);
        put16(id);
        put16(seq);
        return *this;
    }

    PacketBuilder &Payload(std::string_view text) {
        bytes_.insert(bytes_.end(), text.begin(), text.end());
        return *this;
    }
    PacketBuilder &Payload(const std::vector<uint8_t> &data) {
        bytes_.insert(bytes_.end(), data.begin(), data.end());
        return *this;
    }
    PacketBuilder &PayloadSize(size_t n, uint8_t fill = 'x') {
        bytes_.insert(bytes_.end(), n, fill);
        return *this;
    }

    // Bytes after the IP packet (Ethernet padding), not in any IP length.
    PacketBuilder &Pad(size_t n, uint8_t fill = 0) {
        padding_.insert(padding_.end(), n, fill);
        return *this;
    }
    // Only the first `caplen` bytes of the frame were captured.
    PacketBuilder &Snap(uint32_t caplen) {
        caplen_ = caplen;
        return *this;
    }

    Frame build() const {
        std::vector<uint8_t> out = bytes_;
        if (ip_version_ == 4) {
            uint16_t total = ip_len_override_.value_or(static_cast<uint16_t>(out.size() - ip_off_));
            out[ip_off_ + 2] = static_cast<uint8_t>(total >> 8);
            out[ip_off_ + 3] = static_cast<uint8_t>(total);
        } else if (ip_version_ == 6) {
            uint16_t plen =
                ip_len_override_.value_or(static_cast<uint16_t>(out.size() - ip_off_ - 40));
            out[ip_off_ + 4] = static_cast<uint8_t>(plen >> 8);
            out[ip_off_ + 5] = static_cast<uint8_t>(plen);
        }
        if (l4_proto_ == 17) {
            auto ulen = static_cast<uint16_t>(out.size() - l4_off_);
            out[l4_off_ + 4] = static_cast<uint8_t>(ulen >> 8);
            out[l4_off_ + 5] = static_cast<uint8_t>(ulen);
        }
        out.insert(out.end(), padding_.begin(), padding_.end());
        Frame f;
        f.caplen = caplen_ ? std::min<uint32_t>(*caplen_, static_cast<uint32_t>(out.size()))
                           : static_cast<uint32_t>(out.size());
        f.bytes = std::move(out);
        return f;
    }

    // Where the IP header starts in the frame (for tests that snap inside it).
    size_t ipOffset() const { return ip_off_; }
    size_t size() const { return bytes_.size(); }

  private:
    PacketBuilder &ipv6Ext(uint8_t type, uint8_t len_units) {
        setProto(type);
        size_t off = bytes_.size();
        size_t len = 8 * (size_t(len_units) + 1);
        put8(0);  // next header: next layer
        put8(len_units);
        // PadN option covering the remaining len - 2 bytes.
        put8(1);
        put8(static_cast<uint8_t>(len - 4));
        bytes_.insert(bytes_.end(), len - 4, 0);
        proto_off_ = off;
        return *this;
    }

    void tcpField(size_t at) const {
        if (l4_proto_ != 6 || l4_off_ + at >= bytes_.size())
            throw std::logic_error("no TCP header to set a field on");
    }
    void setType(uint16_t type) {
        if (!type_off_)
            throw std::logic_error("no EtherType to set: call Eth() first");
        set16(*type_off_, type);
        type_off_.reset();
    }
    void setProto(uint8_t proto) {
        if (proto_off_)
            bytes_[*proto_off_] = proto;
        proto_off_.reset();
    }
    void putAddr(int family, const std::string &text) {
        uint8_t buf[16];
        if (inet_pton(family, text.c_str(), buf) != 1)
            throw std::invalid_argument("bad address " + text);
        bytes_.insert(bytes_.end(), buf, buf + (family == AF_INET ? 4 : 16));
    }
    void put8(uint8_t v) { bytes_.push_back(v); }
    void put16(uint16_t v) {
        put8(static_cast<uint8_t>(v >> 8));
        put8(static_cast<uint8_t>(v));
    }
    void put32(uint32_t v) {
        put16(static_cast<uint16_t>(v >> 16));
        put16(static_cast<uint16_t>(v));
    }
    uint16_t get16(size_t at) const {
        return static_cast<uint16_t>((bytes_.at(at) << 8) | bytes_.at(at + 1));
    }
    void set16(size_t at, uint16_t v) {
        bytes_.at(at) = static_cast<uint8_t>(v >> 8);
        bytes_.at(at + 1) = static_cast<uint8_t>(v);
    }
    void set32(size_t at, uint32_t v) {
        set16(at, static_cast<uint16_t>(v >> 16));
        set16(at + 2, static_cast<uint16_t>(v));
    }

    std::vector<uint8_t> bytes_;
    std::vector<uint8_t> padding_;
    std::optional<size_t> type_off_;
    std::optional<size_t> proto_off_;
    size_t ip_off_ = 0;
    int ip_version_ = 0;
    size_t l4_off_ = 0;
    int l4_proto_ = 0;
    std::optional<uint16_t> ip_len_override_;
    std::optional<uint32_t> caplen_;
};

}  // namespace nftest
