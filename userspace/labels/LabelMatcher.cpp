#include "labels/LabelMatcher.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <queue>
#include <unordered_map>

namespace netflow {
namespace {

constexpr uint32_t kNone = UINT32_MAX;
// Buckets with up to this many rules without port ranges are scanned;
// larger ones get a time index.
constexpr size_t kScanLimit = 8;
// Shapes with up to this many buckets get a bitmap of 16 address bits (8 KB).
constexpr size_t kLeadBitmapBuckets = 4096;

// A rule under one shape: its index, its time, and port ranges when it has
// any (checked per candidate: a range is no key).
struct Entry {
    uint32_t rule;
    bool ranged;
    PortRange sport, dport;
    int64_t start, end;  // inclusive
};

// The masked fields of a rule or a flow under one shape, as five words.
struct BucketKey {
    uint64_t w[5] = {};
    bool operator==(const BucketKey &o) const {
        return ((w[0] ^ o.w[0]) | (w[1] ^ o.w[1]) | (w[2] ^ o.w[2]) | (w[3] ^ o.w[3]) |
                (w[4] ^ o.w[4])) == 0;
    }
    bool operator<(const BucketKey &o) const {
        for (int i = 0; i < 5; i++) {
            if (w[i] != o.w[i])
                return w[i] < o.w[i];
        }
        return false;
    }
};

// Five independent products, then one mixing round: short on the lookup
// path, and the table compares whole keys anyway.
uint64_t hashKey(const BucketKey &k) {
    uint64_t h = (k.w[0] * 0x9e3779b97f4a7c15ULL) ^ (k.w[1] * 0xbf58476d1ce4e5b9ULL) ^
                 (k.w[2] * 0x94d049bb133111ebULL) ^ (k.w[3] * 0xd6e8feb86659fd93ULL) ^
                 (k.w[4] * 0xa0761d6478bd642fULL);
    h ^= h >> 32;
    h *= 0xe7037ed1a0b428dbULL;
    return h ^ (h >> 29);
}

// A rule's entry under its key, and the key's hash (sorted on first: the
// entries of one bucket end up together).
struct Item {
    uint64_t hash;
    BucketKey key;
    Entry entry;
};

struct ShapeId {
    uint8_t family, src_len, dst_len;
    bool sport, dport, proto;  // given exactly (else any, or a range checked per rule)
    auto operator<=>(const ShapeId &) const = default;
};

// Masks of a prefix length over 16 bytes, as two big-endian-loaded words.
void prefixMask(int length, uint64_t mask[2]) {
    uint8_t bytes[16];
    for (int i = 0; i < 16; i++)
        bytes[i] = static_cast<uint8_t>(0xff00 >> std::clamp(length - i * 8, 0, 8));
    std::memcpy(mask, bytes, 16);
}

// The first rule of a large bucket that overlaps [from, to]: either it
// holds the instant `from` (the first rule of each elementary segment,
// precomputed), or it starts within [from, to] (range minimum by start).
class TimeIndex {
  public:
    explicit TimeIndex(const Entry *entries, size_t n) {
        for (size_t i = 0; i < n; i++) {
            points_.push_back(entries[i].start);
            points_.push_back(entries[i].end + 1);
        }
        std::sort(points_.begin(), points_.end());
        points_.erase(std::unique(points_.begin(), points_.end()), points_.end());
        std::vector<const Entry *> by_start;
        for (size_t i = 0; i < n; i++)
            by_start.push_back(&entries[i]);
        std::sort(by_start.begin(), by_start.end(),
                  [](const Entry *a, const Entry *b) { return a->start < b->start; });
        auto later = [](const Entry *a, const Entry *b) { return a->rule > b->rule; };
        std::priority_queue<const Entry *, std::vector<const Entry *>, decltype(later)> open(later);
        stab_.resize(points_.size());
        size_t next = 0;
        for (size_t j = 0; j < points_.size(); j++) {
            while (next < n && by_start[next]->start <= points_[j])
                open.push(by_start[next++]);
            while (!open.empty() && open.top()->end < points_[j])
                open.pop();
            stab_[j] = open.empty() ? kNone : open.top()->rule;
        }
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
        uint32_t best = kNone;
        auto seg = std::upper_bound(points_.begin(), points_.end(), from);
        if (seg != points_.begin())
            best = stab_[static_cast<size_t>(seg - points_.begin()) - 1];
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

  private:
    std::vector<int64_t> points_;
    std::vector<uint32_t> stab_;
    std::vector<int64_t> starts_;
    std::vector<uint32_t> tree_;
};

struct Bucket {
    BucketKey key;
    uint32_t begin = 0;              // into Shape::entries: the plain entries by rule,
    uint32_t plain = 0, ranged = 0;  // then those with port ranges by rule
    uint32_t time_index = kNone;     // into Shape::time_indexes, or kNone
    bool empty() const { return plain + ranged == 0; }  // a free slot of the table
};

class Shape {
  public:
    // Items come in rule order (both directions of a rule one after the
    // other), so grouping them by key in that order leaves each bucket's
    // entries by rule: one hash probe per item, no sort.
    Shape(ShapeId id, const std::vector<Item> &items) : id_(id) {
        prefixMask(id.src_len, src_mask_);
        prefixMask(id.dst_len, dst_mask_);
        constexpr uint32_t kSkip = kNone;
        std::vector<uint32_t> bucket_of(items.size());
        std::vector<uint64_t> hashes;
        {
            const size_t capacity = std::bit_ceil(std::max<size_t>(16, items.size() * 4 / 3 + 1));
            std::vector<uint32_t> table(capacity, kNone);
            for (size_t i = 0; i < items.size(); i++) {
                const Item &item = items[i];
                uint32_t b = kNone;
                for (size_t s = item.hash & (capacity - 1);; s = (s + 1) & (capacity - 1)) {
                    if (table[s] == kNone) {
                        b = table[s] = static_cast<uint32_t>(buckets_.size());
                        buckets_.push_back(Bucket{item.key, 0, 0, 0, kNone});
                        hashes.push_back(item.hash);
                        break;
                    }
                    if (hashes[table[s]] == item.hash && buckets_[table[s]].key == item.key) {
                        b = table[s];
                        break;
                    }
                }
                // A rule twice in one bucket (both directions alike): once;
                // its two directions' ranges may differ, then both stay.
                if (i > 0 && bucket_of[i - 1] == b && sameEntry(items[i - 1].entry, item.entry)) {
                    bucket_of[i] = kSkip;
                    continue;
                }
                bucket_of[i] = b;
                (item.entry.ranged ? buckets_[b].ranged : buckets_[b].plain)++;
            }
        }
        // Each bucket's plain entries, then its ranged ones, by rule.
        std::vector<uint32_t> plain_at(buckets_.size()), ranged_at(buckets_.size());
        uint32_t at = 0;
        for (size_t b = 0; b < buckets_.size(); b++) {
            buckets_[b].begin = plain_at[b] = at;
            ranged_at[b] = at + buckets_[b].plain;
            at += buckets_[b].plain + buckets_[b].ranged;
        }
        entries_.resize(at);
        for (size_t i = 0; i < items.size(); i++) {
            if (bucket_of[i] == kSkip)
                continue;
            const Entry &e = items[i].entry;
            entries_[e.ranged ? ranged_at[bucket_of[i]]++ : plain_at[bucket_of[i]]++] = e;
            const uint8_t proto = static_cast<uint8_t>(items[i].key.w[4] >> 32);
            protos_[proto / 64] |= uint64_t{1} << (proto % 64);
        }
        for (Bucket &b : buckets_) {
            if (b.plain > kScanLimit) {
                b.time_index = static_cast<uint32_t>(time_indexes_.size());
                time_indexes_.emplace_back(&entries_[b.begin], b.plain);
            }
            first_rule_ = std::min(first_rule_, entries_[b.begin].rule);
            if (b.ranged)
                first_rule_ = std::min(first_rule_, entries_[b.begin + b.plain].rule);
        }
        // Open addressing over the buckets themselves (a probe reads the
        // key where it lands: one cache miss, not a slot's and then its
        // bucket's), at most 3/4 full; a 16-bits-a-key filter in front
        // turns most misses away without touching the table.
        const size_t capacity = std::bit_ceil(std::max<size_t>(16, hashes.size() * 4 / 3 + 1));
        table_.assign(capacity, Bucket{});
        filter_.assign(std::bit_ceil(std::max<size_t>(64, hashes.size() * 16)) / 64, 0);
        // Shapes of a few buckets with a /16 or longer address: a bitmap of
        // 16 bits of that address turns most flows away before hashing.
        lead_ = id.src_len >= 16 ? 0 : id.dst_len >= 16 ? 2 : -1;
        if (lead_ >= 0 && buckets_.size() <= kLeadBitmapBuckets) {
            lead_bits_.assign(65536 / 64, 0);
            for (const Bucket &b : buckets_) {
                const uint64_t v = b.key.w[lead_] & 0xffff;
                lead_bits_[v / 64] |= uint64_t{1} << (v % 64);
            }
        } else {
            lead_ = -1;
        }
        for (uint32_t i = 0; i < hashes.size(); i++) {
            const uint64_t h = hashes[i];
            setFilter(h);
            for (size_t s = h & (capacity - 1);; s = (s + 1) & (capacity - 1)) {
                if (table_[s].empty()) {
                    table_[s] = buckets_[i];
                    break;
                }
            }
        }
        std::vector<Bucket>().swap(buckets_);
    }

