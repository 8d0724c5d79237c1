#include "labels/FlowLabeler.h"

#include <algorithm>
#include <cstring>
#include <map>

#include "common/Prefetch.h"
#include "common/Text.h"

namespace netflow {
namespace {

// Lines of rules that matched no flow listed with -v, at most.
constexpr size_t kUnmatchedListed = 1000;

std::string plural(uint64_t n, const char *what) {
    return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
}

}  // namespace

FlowView flowView(const FlowRecord &flow, int64_t clock_offset_us) {
    const nf_flow_key &key = flow.key;
    const bool src_lo = flow.state.src_is_lo;
    FlowView v;
    v.family = key.ip_version == 6 ? 6 : 4;
    const size_t n = v.family == 6 ? 16 : 4;
    std::memcpy(v.src.data(), src_lo ? key.addr_lo : key.addr_hi, n);
    std::memcpy(v.dst.data(), src_lo ? key.addr_hi : key.addr_lo, n);
    v.sport = src_lo ? key.port_lo : key.port_hi;
    v.dport = src_lo ? key.port_hi : key.port_lo;
    v.proto = key.proto;
    v.first_us = static_cast<int64_t>(flow.state.first_us) + clock_offset_us;
    v.last_us = static_cast<int64_t>(flow.state.last_us) + clock_offset_us;
    return v;
}

FlowLabeler::FlowLabeler(std::shared_ptr<const CompiledLabels> rules, std::string default_name)
    : rules_(std::move(rules)),
      default_name_(std::move(default_name)),
      default_attack_(isAttackName(default_name_)),
      flows_(rules_->ruleCount()),
      name_flows_(rules_->names.count()) {}

uint8_t FlowLabeler::flowsOf(size_t rule) const {
    const uint8_t n = flows_[rule];
    const bool pending = pending_ >= 0 && rule == static_cast<size_t>(pending_);
    return static_cast<uint8_t>(n + (pending && n != UINT8_MAX));
}

FlowLabeler::Seen FlowLabeler::Seen::of(const FlowRecord &flow, int64_t clock_offset_us) {
    return Seen{&flow, flow.first_seen, flow.state.first_us, flow.state.last_us, clock_offset_us};
}

void FlowLabeler::prefetch(const FlowRecord &flow, int64_t clock_offset_us) {
    rules_->matcher.start(flowView(flow, clock_offset_us), lookup_);
    started_ = Seen::of(flow, clock_offset_us);
}

void FlowLabeler::advance() {
    rules_->matcher.advance(lookup_);
}

const FlowLabel &FlowLabeler::label(const FlowRecord &flow, int64_t clock_offset_us) {
    const Seen seen = Seen::of(flow, clock_offset_us);
    if (cached_flow_ == seen)
        return cached_;
    cached_flow_ = seen;
    if (pending_ != LabelMatch::kNone) {
        uint8_t &n = flows_[static_cast<size_t>(pending_)];
        n += n != UINT8_MAX;
        pending_ = LabelMatch::kNone;
    }
    // The lookup prefetch() started for this flow (its view made once),
    // else one made at once.
    LabelMatch m;
    if (started_ == seen) {
        started_ = Seen{};
        m = rules_->matcher.finish(lookup_);
    } else {
        m = rules_->matcher.match(flowView(flow, clock_offset_us));
    }
    const int32_t rule = m.rule;
    if (rule == LabelMatch::kNone) {
        default_flows_++;
        cached_ = FlowLabel{default_attack_, &default_name_};
    } else {
        prefetchLine(&flows_[static_cast<size_t>(rule)]);
        pending_ = rule;
        if (m.name != AttackNames::kOwnName) {
            name_flows_[m.name]++;
            cached_ = FlowLabel{rules_->names.attack(m.name), &rules_->names.name(m.name)};
        } else {
            own_flows_[static_cast<uint32_t>(rule)]++;
            const std::string &own = rules_->attack(static_cast<size_t>(rule));
            cached_ = FlowLabel{isAttackName(own), &own};
        }
    }
    return cached_;
}

std::string FlowLabeler::summary(bool verbose) const {
    const size_t rules = rules_->ruleCount();
    std::map<std::string, uint64_t> by_name;
    if (default_flows_)
        by_name[default_name_] += default_flows_;
    for (size_t n = 0; n < name_flows_.size(); n++) {
        if (name_flows_[n])
            by_name[rules_->names.name(static_cast<uint32_t>(n))] += name_flows_[n];
    }
    for (const auto &[rule, flows] : own_flows_)
        by_name[rules_->attack(rule)] += flows;
    size_t matched = 0;
    for (size_t i = 0; i < flows_.size(); i++)
        matched += flowsOf(i) != 0;
    std::vector<std::pair<std::string, uint64_t>> names(by_name.begin(), by_name.end());
    std::stable_sort(names.begin(), names.end(),
                     [](const auto &a, const auto &b) { return a.second > b.second; });
    std::string out = "netflow: labels: ";
    if (names.empty())
        out += "no flows";
    for (size_t i = 0; i < names.size(); i++)
        out +=
            (i ? ", " : "") + std::to_string(names[i].second) + " " + printableText(names[i].first);
    const std::string path = printableText(rules_->set.path);
    out += "; " + std::to_string(matched) + " of " + plural(rules, "rule") + " matched a flow (" +
           path + ")";
    for (const std::string &note : rules_->set.notes)
        out += "\nnetflow: labels: " + note;
    if (!verbose)
        return out;

    // How many flows each rule matched, then the rules that matched none.
    uint64_t one = 0, few = 0, many = 0;
    for (size_t i = 0; i < flows_.size(); i++) {
        const uint8_t n = flowsOf(i);
        one += n == 1;
        few += n >= 2 && n <= 9;
        many += n >= 10;
    }
    out += "\nnetflow: labels: rules by flows matched: " + std::to_string(rules - matched) +
           " none, " + std::to_string(one) + " one, " + std::to_string(few) + " 2-9, " +
           std::to_string(many) + " 10 or more";
    size_t listed = 0;
    for (size_t i = 0; i < rules; i++) {
        if (flowsOf(i))
            continue;
        if (listed++ == kUnmatchedListed) {
            out += "\nnetflow: labels: ... and " +
                   plural(rules - matched - kUnmatchedListed, "more rule") +
                   " that matched no flow";
            break;
        }
        out += "\nnetflow: labels: rule " + path + ":" + std::to_string(rules_->line(i)) + " (" +
               printableText(rules_->attack(i)) + ") matched no flow";
    }
    return out;
}

}  // namespace netflow
