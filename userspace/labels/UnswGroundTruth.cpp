// The UNSW-NB15 ground-truth table (NUSW-NB15_GT.csv):
//   Start time,Last time,Attack category,Attack subcategory,Protocol,
//   Source IP,Source Port,Destination IP,Destination Port,Attack Name,
//   Attack Reference,.
// Times are epoch seconds (UTC), the last one inclusive to its whole second.
// Each line becomes a rule in both directions; the category, trimmed, is the
// Attack name, with "Backdoors" read as "Backdoor". Exact duplicate lines are
// kept once; lines whose protocol has no IP protocol number are skipped;
// both are counted in the rule set's notes.
#include <algorithm>
#include <bit>
#include <cstring>
#include <map>

#include "common/Prefetch.h"
#include "common/Text.h"
#include "labels/AttackNames.h"
#include "labels/CsvLine.h"
#include "labels/LabelFields.h"
#include "labels/LabelRules.h"
#include "labels/LabelTime.h"

namespace netflow {
namespace {

enum Column { kStart, kLast, kCategory, kSubcategory, kProto, kSrc, kSport, kDst, kDport };
constexpr size_t kColumnsNeeded = kDport + 1;

bool isDigits(std::string_view s) {
    // By hand: find_first_not_of calls memchr once a character.
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The fields of a ground-truth line without quotes, as splitCsvLine would
// give them (trimmed, with their columns), without a vector: the first
// kColumnsNeeded (count stops there: the rest are not read), from the
// commas findCommas found (at most kColumnsNeeded).
struct PlainFields {
    CsvField f[kColumnsNeeded];
    size_t count = 0;
};
void splitPlain(std::string_view line, const uint32_t *commas, size_t found, PlainFields &out) {
    out.count = std::min(found + 1, kColumnsNeeded);
    size_t begin = 0;
    for (size_t k = 0; k < out.count; k++) {
        const size_t end = k < found ? commas[k] : line.size();
        plainField(line, begin, end, &out.f[k].text, &out.f[k].column);
        begin = end + 1;
    }
}

// Rules already read, found by their fields (a duplicate line is kept once):
// an open-addressing set of indices into the rules, each with its hash's
// high half (compared first: a rule is read only when that agrees). A
// rule's home slot is prefetched when it is read and probed a line later:
// probing at once, each probe waited for a cache miss (the table, 2 MB for
// 100,000 lines, does not stay in cache while the file and the rules
// stream through): a third of reading the table.
class RuleSet {
  public:
    // Sized for `lines` rules (at most half full), growing past them (the
    // lines of a file read a part at a time are an estimate).
    explicit RuleSet(const BigVector<LabelRule> &rules, size_t lines)
        : rules_(rules), slots_(std::bit_ceil(std::max<size_t>(16, lines * 2)), kEmpty) {}

    // A rule's hash, its home slot prefetched.
    uint64_t hashAndPrefetch(const LabelRule &r) const {
        const uint64_t h = hashOf(r);
        prefetchLine(&slots_[h & (slots_.size() - 1)]);
        return h;
    }

    // Adds rules_[index], of hash h, unless an equal rule is there; false
    // if it is.
    bool add(uint32_t index, uint64_t h) {
        if (2 * (count_ + 1) > slots_.size())
            grow();
        const LabelRule &r = rules_[index];
        const size_t mask = slots_.size() - 1;
        const uint64_t tag = h & ~uint64_t{UINT32_MAX};
        for (size_t s = h & mask;; s = (s + 1) & mask) {
            if (slots_[s] == kEmpty) {
                slots_[s] = tag | index;
                count_++;
                return true;
            }
            if ((slots_[s] & ~uint64_t{UINT32_MAX}) == tag &&
                same(rules_[static_cast<uint32_t>(slots_[s])], r))
                return false;
        }
    }

  private:
    static constexpr uint64_t kEmpty = UINT64_MAX;  // no index is UINT32_MAX

    // Twice the slots, every rule put in again (by its hash, made anew).
    void grow() {
        BigVector<uint64_t> old(2 * slots_.size(), kEmpty);
        old.swap(slots_);
        const size_t mask = slots_.size() - 1;
        for (const uint64_t slot : old) {
            if (slot == kEmpty)
                continue;
            const uint64_t h = hashOf(rules_[static_cast<uint32_t>(slot)]);
            size_t s = h & mask;
            while (slots_[s] != kEmpty)
                s = (s + 1) & mask;
            slots_[s] = slot;
        }
    }

    static uint64_t hashOf(const LabelRule &r) {
        uint64_t w[4];
        std::memcpy(w, r.src.bytes.data(), 16);
        std::memcpy(w + 2, r.dst.bytes.data(), 16);
        uint64_t h = static_cast<uint64_t>(r.start_us) * 0x9e3779b97f4a7c15ULL;
        h ^= static_cast<uint64_t>(r.end_us) * 0xbf58476d1ce4e5b9ULL;
        h ^= (w[0] + w[1] * 3) * 0x94d049bb133111ebULL;
        h ^= (w[2] + w[3] * 3) * 0xd6e8feb86659fd93ULL;
        h ^= (uint64_t{r.sport.lo} | uint64_t{r.sport.hi} << 16 | uint64_t{r.dport.lo} << 32 |
              uint64_t{r.dport.hi} << 48) *
             0xa0761d6478bd642fULL;
        h ^= (uint64_t{r.name} << 16) + static_cast<uint64_t>(r.proto);
        h ^= h >> 32;
        h *= 0xe7037ed1a0b428dbULL;
        return h ^ (h >> 29);
    }
    static bool same(const LabelRule &x, const LabelRule &y) {
        return x.start_us == y.start_us && x.end_us == y.end_us && x.proto == y.proto &&
               x.src.family == y.src.family && x.src.bytes == y.src.bytes &&
               x.dst.family == y.dst.family && x.dst.bytes == y.dst.bytes &&
               x.sport.lo == y.sport.lo && x.sport.hi == y.sport.hi && x.dport.lo == y.dport.lo &&
               x.dport.hi == y.dport.hi && x.name == y.name;
    }

    const BigVector<LabelRule> &rules_;
    BigVector<uint64_t> slots_;
    size_t count_ = 0;
};

}  // namespace

LabelRuleSet parseUnswGroundTruth(RuleLines &in, const std::string &path) {
    LabelRuleSet set;
    set.path = path;
    std::string_view line;
    size_t line_no = 0;
    size_t duplicates = 0;
    std::map<std::string, size_t> unknown_protocols;
    const size_t lines = in.expectedLines();
    set.rules.reserve(lines);
    NameNumbers names(set.names);
    RuleSet seen(set.rules, lines);
    bool first = true;
    CsvSplit split;
    PlainFields plain;
    auto fail = [&](size_t column, const std::string &message) {
        throwLabelError(path, line_no, column, message);
    };
    // The last rule read, not yet looked for among those before (the
    // last of set.rules): kept, or dropped as a duplicate.
    bool pending = false;
    uint64_t pending_hash = 0;
    auto settle = [&] {
        if (!pending)
            return;
        pending = false;
        const auto index = static_cast<uint32_t>(set.rules.size() - 1);
        if (seen.add(index, pending_hash))
            return;
        set.rules.pop_back();
        duplicates++;
    };
    uint32_t commas[kColumnsNeeded];
    size_t found = 0;
    bool has_quotes = false;
    while (in.next(line, &line_no, commas, kColumnsNeeded, &found, &has_quotes)) {
        if (line.find_first_not_of(" \t") == std::string::npos)
            continue;
        const CsvField *f = nullptr;
        size_t fields = 0;
        if (!has_quotes) {
            splitPlain(line, commas, found, plain);
            f = plain.f;
            fields = plain.count;
        } else {
            splitCsvLine(line, split);
            if (split.bad_column)
                fail(*split.bad_column, "unbalanced quote");
            f = split.fields.data();
            fields = split.fields.size();
        }
        // The published file starts with a header line: its first field is
        // no time.
        if (first && fields > 0 && !isDigits(f[0].text)) {
            first = false;
            continue;
        }
        first = false;
        if (fields < kColumnsNeeded)
            fail(line.size() + 1, "a ground-truth line has at least " +
                                      std::to_string(kColumnsNeeded) + " fields, this one " +
                                      std::to_string(fields));
        std::string error;
        LabelRule rule;
        auto time = [&](Column c) {
            if (TimeSpan span; wholeEpochSeconds(f[c].text, &span))
                return span;  // the shortcut
            if (!isDigits(f[c].text))
                fail(f[c].column, quotedText(f[c].text) + " is not epoch seconds");
            auto t = parseLabelTime(f[c].text, 0, &error);
            if (!t)
                fail(f[c].column, error);
            return *t;
        };
        rule.start_us = time(kStart).first_us;
        rule.end_us = time(kLast).last_us;
        if (rule.end_us < rule.start_us)
            fail(f[kLast].column, "last time is before start time");
        const std::string_view category = f[kCategory].text;
        if (category.empty())
            fail(f[kCategory].column, "the attack category is empty");
        rule.name = names.number(category == "Backdoors" ? "Backdoor" : category);
        int proto = -1;
        if (f[kProto].text.empty() || !parseProtocol(f[kProto].text, &proto, &error)) {
            unknown_protocols[std::string(f[kProto].text)]++;
            continue;
        }
        rule.proto = static_cast<int16_t>(proto);
        auto address = [&](Column c, AddressPrefix *out) {
            const bool read = parseAddressPrefix(f[c].text, out, &error);
            if (!read || out->any() || out->length != (out->family == 4 ? 32 : 128))
                fail(f[c].column, read ? quotedText(f[c].text) + " is not one address" : error);
        };
        address(kSrc, &rule.src);
        address(kDst, &rule.dst);
        if (rule.src.family != rule.dst.family)
            fail(f[kDst].column, "source and destination are of different IP versions");
        auto port = [&](Column c, PortRange *out) {
            // "-": no port (ICMP and other protocols).
            if (f[c].text == "-" || f[c].text.empty()) {
                *out = PortRange{};
                return;
            }
            const bool read = parsePortRange(f[c].text, out, &error);
            if (!read || out->lo != out->hi)
                fail(f[c].column, read ? quotedText(f[c].text) + " is not one port" : error);
        };
        port(kSport, &rule.sport);
        port(kDport, &rule.dport);

        rule.line = ruleLine(line_no);
        const uint64_t h = seen.hashAndPrefetch(rule);
        settle();  // the line before's rule, its slot fetched meanwhile
        set.rules.push_back(rule);
        pending = true;
        pending_hash = h;
    }
    settle();
    if (duplicates)
        set.notes.push_back(std::to_string(duplicates) + " duplicate ground-truth lines kept once");
    if (!unknown_protocols.empty()) {
        size_t total = 0;
        std::string names;
        for (const auto &[name, n] : unknown_protocols) {
            total += n;
            names += (names.empty() ? "" : ", ") +
                     (name.empty() ? "(empty)" : printableText(name)) + " " + std::to_string(n);
        }
        set.notes.push_back(std::to_string(total) +
                            " ground-truth lines skipped: protocol with no IP protocol number (" +
                            names + ")");
    }
    return set;
}

}  // namespace netflow