    const ShapeId &id() const { return id_; }
    uint32_t firstRule() const { return first_rule_; }

    // Starts loading what match() will read first for this flow (the lead
    // bitmap word, or the filter words and the home slot): the lookup is
    // bound by cache misses, and issued for every shape before any is
    // checked they overlap instead of following one another.
    void prefetch(const FlowView &f, const uint64_t src[2], const uint64_t dst[2]) const {
        if (id_.proto && !(protos_[f.proto / 64] >> (f.proto % 64) & 1))
            return;
        if (lead_ >= 0) {
            __builtin_prefetch(&lead_bits_[leadBits(src, dst) / 64]);
            return;
        }
        const uint64_t h = hashKey(keyOf(f, src, dst));
        const size_t bits = filter_.size() * 64;
        __builtin_prefetch(&filter_[(h & (bits - 1)) / 64]);
        __builtin_prefetch(&filter_[((h >> 32) & (bits - 1)) / 64]);
        __builtin_prefetch(&table_[h & (table_.size() - 1)]);
    }

    // The first rule of this shape matching the flow, if before `best`.
    uint32_t match(const FlowView &f, const uint64_t src[2], const uint64_t dst[2],
                   uint32_t best) const {
        if (id_.proto && !(protos_[f.proto / 64] >> (f.proto % 64) & 1))
            return best;  // no rule of this shape is for the flow's protocol
        if (lead_ >= 0) {
            const uint64_t v = leadBits(src, dst);
            if (!(lead_bits_[v / 64] >> (v % 64) & 1))
                return best;
        }
        const BucketKey key = keyOf(f, src, dst);
        const uint64_t h = hashKey(key);
        if (!inFilter(h))
            return best;
        const size_t mask = table_.size() - 1;
        for (size_t s = h & mask;; s = (s + 1) & mask) {
            const Bucket &b = table_[s];
            if (b.empty())
                return best;
            if (b.key == key)
                return firstIn(b, f, best);
        }
    }

