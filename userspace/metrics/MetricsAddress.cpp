#include "metrics/MetricsAddress.h"

#include <charconv>

namespace netflow {

std::optional<MetricsAddress> parseMetricsAddress(const std::string &text, std::string *why) {
    const std::string prefix = "--metrics '" + text + "': ";
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        *why = prefix + "expected ADDR:PORT (127.0.0.1:9100, [::1]:9100)";
        return std::nullopt;
    }
    MetricsAddress address;
    address.host = text.substr(0, colon);
    if (address.host.front() == '[') {
        if (address.host.size() < 3 || address.host.back() != ']') {
            *why = prefix + "an IPv6 address goes in brackets: [::1]:9100";
            return std::nullopt;
        }
        address.host = address.host.substr(1, address.host.size() - 2);
    } else if (address.host.find(':') != std::string::npos) {
        *why = prefix + "an IPv6 address goes in brackets: [::1]:9100";
        return std::nullopt;
    }
    const std::string port = text.substr(colon + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535) {
        *why = prefix + "the port must be a number from 1 to 65535";
        return std::nullopt;
    }
    address.port = static_cast<uint16_t>(value);
    return address;
}

}  // namespace netflow
