#include "labels/LabelMatcher.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <queue>
#include <unordered_map>

namespace netflow {
namespace {

constexpr uint32_t kNone = UINT32_MAX;
// Buckets up to this size are scanned; larger ones get a time index.
constexpr size_t kScanLimit = 8;

struct Entry {
    uint32_t rule;
    int64_t start, end;  // inclusive
};

// The masked fields of a rule or a flow under one shape.
struct BucketKey {
    std::array<uint8_t, 16> src{}, dst{};
    uint16_t sport = 0, dport = 0;
    uint8_t proto = 0, family = 0;
    uint16_t zero = 0;
    bool operator==(const BucketKey &o) const { return std::memcmp(this, &o, sizeof(*this)) == 0; }
};
static_assert(sizeof(BucketKey) == 40, "BucketKey is hashed as five words");

struct BucketKeyHash {
    size_t operator()(const BucketKey &k) const {
        uint64_t words[5];
        std::memcpy(words, &k, sizeof(words));
        uint64_t h = 0x9e3779b97f4a7c15ULL;
        for (uint64_t w : words) {
            h ^= w + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
            h *= 0xbf58476d1ce4e5b9ULL;
            h ^= h >> 31;
        }
        return static_cast<size_t>(h);
    }
};

void maskBytes(std::array<uint8_t, 16> &bytes, int length) {
    for (int i = 0; i < 16; i++) {
        int keep = std::clamp(length - i * 8, 0, 8);
        bytes[i] &= static_cast<uint8_t>(0xff00 >> keep);
    }
}

uint16_t maskPort(uint16_t port, int length) {
    return length == 0 ? 0 : static_cast<uint16_t>(port & (0xffff0000u >> length));
}

// [lo, hi] as aligned blocks (value, prefix length).
std::vector<std::pair<uint16_t, int>> portBlocks(PortRange r) {
    std::vector<std::pair<uint16_t, int>> out;
    uint32_t lo = r.lo, hi = r.hi;
    while (lo <= hi) {
        int k = 0;
        while (k < 16 && (lo & ((2u << k) - 1)) == 0 && lo + (2u << k) - 1 <= hi)
            k++;
        out.emplace_back(static_cast<uint16_t>(lo), 16 - k);
        lo += 1u << k;
    }
    return out;
}

// The rules of one bucket: the first one overlapping a time span.
class Bucket {
  public:
    void add(const Entry &e) { entries_.push_back(e); }

    void build() {
        std::sort(entries_.begin(), entries_.end(),
                  [](const Entry &a, const Entry &b) { return a.rule < b.rule; });
        entries_.erase(std::unique(entries_.begin(), entries_.end(),
                                   [](const Entry &a, const Entry &b) { return a.rule == b.rule; }),
                       entries_.end());
        if (entries_.size() <= kScanLimit)
            return;
        // Elementary segments [points[j], points[j+1]) and the first rule
        // holding each.
        for (const Entry &e : entries_) {
            points_.push_back(e.start);
            points_.push_back(e.end + 1);
        }
        std::sort(points_.begin(), points_.end());
        points_.erase(std::unique(points_.begin(), points_.end()), points_.end());
        std::vector<const Entry *> by_start;
        for (const Entry &e : entries_)
            by_start.push_back(&e);
        std::sort(by_start.begin(), by_start.end(),
                  [](const Entry *a, const Entry *b) { return a->start < b->start; });
        auto later = [](const Entry *a, const Entry *b) { return a->rule > b->rule; };
        std::priority_queue<const Entry *, std::vector<const Entry *>, decltype(later)> open(later);
        stab_.resize(points_.size());
        size_t next = 0;
        for (size_t j = 0; j < points_.size(); j++) {
            while (next < by_start.size() && by_start[next]->start <= points_[j])
                open.push(by_start[next++]);
            while (!open.empty() && open.top()->end < points_[j])
                open.pop();
            stab_[j] = open.empty() ? kNone : open.top()->rule;
        }
        // Rules by start, with a segment tree of the smallest rule index.
        const size_t n = by_start.size();
        starts_.resize(n);
        tree_.assign(2 * n, kNone);
        for (size_t i = 0; i < n; i++) {
            starts_[i] = by_start[i]->start;
            tree_[n + i] = by_start[i]->rule;
        }
        for (size_t i = n - 1; i > 0; i--)
            tree_[i] = std::min(tree_[2 * i], tree_[2 * i + 1]);
    }

