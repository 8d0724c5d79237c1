#include "export/ExportUri.h"

#include <charconv>

namespace netflow {
namespace {

struct Scheme {
    const char *prefix;
    ExportScheme scheme;
};
constexpr Scheme kSchemes[] = {{"ipfix://", ExportScheme::Ipfix},
                               {"ipfix+tcp://", ExportScheme::IpfixTcp},
                               {"tcp://", ExportScheme::IpfixTcp},
                               {"netflow9://", ExportScheme::Netflow9},
                               {"kafka://", ExportScheme::Kafka}};

std::string bad(const std::string &uri, const std::string &why) {
    return "--export " + uri + ": " + why;
}

}  // namespace

std::variant<ExportTarget, std::string> parseExportUri(const std::string &uri) {
    ExportTarget t;
    t.uri = uri;
    std::string rest;
    bool known = false;
    for (const Scheme &s : kSchemes) {
        const std::string prefix = s.prefix;
        if (uri.size() >= prefix.size() && uri.compare(0, prefix.size(), prefix) == 0) {
            t.scheme = s.scheme;
            rest = uri.substr(prefix.size());
            known = true;
            break;
        }
    }
    if (!known)
        return bad(uri, "unknown scheme (ipfix://, ipfix+tcp://, tcp://, netflow9:// or kafka://)");

    if (t.scheme == ExportScheme::Kafka) {
        const size_t slash = rest.find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == rest.size())
            return bad(uri, "expected kafka://BROKERS/TOPIC");
        t.brokers = rest.substr(0, slash);
        t.topic = rest.substr(slash + 1);
        if (t.topic.find('/') != std::string::npos)
            return bad(uri, "the topic must not contain '/'");
        return t;
    }

    if (!rest.empty() && rest.back() == '/')
        rest.pop_back();
    size_t colon;
    if (!rest.empty() && rest.front() == '[') {
        const size_t close = rest.find(']');
        if (close == std::string::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
            return bad(uri, "expected [IPV6]:PORT");
        t.host = rest.substr(1, close - 1);
        colon = close + 1;
    } else {
        colon = rest.rfind(':');
        if (colon == std::string::npos)
            return bad(uri, "expected HOST:PORT");
        t.host = rest.substr(0, colon);
        if (t.host.find(':') != std::string::npos)
            return bad(uri, "an IPv6 address goes in brackets: [ADDRESS]:PORT");
    }
    if (t.host.empty())
        return bad(uri, "no host");
    if (t.host.find_first_of("/?#@ ") != std::string::npos)
        return bad(uri, "expected HOST:PORT, nothing more");
    const std::string port = rest.substr(colon + 1);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535)
        return bad(uri, "the port must be 1 to 65535, not '" + port + "'");
    t.port = static_cast<uint16_t>(value);
    return t;
}

}  // namespace netflow