    static bool sameEntry(const Entry &x, const Entry &y) {
        return x.rule == y.rule && x.ranged == y.ranged && x.sport.lo == y.sport.lo &&
               x.sport.hi == y.sport.hi && x.dport.lo == y.dport.lo && x.dport.hi == y.dport.hi;
    }

    static uint64_t packed(uint16_t sport, uint16_t dport, uint8_t proto, uint8_t family) {
        return uint64_t{sport} | (uint64_t{dport} << 16) | (uint64_t{proto} << 32) |
               (uint64_t{family} << 40);
    }

  private:
    // The flow's fields under this shape's masks.
    BucketKey keyOf(const FlowView &f, const uint64_t src[2], const uint64_t dst[2]) const {
        BucketKey key;
        key.w[0] = src[0] & src_mask_[0];
        key.w[1] = src[1] & src_mask_[1];
        key.w[2] = dst[0] & dst_mask_[0];
        key.w[3] = dst[1] & dst_mask_[1];
        key.w[4] = packed(id_.sport ? f.sport : 0, id_.dport ? f.dport : 0, id_.proto ? f.proto : 0,
                          f.family);
        return key;
    }
    // The 16 address bits lead_bits_ holds.
    uint64_t leadBits(const uint64_t src[2], const uint64_t dst[2]) const {
        return (lead_ == 0 ? src[0] & src_mask_[0] : dst[0] & dst_mask_[0]) & 0xffff;
    }

