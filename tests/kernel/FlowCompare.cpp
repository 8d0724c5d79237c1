#include "FlowCompare.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <stdexcept>
#include <utility>

namespace nftest {
namespace {

struct Field {
    std::string name;
    size_t offset;
    size_t size;
};

#define NF_FIELD(type, member) \
    { #member, offsetof(type, member), sizeof(type::member) }

// Every field of nf_flow_state, by name, the two directions spelled out;
// checked below to cover every byte but dpi_done.
std::vector<Field> stateFields() {
    static const Field kDirFields[] = {
        NF_FIELD(nf_dir_state, bytes),        NF_FIELD(nf_dir_state, retrans_bytes),
        NF_FIELD(nf_dir_state, first_us),     NF_FIELD(nf_dir_state, last_us),
        NF_FIELD(nf_dir_state, iat_min_us),   NF_FIELD(nf_dir_state, iat_max_us),
        NF_FIELD(nf_dir_state, iat_sum_us),   NF_FIELD(nf_dir_state, iat_sumsq_lo),
        NF_FIELD(nf_dir_state, iat_sumsq_hi), NF_FIELD(nf_dir_state, pkts),
        NF_FIELD(nf_dir_state, retrans_pkts), NF_FIELD(nf_dir_state, seq_high_end),
        NF_FIELD(nf_dir_state, win_max),      NF_FIELD(nf_dir_state, tcp_flags),
        NF_FIELD(nf_dir_state, seq_valid),
    };
    static const Field kStateFields[] = {
        NF_FIELD(nf_flow_state, first_us),     NF_FIELD(nf_flow_state, last_us),
        NF_FIELD(nf_flow_state, min_len),      NF_FIELD(nf_flow_state, max_len),
        NF_FIELD(nf_flow_state, payload_pkts), NF_FIELD(nf_flow_state, min_ttl),
        NF_FIELD(nf_flow_state, max_ttl),      NF_FIELD(nf_flow_state, src_is_lo),
        NF_FIELD(nf_flow_state, icmp_seen),    NF_FIELD(nf_flow_state, icmp_type),
        NF_FIELD(nf_flow_state, icmp_code),    NF_FIELD(nf_flow_state, fin_seen),
        NF_FIELD(nf_flow_state, ended),        NF_FIELD(nf_flow_state, pad),
    };
    std::vector<Field> fields;
    for (int dir = 0; dir < 2; dir++) {
        const std::string prefix = dir == NF_DIR_IN ? "dir[IN]." : "dir[OUT].";
        for (const Field &f : kDirFields)
            fields.push_back({prefix + f.name,
                              offsetof(nf_flow_state, dir) + dir * sizeof(nf_dir_state) + f.offset,
                              f.size});
    }
    for (int i = 0; i < NF_NUM_LEN_BUCKETS; i++)
        fields.push_back({"len_buckets[" + std::to_string(i) + "]",
                          offsetof(nf_flow_state, len_buckets) + i * sizeof(uint32_t),
                          sizeof(uint32_t)});
    fields.insert(fields.end(), std::begin(kStateFields), std::end(kStateFields));
    return fields;
}

const std::vector<Field> &fields() {
    static const std::vector<Field> kFields = [] {
        std::vector<Field> f = stateFields();
        size_t covered = 0;
        for (const Field &x : f)
            covered += x.size;
        // A new field in nf_flow_state must be added above to be compared.
        if (covered != sizeof(nf_flow_state) - sizeof(nf_flow_state::dpi_done))
            throw std::logic_error("FlowCompare: nf_flow_state has fields not compared");
        return f;
    }();
    return kFields;
}

uint64_t fieldValue(const nf_flow_state &st, const Field &f) {
    uint64_t v = 0;
    const auto *p = reinterpret_cast<const uint8_t *>(&st) + f.offset;
    if (f.size <= sizeof(v)) {
        std::memcpy(&v, p, f.size);  // little-endian host: the low bytes
        return v;
    }
    for (size_t i = 0; i < f.size; i++)  // pad[7]: any non-zero byte shows
        v = (v << 8) | p[i];
    return v;
}

nf_flow_state comparable(nf_flow_state st) {
    st.dpi_done = 0;
    return st;
}

// (key bytes, first_us): the multiset's key.
using FlowId = std::pair<std::string, uint64_t>;

std::map<FlowId, std::vector<nf_flow_state>> group(const std::vector<KernelFlow> &flows) {
    std::map<FlowId, std::vector<nf_flow_state>> out;
    for (const KernelFlow &f : flows) {
        std::string key(reinterpret_cast<const char *>(&f.key), sizeof(f.key));
        out[{key, f.state.first_us}].push_back(comparable(f.state));
    }
    for (auto &[id, states] : out)
        std::sort(states.begin(), states.end(), [](const nf_flow_state &a, const nf_flow_state &b) {
            return std::memcmp(&a, &b, sizeof(a)) < 0;
        });
    return out;
}

nf_flow_key keyOf(const FlowId &id) {
    nf_flow_key key;
    std::memcpy(&key, id.first.data(), sizeof(key));
    return key;
}

std::string flowName(const FlowId &id) {
    return formatKey(keyOf(id)) + " first_us " + std::to_string(id.second);
}

}  // namespace

std::string formatKey(const nf_flow_key &key) {
    char lo[INET6_ADDRSTRLEN] = {}, hi[INET6_ADDRSTRLEN] = {};
    int family = key.ip_version == 6 ? AF_INET6 : AF_INET;
    inet_ntop(family, key.addr_lo, lo, sizeof(lo));
    inet_ntop(family, key.addr_hi, hi, sizeof(hi));
    std::string proto = key.proto == NF_IPPROTO_TCP   ? "TCP"
                        : key.proto == NF_IPPROTO_UDP ? "UDP"
                                                      : "proto " + std::to_string(key.proto);
    std::string out = proto + " " + lo + ":" + std::to_string(key.port_lo) + " <-> " + hi + ":" +
                      std::to_string(key.port_hi);
    if (key.vlan_id)
        out += " vlan " + std::to_string(key.vlan_id);
    return out;
}

std::vector<std::string> compareFlows(const std::vector<KernelFlow> &kernel,
                                      const std::vector<KernelFlow> &user, size_t max_lines) {
    std::vector<std::string> lines;
    auto note = [&](std::string line) {
        if (lines.size() < max_lines)
            lines.push_back(std::move(line));
    };
    if (kernel.size() != user.size())
        note("flow count: kernel " + std::to_string(kernel.size()) + ", userspace " +
             std::to_string(user.size()));

    const auto k = group(kernel), u = group(user);
    for (const auto &[id, k_states] : k) {
        auto it = u.find(id);
        size_t u_count = it == u.end() ? 0 : it->second.size();
        if (u_count != k_states.size()) {
            note("flow " + flowName(id) + ": kernel has " + std::to_string(k_states.size()) +
                 ", userspace " + std::to_string(u_count));
            continue;
        }
        for (size_t i = 0; i < k_states.size(); i++)
            for (const Field &f : fields()) {
                uint64_t kv = fieldValue(k_states[i], f), uv = fieldValue(it->second[i], f);
                if (kv != uv)
                    note("flow " + flowName(id) + ": field " + f.name + ": kernel " +
                         std::to_string(kv) + ", userspace " + std::to_string(uv));
            }
    }
    for (const auto &[id, u_states] : u)
        if (!k.count(id))
            note("flow " + flowName(id) + ": kernel has 0, userspace " +
                 std::to_string(u_states.size()));
    return lines;
}

}  // namespace nftest
