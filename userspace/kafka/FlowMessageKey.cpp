#include "kafka/FlowMessageKey.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <nlohmann/json.hpp>

namespace netflow {
namespace {

// The address's bytes (IPv4 in the first 4, as the counting core keeps
// them); false for text that is not an address.
bool addressBytes(std::string_view text, uint8_t (&out)[16]) {
    char buf[INET6_ADDRSTRLEN + 1];
    if (text.size() >= sizeof buf)
        return false;
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    std::memset(out, 0, sizeof out);
    return ::inet_pton(AF_INET, buf, out) == 1 || ::inet_pton(AF_INET6, buf, out) == 1;
}

// a < b as endpoints: address bytes (text when one is not an address),
// then port.
bool lowerEndpoint(std::string_view addr_a, unsigned port_a, std::string_view addr_b,
                   unsigned port_b) {
    uint8_t a[16], b[16];
    int cmp = 0;
    if (addressBytes(addr_a, a) && addressBytes(addr_b, b))
        cmp = std::memcmp(a, b, sizeof a);
    else
        cmp = addr_a.compare(addr_b);
    return cmp < 0 || (cmp == 0 && port_a <= port_b);
}

void appendNumber(std::string &out, unsigned n) {
    char buf[12];
    out.append(buf, std::to_chars(buf, buf + sizeof buf, n).ptr);
}

}  // namespace

void makeFlowMessageKey(unsigned proto, std::string_view addr_a, unsigned port_a,
                        std::string_view addr_b, unsigned port_b, std::string &out) {
    const bool a_lo = lowerEndpoint(addr_a, port_a, addr_b, port_b);
    out.clear();
    appendNumber(out, proto);
    out += ',';
    out += a_lo ? addr_a : addr_b;
    out += ',';
    appendNumber(out, a_lo ? port_a : port_b);
    out += ',';
    out += a_lo ? addr_b : addr_a;
    out += ',';
    appendNumber(out, a_lo ? port_b : port_a);
}

FlowMessageKey::FlowMessageKey(const std::vector<SelectedColumn> &columns,
                               const FlowFeatures &features)
    : features_(features) {
    for (size_t i = 0; i < 5; i++) {
        for (const SelectedColumn &c : columns) {
            if (c.column == kColumns[i])
                names_[i].push_back(c.header);
        }
        names_[i].emplace_back(columnName(kColumns[i]));
    }
}

void FlowMessageKey::fromFlow(const FlowRecord &flow, std::string &out) {
    features_.compute(Column::IPV4_SRC_ADDR, flow, src_);
    features_.compute(Column::IPV4_DST_ADDR, flow, dst_);
    features_.compute(Column::L4_SRC_PORT, flow, value_);
    const unsigned sport = static_cast<unsigned>(value_.integer);
    features_.compute(Column::L4_DST_PORT, flow, value_);
    const unsigned dport = static_cast<unsigned>(value_.integer);
    makeFlowMessageKey(flow.key.proto, src_.text, sport, dst_.text, dport, out);
}

bool FlowMessageKey::fromJson(std::string_view object, std::string &out) const {
    const nlohmann::json doc = nlohmann::json::parse(object, nullptr, false);
    if (!doc.is_object())
        return false;
    const nlohmann::json *values[5] = {};
    for (size_t i = 0; i < 5; i++) {
        for (const std::string &name : names_[i]) {
            auto it = doc.find(name);
            if (it != doc.end()) {
                values[i] = &*it;
                break;
            }
        }
        if (!values[i])
            return false;
    }
    auto number = [](const nlohmann::json &v, unsigned max, unsigned &n) {
        if (!v.is_number_unsigned() || v.get<uint64_t>() > max)
            return false;
        n = static_cast<unsigned>(v.get<uint64_t>());
        return true;
    };
    unsigned proto = 0, sport = 0, dport = 0;
    if (!number(*values[0], 255, proto) || !values[1]->is_string() ||
        !number(*values[2], 65535, sport) || !values[3]->is_string() ||
        !number(*values[4], 65535, dport))
        return false;
    makeFlowMessageKey(proto, values[1]->get_ref<const std::string &>(), sport,
                       values[3]->get_ref<const std::string &>(), dport, out);
    return true;
}

}  // namespace netflow