    uint32_t first(int64_t from, int64_t to) const {
        if (points_.empty()) {
            for (const Entry &e : entries_) {
                if (e.start <= to && e.end >= from)
                    return e.rule;
            }
            return kNone;
        }
        uint32_t best = kNone;
        // A rule holding the instant `from`.
        auto seg = std::upper_bound(points_.begin(), points_.end(), from);
        if (seg != points_.begin())
            best = stab_[static_cast<size_t>(seg - points_.begin()) - 1];
        // A rule starting within [from, to].
        size_t lo = static_cast<size_t>(std::lower_bound(starts_.begin(), starts_.end(), from) -
                                        starts_.begin());
        size_t hi = static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), to) -
                                        starts_.begin());
        const size_t n = starts_.size();
        for (lo += n, hi += n; lo < hi; lo >>= 1, hi >>= 1) {
            if (lo & 1)
                best = std::min(best, tree_[lo++]);
            if (hi & 1)
                best = std::min(best, tree_[--hi]);
        }
        return best;
    }

    uint32_t firstRule() const { return entries_.empty() ? kNone : entries_.front().rule; }

  private:
    std::vector<Entry> entries_;  // by rule index
    std::vector<int64_t> points_;
    std::vector<uint32_t> stab_;
    std::vector<int64_t> starts_;
    std::vector<uint32_t> tree_;
};

struct ShapeId {
    uint8_t family, src_len, dst_len, sport_len, dport_len;
    bool proto;
    auto operator<=>(const ShapeId &) const = default;
};

struct Shape {
    ShapeId id;
    uint32_t first_rule = kNone;  // no bucket holds an earlier rule
    std::unordered_map<BucketKey, Bucket, BucketKeyHash> buckets;
};

}  // namespace

struct LabelMatcher::Index {
    std::vector<Shape> shapes;  // by first_rule
};

LabelMatcher::LabelMatcher(const std::vector<LabelRule> &rules)
    : index_(std::make_unique<Index>()) {
    std::map<ShapeId, Shape> shapes;
    auto put = [&](uint32_t i, const LabelRule &r, const AddressPrefix &a, const AddressPrefix &b,
                   PortRange pa, PortRange pb) {
        const auto a_blocks = portBlocks(pa), b_blocks = portBlocks(pb);
        for (uint8_t family : {4, 6}) {
            if ((!a.any() && a.family != family) || (!b.any() && b.family != family))
                continue;
            for (auto [sport, sport_len] : a_blocks) {
                for (auto [dport, dport_len] : b_blocks) {
                    ShapeId id{family,
                               static_cast<uint8_t>(a.any() ? 0 : a.length),
                               static_cast<uint8_t>(b.any() ? 0 : b.length),
                               static_cast<uint8_t>(sport_len),
                               static_cast<uint8_t>(dport_len),
                               r.proto >= 0};
                    BucketKey key;
                    key.src = a.bytes;
                    key.dst = b.bytes;
                    maskBytes(key.src, id.src_len);
                    maskBytes(key.dst, id.dst_len);
                    key.sport = sport;
                    key.dport = dport;
                    key.proto = static_cast<uint8_t>(r.proto >= 0 ? r.proto : 0);
                    key.family = family;
                    Shape &shape = shapes[id];
                    shape.id = id;
                    shape.first_rule = std::min(shape.first_rule, i);
                    shape.buckets[key].add(Entry{i, r.start_us, r.end_us});
                }
            }
        }
    };
    for (uint32_t i = 0; i < rules.size(); i++) {
        const LabelRule &r = rules[i];
        put(i, r, r.src, r.dst, r.sport, r.dport);
        if (!r.forward_only)
            put(i, r, r.dst, r.src, r.dport, r.sport);
    }
    for (auto &[id, shape] : shapes) {
        for (auto &[key, bucket] : shape.buckets)
            bucket.build();
        index_->shapes.push_back(std::move(shape));
    }
    std::sort(index_->shapes.begin(), index_->shapes.end(),
              [](const Shape &a, const Shape &b) { return a.first_rule < b.first_rule; });
}

LabelMatcher::~LabelMatcher() = default;

size_t LabelMatcher::shapes() const {
    return index_->shapes.size();
}

int32_t LabelMatcher::match(const FlowView &flow) const {
    uint32_t best = kNone;
    BucketKey key;
    for (const Shape &shape : index_->shapes) {
        if (shape.first_rule >= best)
            break;  // shapes are in order of their first rule
        if (shape.id.family != flow.family)
            continue;
        key.src = flow.src;
        key.dst = flow.dst;
        maskBytes(key.src, shape.id.src_len);
        maskBytes(key.dst, shape.id.dst_len);
        key.sport = maskPort(flow.sport, shape.id.sport_len);
        key.dport = maskPort(flow.dport, shape.id.dport_len);
        key.proto = shape.id.proto ? flow.proto : 0;
        key.family = flow.family;
        auto it = shape.buckets.find(key);
        if (it != shape.buckets.end())
            best = std::min(best, it->second.first(flow.first_us, flow.last_us));
    }
    return best == kNone ? kNoMatch : static_cast<int32_t>(best);
}

}  // namespace netflow