    void setFilter(uint64_t h) {
        const size_t bits = filter_.size() * 64;
        filter_[(h & (bits - 1)) / 64] |= uint64_t{1} << (h & 63);
        filter_[((h >> 32) & (bits - 1)) / 64] |= uint64_t{1} << ((h >> 32) & 63);
    }
    bool inFilter(uint64_t h) const {
        const size_t bits = filter_.size() * 64;
        return (filter_[(h & (bits - 1)) / 64] >> (h & 63) & 1) &&
               (filter_[((h >> 32) & (bits - 1)) / 64] >> ((h >> 32) & 63) & 1);
    }

    uint32_t firstIn(const Bucket &b, const FlowView &f, uint32_t best) const {
        const Entry *plain = &entries_[b.begin];
        if (b.time_index != kNone) {
            best = std::min(best, time_indexes_[b.time_index].first(f.first_us, f.last_us));
        } else {
            for (uint32_t i = 0; i < b.plain && plain[i].rule < best; i++) {
                if (plain[i].start <= f.last_us && plain[i].end >= f.first_us) {
                    best = plain[i].rule;
                    break;
                }
            }
        }
        const Entry *ranged = plain + b.plain;
        for (uint32_t i = 0; i < b.ranged && ranged[i].rule < best; i++) {
            const Entry &e = ranged[i];
            if (e.start <= f.last_us && e.end >= f.first_us && f.sport >= e.sport.lo &&
                f.sport <= e.sport.hi && f.dport >= e.dport.lo && f.dport <= e.dport.hi) {
                best = e.rule;
                break;
            }
        }
        return best;
    }

