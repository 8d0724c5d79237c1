#include "kafka/KafkaUri.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "common/Text.h"
#include "delivery/SpoolFile.h"
#include "kafka/KafkaConfig.h"

namespace netflow {
namespace {

constexpr std::string_view kScheme = "kafka://";
constexpr size_t kMaxTopic = 249;  // Kafka's own limit

bool hostChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_';
}

bool topicChar(char c) {
    return hostChar(c);  // Kafka's legal topic characters: [a-zA-Z0-9._-]
}

bool validPort(std::string_view text) {
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
    return !text.empty() && ec == std::errc() && ptr == text.data() + text.size() && port >= 1 &&
           port <= 65535 && text.front() != '+';
}

// "" or why `broker` is not host[:port].
std::string checkBroker(std::string_view broker) {
    if (broker.empty())
        return "an empty broker";
    std::string_view host = broker, port;
    if (broker.front() == '[') {
        const size_t close = broker.find(']');
        if (close == std::string_view::npos)
            return "broker '" + std::string(broker) + "': no ']' after the IPv6 address";
        const std::string address(broker.substr(1, close - 1));
        in6_addr a6{};
        if (::inet_pton(AF_INET6, address.c_str(), &a6) != 1)
            return "broker '" + std::string(broker) + "': '" + address + "' is not an IPv6 address";
        const std::string_view rest = broker.substr(close + 1);
        if (!rest.empty() && rest.front() != ':')
            return "broker '" + std::string(broker) + "': ':PORT' expected after ']'";
        if (!rest.empty() && !validPort(rest.substr(1)))
            return "broker '" + std::string(broker) + "': port must be 1 to 65535";
        return "";
    }
    if (const size_t colon = broker.rfind(':'); colon != std::string_view::npos) {
        host = broker.substr(0, colon);
        port = broker.substr(colon + 1);
        if (!validPort(port))
            return "broker '" + std::string(broker) + "': port must be 1 to 65535";
    }
    if (host.empty() || !std::all_of(host.begin(), host.end(), hostChar))
        return "broker '" + std::string(broker) +
               "': host must be a name or an address (IPv6 in brackets)";
    return "";
}

}  // namespace

bool isKafkaUri(std::string_view uri) {
    return uri.size() >= kScheme.size() && equalsIgnoreCase(uri.substr(0, kScheme.size()), kScheme);
}

std::optional<std::string> parseKafkaUri(std::string_view uri, KafkaOptions &options) {
    const std::string quoted = "--export '" + std::string(uri) + "'";
    if (!isKafkaUri(uri))
        return quoted + ": not a kafka://BROKERS/TOPIC address";
    const std::string_view rest = uri.substr(kScheme.size());
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos)
        return quoted + ": no topic (kafka://BROKERS/TOPIC)";
    const std::string_view brokers = rest.substr(0, slash);
    const std::string_view topic = rest.substr(slash + 1);
    if (brokers.empty())
        return quoted + ": no broker (kafka://BROKERS/TOPIC)";
    for (size_t start = 0;;) {
        const size_t comma = brokers.find(',', start);
        const std::string_view broker = brokers.substr(
            start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (std::string bad = checkBroker(broker); !bad.empty())
            return quoted + ": " + bad;
        if (comma == std::string_view::npos)
            break;
        start = comma + 1;
    }
    if (topic.empty())
        return quoted + ": no topic (kafka://BROKERS/TOPIC)";
    if (topic.size() > kMaxTopic || topic == "." || topic == ".." ||
        !std::all_of(topic.begin(), topic.end(), topicChar))
        return quoted + ": topic must be 1 to 249 of A-Z a-z 0-9 . _ - (not . or ..)";
    options.brokers = std::string(brokers);
    options.topic = std::string(topic);
    return std::nullopt;
}

std::optional<std::string> addKafkaSetting(std::string_view setting, KafkaOptions &options) {
    const size_t eq = setting.find('=');
    if (eq == std::string_view::npos || eq == 0)
        return "--kafka-opt '" + std::string(setting) + "': KEY=VALUE expected";
    std::string key(setting.substr(0, eq)), value(setting.substr(eq + 1));
    if (key == "bootstrap.servers" || key == "metadata.broker.list")
        return "--kafka-opt " + key + ": the brokers are given in kafka://BROKERS/TOPIC";
    if (std::string bad = checkKafkaProperty(key, value); !bad.empty())
        return "--kafka-opt " + key + ": " + bad;
    options.settings.emplace_back(std::move(key), std::move(value));
    return std::nullopt;
}

std::optional<std::string> kafkaFromCommandLine(std::string_view uri,
                                                const std::vector<std::string> &settings,
                                                const std::string &spool_path, double timeout_s,
                                                bool verbose, KafkaOptions &options) {
    if (auto bad = parseKafkaUri(uri, options))
        return bad;
    for (const std::string &setting : settings) {
        if (auto bad = addKafkaSetting(setting, options))
            return bad;
    }
    if (!(timeout_s > 0) || timeout_s > 86400)
        return "--timeout must be a positive number of seconds";
    if (spool_path.empty())
        return "--spool must not be empty";
    if (std::string bad = checkSpoolPath(spool_path); !bad.empty())
        return bad;
    options.spool_path = spool_path;
    options.timeout_s = timeout_s;
    options.verbose = verbose;
    if (std::string bad = checkKafkaConfiguration(options); !bad.empty())
        return "--kafka-opt: " + bad;
    return std::nullopt;
}

}  // namespace netflow
