// The UNSW-NB15 ground-truth table (NUSW-NB15_GT.csv):
//   Start time,Last time,Attack category,Attack subcategory,Protocol,
//   Source IP,Source Port,Destination IP,Destination Port,Attack Name,
//   Attack Reference,.
// Times are epoch seconds (UTC), the last one inclusive to its whole second.
// Each line becomes a rule in both directions; the category, trimmed, is the
// Attack name, with "Backdoors" read as "Backdoor". Exact duplicate lines are
// kept once; lines whose protocol has no IP protocol number are skipped;
// both are counted in the rule set's notes.
#include <map>
#include <unordered_set>

#include "labels/CsvLine.h"
#include "labels/LabelFields.h"
#include "labels/LabelRules.h"
#include "labels/LabelTime.h"

namespace netflow {
namespace {

enum Column { kStart, kLast, kCategory, kSubcategory, kProto, kSrc, kSport, kDst, kDport };
constexpr size_t kColumnsNeeded = kDport + 1;

bool isDigits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

}  // namespace

LabelRuleSet parseUnswGroundTruth(RuleLines &in, const std::string &path) {
    LabelRuleSet set;
    set.path = path;
    std::string_view line;
    size_t line_no = 0;
    size_t duplicates = 0;
    std::map<std::string, size_t> unknown_protocols;
    std::unordered_set<std::string> seen;
    bool first = true;
    CsvSplit split;
    auto fail = [&](size_t column, const std::string &message) {
        throwLabelError(path, line_no, column, message);
    };
    while (in.next(line, &line_no)) {
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
        splitCsvLine(line, split);
        if (split.bad_column)
            fail(*split.bad_column, "unbalanced quote");
        std::vector<CsvField> &f = split.fields;
        // The published file starts with a header line: its first field is
        // no time.
        if (first && !f.empty() && !isDigits(f[0].text)) {
            first = false;
            continue;
        }
        first = false;
        if (f.size() < kColumnsNeeded)
            fail(line.size() + 1, "a ground-truth line has at least " +
                                      std::to_string(kColumnsNeeded) + " fields, this one " +
                                      std::to_string(f.size()));
        std::string error;
        LabelRule rule;
        auto time = [&](Column c) {
            if (!isDigits(f[c].text))
                fail(f[c].column, "'" + std::string(f[c].text) + "' is not epoch seconds");
            auto t = parseLabelTime(f[c].text, 0, &error);
            if (!t)
                fail(f[c].column, error);
            return *t;
        };
        rule.start_us = time(kStart).first_us;
        rule.end_us = time(kLast).last_us;
        if (rule.end_us < rule.start_us)
            fail(f[kLast].column, "last time is before start time");
        rule.attack = f[kCategory].text;
        if (rule.attack.empty())
            fail(f[kCategory].column, "the attack category is empty");
        if (rule.attack == "Backdoors")
            rule.attack = "Backdoor";
        auto proto = parseProtocol(f[kProto].text, &error);
        if (!proto || f[kProto].text.empty()) {
            unknown_protocols[std::string(f[kProto].text)]++;
            continue;
        }
        rule.proto = *proto;
        auto address = [&](Column c) {
            auto p = parseAddressPrefix(f[c].text, &error);
            if (!p || p->any() || p->length != (p->family == 4 ? 32 : 128))
                fail(f[c].column,
                     p ? "'" + std::string(f[c].text) + "' is not one address" : error);
            return *p;
        };
        rule.src = address(kSrc);
        rule.dst = address(kDst);
        if (rule.src.family != rule.dst.family)
            fail(f[kDst].column, "source and destination are of different IP versions");
        auto port = [&](Column c) {
            // "-": no port (ICMP and other protocols).
            if (f[c].text == "-" || f[c].text.empty())
                return PortRange{};
            auto r = parsePortRange(f[c].text, &error);
            if (!r || r->lo != r->hi)
                fail(f[c].column, r ? "'" + std::string(f[c].text) + "' is not one port" : error);
            return *r;
        };
        rule.sport = port(kSport);
        rule.dport = port(kDport);

        std::string key = std::to_string(rule.start_us) + ',' + std::to_string(rule.end_us) + ',' +
                          rule.attack + ',' + std::to_string(rule.proto) + ',';
        for (Column c : {kSrc, kSport, kDst, kDport}) {
            key += f[c].text;
            key += ',';
        }
        if (!seen.insert(std::move(key)).second) {
            duplicates++;
            continue;
        }
        rule.line = line_no;
        set.rules.push_back(std::move(rule));
    }
    if (duplicates)
        set.notes.push_back(std::to_string(duplicates) + " duplicate ground-truth lines kept once");
    if (!unknown_protocols.empty()) {
        size_t total = 0;
        std::string names;
        for (const auto &[name, n] : unknown_protocols) {
            total += n;
            names += (names.empty() ? "" : ", ") + (name.empty() ? "(empty)" : name) + " " +
                     std::to_string(n);
        }
        set.notes.push_back(std::to_string(total) +
                            " ground-truth lines skipped: protocol with no IP protocol number (" +
                            names + ")");
    }
    return set;
}

}  // namespace netflow