    ShapeId id_;
    uint64_t src_mask_[2], dst_mask_[2];
    uint32_t first_rule_ = kNone;
    uint64_t protos_[4] = {};  // the protocols of its rules, when given
    std::vector<Entry> entries_;
    std::vector<Bucket> buckets_;  // while building: by first rule's order
    std::vector<Bucket> table_;    // the buckets by hash (empty ones between)
    std::vector<TimeIndex> time_indexes_;
    std::vector<uint64_t> filter_;
    int lead_ = -1;  // the key word (0 src, 2 dst) lead_bits_ holds 16 bits of
    std::vector<uint64_t> lead_bits_;
};

}  // namespace

struct LabelMatcher::Index {
    std::vector<Shape> shapes[2];  // IPv4, IPv6; each by first rule
};

LabelMatcher::LabelMatcher(const std::vector<LabelRule> &rules)
    : index_(std::make_unique<Index>()) {
    // The shapes met so far, by a code of their id (rules of one kind
    // usually come together: the last one is tried first).
    std::vector<std::pair<uint32_t, ShapeId>> codes;
    std::unordered_map<uint32_t, size_t> code_index;
    std::vector<std::vector<Item>> items;
    std::vector<size_t> counts;
    size_t last = SIZE_MAX;
    // Twice: counting the items of each shape, then (each vector reserved:
    // no regrowth of 100,000s of items) putting them.
    bool counting = true;
    std::vector<uint32_t> shape_of;  // of each item, in the order they are put
    shape_of.reserve(2 * rules.size());
    size_t put_no = 0;
    auto put = [&](uint32_t i, const LabelRule &r, const AddressPrefix &a, const AddressPrefix &b,
                   PortRange pa, PortRange pb) {
        const bool a_exact = pa.lo == pa.hi, b_exact = pb.lo == pb.hi;
        for (uint8_t family : {4, 6}) {
            if ((!a.any() && a.family != family) || (!b.any() && b.family != family))
                continue;
            ShapeId id{family,
                       static_cast<uint8_t>(a.any() ? 0 : a.length),
                       static_cast<uint8_t>(b.any() ? 0 : b.length),
                       a_exact,
                       b_exact,
                       r.proto >= 0};
            if (counting) {
                const uint32_t code = uint32_t{id.family == 6} | uint32_t{id.src_len} << 1 |
                                      uint32_t{id.dst_len} << 9 | uint32_t{id.sport} << 17 |
                                      uint32_t{id.dport} << 18 | uint32_t{id.proto} << 19;
                if (last == SIZE_MAX || codes[last].first != code) {
                    auto [it, added] = code_index.try_emplace(code, codes.size());
                    last = it->second;
                    if (added) {
                        codes.emplace_back(code, id);
                        counts.push_back(0);
                    }
                }
                counts[last]++;
                shape_of.push_back(static_cast<uint32_t>(last));
                continue;
            }
            last = shape_of[put_no++];
            // The rule's bytes are already zero after its prefix.
            BucketKey key;
            std::memcpy(&key.w[0], a.bytes.data(), 16);
            std::memcpy(&key.w[2], b.bytes.data(), 16);
            key.w[4] = Shape::packed(a_exact ? pa.lo : 0, b_exact ? pb.lo : 0,
                                     static_cast<uint8_t>(r.proto >= 0 ? r.proto : 0), family);
            const bool ranged = (!a_exact && !pa.any()) || (!b_exact && !pb.any());
            items[last].push_back(
                Item{hashKey(key), key, Entry{i, ranged, pa, pb, r.start_us, r.end_us}});
        }
    };
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t i = 0; i < rules.size(); i++) {
            const LabelRule &r = rules[i];
            put(i, r, r.src, r.dst, r.sport, r.dport);
            if (!r.forward_only)
                put(i, r, r.dst, r.src, r.dport, r.sport);
        }
        if (counting) {
            items.resize(codes.size());
            for (size_t k = 0; k < codes.size(); k++)
                items[k].reserve(counts[k]);
            counting = false;
            last = SIZE_MAX;
        }
    }
    for (size_t k = 0; k < codes.size(); k++) {
        const ShapeId &id = codes[k].second;
        index_->shapes[id.family == 6].emplace_back(id, items[k]);
        std::vector<Item>().swap(items[k]);
    }
    for (auto &shapes : index_->shapes)
        std::sort(shapes.begin(), shapes.end(),
                  [](const Shape &a, const Shape &b) { return a.firstRule() < b.firstRule(); });
}

LabelMatcher::~LabelMatcher() = default;

size_t LabelMatcher::shapes() const {
    return index_->shapes[0].size() + index_->shapes[1].size();
}

int32_t LabelMatcher::match(const FlowView &flow) const {
    uint64_t src[2], dst[2];
    std::memcpy(src, flow.src.data(), 16);
    std::memcpy(dst, flow.dst.data(), 16);
    const std::vector<Shape> &shapes = index_->shapes[flow.family == 6];
    for (const Shape &shape : shapes)
        shape.prefetch(flow, src, dst);
    uint32_t best = kNone;
    for (const Shape &shape : shapes) {
        if (shape.firstRule() >= best)
            break;  // in order of their first rule
        best = shape.match(flow, src, dst, best);
    }
    return best == kNone ? kNoMatch : static_cast<int32_t>(best);
}

}  // namespace netflow
