#include "labels/LabelFields.h"

#include <arpa/inet.h>
#include <netdb.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <optional>

#include "common/Text.h"

namespace netflow {
namespace {

template <typename T>
std::optional<T> number(std::string_view text, T max) {
    // At most 5 digits by hand (ports, prefix lengths, protocols): the
    // common case; longer ones through from_chars.
    if (!text.empty() && text.size() <= 5 &&
        std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        unsigned v = 0;
        for (char c : text)
            v = v * 10 + static_cast<unsigned>(c - '0');
        if (v > static_cast<unsigned>(max))
            return std::nullopt;
        return static_cast<T>(v);
    }
    T v{};
    auto res = std::from_chars(text.data(), text.data() + text.size(), v);
    // No field of a rule is negative ("/-6", "-1" as a protocol).
    if (text.empty() || res.ec != std::errc() || res.ptr != text.data() + text.size() || v < 0 ||
        v > max)
        return std::nullopt;
    return v;
}

// A dotted quad, by hand (inet_pton costs more than the rest of a rule):
// four numbers 0-255 of 1-3 digits without a leading zero, three dots.
bool parseIpv4(std::string_view text, uint8_t out[4]) {
    // Each number unrolled (a loop over its digits with a length check
    // each took ~160-205 instructions an address; this ~140). `out` is
    // undefined when it returns false.
    const size_t n = text.size();
    if (n < 7 || n > 15)
        return false;
    const auto *p = reinterpret_cast<const unsigned char *>(text.data());
    const auto *const end = p + n;
    for (int i = 0; i < 4; i++) {
        if (i > 0) {
            if (p + 1 >= end || *p != '.')  // a dot and at least one byte after it
                return false;
            p++;
        }
        unsigned v = unsigned{*p} - '0';
        if (v > 9)
            return false;
        p++;
        if (p < end && unsigned{*p} - '0' <= 9) {
            if (v == 0)  // no leading zero
                return false;
            v = v * 10 + (unsigned{*p} - '0');
            p++;
            if (p < end && unsigned{*p} - '0' <= 9) {
                v = v * 10 + (unsigned{*p} - '0');
                p++;
                if (v > 255)
                    return false;
            }
        }
        out[i] = static_cast<uint8_t>(v);
    }
    return p == end;  // a fourth digit, or more after the fourth number: not an address
}
}  // namespace

bool isAttackName(const std::string &name) {
    return !equalsIgnoreCase(name, "benign");
}

bool parseAddressPrefix(std::string_view text, AddressPrefix *out, std::string *error) {
    AddressPrefix &p = *out;
    p = AddressPrefix{};
    if (text.empty())
        return true;
    // One address, the most common, before searching for '/' (an SSE2
    // reader of the dotted quad, tried, took as many instructions).
    if (parseIpv4(text, p.bytes.data())) {
        p.family = 4;
        p.length = 32;
        return true;
    }
    size_t slash = text.find('/');
    std::string_view addr_text = text.substr(0, slash);
    char buf[INET6_ADDRSTRLEN + 1];
    if (parseIpv4(addr_text, p.bytes.data())) {
        p.family = 4;
    } else if (addr_text.size() < sizeof(buf) &&
               (std::memcpy(buf, addr_text.data(), addr_text.size()), buf[addr_text.size()] = 0,
                inet_pton(AF_INET6, buf, p.bytes.data()) == 1)) {
        p.family = 6;
    } else {
        *error = quotedText(text) + " is not an IPv4 or IPv6 address or CIDR";
        return false;
    }
    const int bits = p.family == 4 ? 32 : 128;
    p.length = static_cast<uint8_t>(bits);
    if (slash != std::string_view::npos) {
        auto len = number<int>(text.substr(slash + 1), bits);
        if (!len) {
            *error = "prefix length in " + quotedText(text) + " is not 0-" + std::to_string(bits);
            return false;
        }
        p.length = static_cast<uint8_t>(*len);
        // Host bits: the partial byte, then whole bytes.
        bool host_bits = p.length % 8 && (p.bytes[p.length / 8] & (0xff >> (p.length % 8)));
        for (int i = (p.length + 7) / 8; i < bits / 8 && !host_bits; i++)
            host_bits = p.bytes[i] != 0;
        if (host_bits) {
            *error = quotedText(text) + " has bits set after the prefix length";
            return false;
        }
    }
    return true;
}

bool parsePortRange(std::string_view text, PortRange *out, std::string *error) {
    PortRange &r = *out;
    r = PortRange{};
    if (text.empty())
        return true;
    // One port of up to 5 digits (most rules) without searching for '-'.
    if (text.size() <= 5) {
        unsigned v = 0;
        bool digits = true;
        for (char c : text) {
            const unsigned d = static_cast<unsigned char>(c) - unsigned{'0'};
            digits &= d <= 9;
            v = v * 10 + d;
        }
        if (digits && v <= 65535) {
            r.lo = r.hi = static_cast<uint16_t>(v);
            return true;
        }
    }
    size_t dash = text.find('-');
    auto lo = number<unsigned>(text.substr(0, dash), 65535);
    auto hi = dash == std::string_view::npos ? lo : number<unsigned>(text.substr(dash + 1), 65535);
    if (!lo || !hi || *lo > *hi) {
        *error = quotedText(text) + " is not a port or a range a-b of ports 0-65535";
        return false;
    }
    r.lo = static_cast<uint16_t>(*lo);
    r.hi = static_cast<uint16_t>(*hi);
    return true;
}

namespace {

// A protocol's number by its name in any case: the usual names, then
// /etc/protocols.
bool protocolByName(std::string_view text, int *number) {
    const std::string name = toLower(text);
    static const struct {
        const char *name;
        int number;
    } kNames[] = {{"icmp", 1},       {"igmp", 2},  {"ipip", 4},  {"tcp", 6},    {"udp", 17},
                  {"ipv6", 41},      {"gre", 47},  {"esp", 50},  {"ah", 51},    {"icmpv6", 58},
                  {"ipv6-icmp", 58}, {"ospf", 89}, {"pim", 103}, {"sctp", 132}, {"udplite", 136}};
    for (const auto &n : kNames) {
        if (name == n.name) {
            *number = n.number;
            return true;
        }
    }
    protoent entry{}, *found = nullptr;
    char buf[1024];
    if (getprotobyname_r(name.c_str(), &entry, buf, sizeof(buf), &found) == 0 && found) {
        *number = found->p_proto;
        return true;
    }
    return false;
}

}  // namespace

bool parseProtocol(std::string_view text, int *out, std::string *error) {
    // The names of nearly every rule, as ground truth writes them, first
    // (toLower and the table cost ~300 instructions a rule).
    int proto = -1;  // "": any
    if (text == "tcp" || text == "TCP") {
        proto = 6;
    } else if (text == "udp" || text == "UDP") {
        proto = 17;
    } else if (text == "icmp" || text == "ICMP") {
        proto = 1;
    } else if (auto n = number<int>(text, 255)) {
        proto = *n;
    } else if (!text.empty() && !protocolByName(text, &proto)) {
        *error = quotedText(text) + " is not a protocol (tcp, udp, icmp, ... or 0-255)";
        return false;
    }
    *out = proto;
    return true;
}

}  // namespace netflow
