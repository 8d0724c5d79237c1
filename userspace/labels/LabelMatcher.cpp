#include "labels/LabelMatcher.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <memory_resource>
#include <queue>
#include <stdexcept>

#include "common/Prefetch.h"
#include "labels/AttackNames.h"
#include "labels/SparseMasks.h"
#include "labels/ZeroedArray.h"

namespace netflow {
namespace {

constexpr uint32_t kNone = UINT32_MAX;
// Buckets with up to this many rules without port ranges are scanned;
// larger ones get a time index.
constexpr size_t kScanLimit = 16;
// Shapes with up to this many keys get a gate bitmap of 16 bits of their
// own (8 KB): those the lead masks (LeadMasks) do not cover, of an
// address's first 16 bits; those with no /16 or longer address, of a port
// they give exactly.
constexpr size_t kLeadBitmapBuckets = 4096;

// A rule under one shape: its index, its time, and port ranges when it has
// any (checked per candidate: a range is no key).
struct Entry {
    uint32_t rule;
    uint16_t name;  // AttackNames::number of the rule's name
    bool ranged;
    bool swapped;  // in a symmetric shape, its key holds dst's side first
    PortRange sport, dport;
    int64_t start, end;  // inclusive
};
static_assert(sizeof(Entry) == 32);

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

// Set in every hash the index keeps (never 0, which says "stopped" in a
// lookup; the bit is above those any table or filter reads).
constexpr uint64_t kLive = uint64_t{1} << 63;

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

// A rule under its shape: its key's hash and the rule, from which the key
// and the entry are made again (16 bytes: 100,000s of them are built and
// read once).
struct Item {
    uint64_t hash;
    uint32_t rule;
};

struct ShapeId {
    uint8_t family, src_len, dst_len;
    bool sport, dport, proto;  // given exactly (else any, or a range checked per rule)
    bool forward_only;         // its rules say direction=forward
    auto operator<=>(const ShapeId &) const = default;
    // Both sides alike (prefix length, port given or not) and both ways:
    // a key holds its smaller side first (canonical()), so one probe finds
    // a rule whichever way round the flow went (exact 5-tuples of ground
    // truth: one probe a flow, not two).
    bool symmetric() const { return src_len == dst_len && sport == dport && !forward_only; }
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
// precomputed), or it starts within (from, to] (the first rule starting at
// each point, precomputed: a flow is short, so it spans few points, read
// one after the other; past kScan of them, a range minimum in a segment
// tree). A shape keeps the indexes of all its large buckets in three
// arrays (a bucket holds where its points start and how many): the
// points' times, 8 bytes each, searched by counting those up to `from`
// when there are few (every line read at once, not one after the other as
// a binary search reads them), then the two first rules of the point
// found. The first version kept an object a bucket with an array of
// 16-byte points: three dependent misses before the search began.
// The first matching rule found so far and its name's number (kByRule: in
// the index's table by rule, for the rare answer that comes without it).
struct Found {
    static constexpr uint32_t kByRule = UINT32_MAX;
    uint32_t rule = kNone;
    uint32_t name = kByRule;
};

class TimeIndexes {
  public:
    explicit TimeIndexes(HugeArena &kept) : at_(&kept), first_(&kept), tree_(&kept) {}

    // Room for indexes of `points` points in all (no regrowth).
    void reserve(size_t points) {
        at_.reserve(points);
        first_.reserve(points);
        tree_.reserve(2 * points);
    }

    // Indexes entries[0, n) (their rules in rule order); returns where its
    // points start (*count: how many).
    uint32_t add(const Entry *entries, size_t n, HugeArena &scratch, uint32_t *count) {
        std::pmr::vector<int64_t> at(&scratch);
        at.reserve(2 * n);
        for (size_t i = 0; i < n; i++) {
            at.push_back(entries[i].start);
            at.push_back(entries[i].end + 1);
        }
        std::sort(at.begin(), at.end());
        at.erase(std::unique(at.begin(), at.end()), at.end());
        std::pmr::vector<const Entry *> by_start(&scratch);
        by_start.reserve(n);
        for (size_t i = 0; i < n; i++)
            by_start.push_back(&entries[i]);
        std::sort(by_start.begin(), by_start.end(),
                  [](const Entry *a, const Entry *b) { return a->start < b->start; });
        auto later = [](const Entry *a, const Entry *b) { return a->rule > b->rule; };
        std::priority_queue<const Entry *, std::pmr::vector<const Entry *>, decltype(later)> open(
            later, std::pmr::vector<const Entry *>(&scratch));
        const size_t m = at.size();
        const auto base = static_cast<uint32_t>(at_.size());
        size_t next = 0;
        for (size_t j = 0; j < m; j++) {
            First p{kNone, kNone, 0, 0};
            // Every start is a point: the rules added here start at it.
            while (next < n && by_start[next]->start <= at[j]) {
                if (by_start[next]->rule < p.start_min) {
                    p.start_min = by_start[next]->rule;
                    p.start_name = by_start[next]->name;
                }
                open.push(by_start[next++]);
            }
            while (!open.empty() && open.top()->end < at[j])
                open.pop();
            if (!open.empty()) {
                p.stab = open.top()->rule;
                p.stab_name = open.top()->name;
            }
            at_.push_back(at[j]);
            first_.push_back(p);
        }
        // The tree of this index at 2 * base, 2m slots (slot 0 unused).
        tree_.resize(2 * base + 2 * m, kNone);
        uint32_t *tree = tree_.data() + 2 * base;
        for (size_t j = 0; j < m; j++)
            tree[m + j] = first_[base + j].start_min;
        for (size_t i = m - 1; i > 0; i--)
            tree[i] = std::min(tree[2 * i], tree[2 * i + 1]);
        *count = static_cast<uint32_t>(m);
        return base;
    }

    // The first rule of the index at `base` (m points) overlapping [from,
    // to], and its name's number (or kByRule: from the tree).
    Found first(uint32_t base, uint32_t m, int64_t from, int64_t to) const {
        const int64_t *at = at_.data() + base;
        const First *first = first_.data() + base;
        size_t j = 0;  // the points at or before `from`
        if (m <= kCount) {
            for (size_t k = 0; k < m; k++)
                j += at[k] <= from;
        } else {
            j = static_cast<size_t>(std::upper_bound(at, at + m, from) - at);
        }
        Found best;
        if (j)
            best = Found{first[j - 1].stab, first[j - 1].stab_name};
        size_t k = j;
        for (size_t steps = 0; k < m && at[k] <= to; k++, steps++) {
            if (steps == kScan) {
                const uint32_t rule = startMin(base, m, k, to);
                return rule < best.rule ? Found{rule, Found::kByRule} : best;
            }
            if (first[k].start_min < best.rule)
                best = Found{first[k].start_min, first[k].start_name};
        }
        return best;
    }

    // Fetches what first() reads of the index at `base` (m points, at
    // least one) first: every time it counts (at most 8 lines; the first
    // version fetched only the first, and the count waited for the rest),
    // and the first rules of its first 16 points (2-3 lines).
    void prefetch(uint32_t base, uint32_t m) const {
        const int64_t *at = at_.data() + base;
        const size_t counted = m <= kCount ? std::max<size_t>(m, 1) : 1;
        for (size_t k = 0; k < counted; k += 8)
            prefetchLine(at + k);
        prefetchLine(at + counted - 1);
        const First *first = first_.data() + base;
        prefetchLine(first);
        prefetchLine(first + std::clamp<size_t>(m, 1, 16) - 1);
    }

  private:
    static constexpr size_t kScan = 8;
    // Up to this many points are counted (8 lines of times), more searched.
    static constexpr size_t kCount = 64;
    struct First {
        uint32_t stab;                   // the first rule holding [at, the next point)
        uint32_t start_min;              // the first rule starting at `at`
        uint16_t stab_name, start_name;  // their names' numbers (a lookup reads no more)
    };

    // The first rule starting at points k.. up to `to` (segment tree).
    uint32_t startMin(uint32_t base, size_t m, size_t k, int64_t to) const {
        const int64_t *at = at_.data() + base;
        const uint32_t *tree = tree_.data() + 2 * size_t{base};
        const auto hi = static_cast<size_t>(std::upper_bound(at + k, at + m, to) - at);
        uint32_t best = kNone;
        for (size_t lo = k + m, h = hi + m; lo < h; lo >>= 1, h >>= 1) {
            if (lo & 1)
                best = std::min(best, tree[lo++]);
            if (h & 1)
                best = std::min(best, tree[--h]);
        }
        return best;
    }

    std::pmr::vector<int64_t> at_;  // each point: a rule's start, or its end + 1
    std::pmr::vector<First> first_;
    std::pmr::vector<uint32_t> tree_;  // over first_'s start_min, 2m a index
};

// A slot of a shape's table: a key and its rules, one cache line. A key
// with one rule and no port range (most keys of exact ground truth) holds
// that rule itself and its name's number (plain = kLone | name): a hit
// costs no second miss into the entries. No key has as many rules as
// kLone (at most INT32_MAX rules).
constexpr uint32_t kLone = 0xffff0000;
struct alignas(64) Bucket {
    BucketKey key;
    uint32_t plain = 0;     // rules without port ranges; kLone | name: one, held here
    uint32_t ranged = 0;    // rules with port ranges; lone(): that rule
    uint64_t where = 0;     // lone(): its start; else begin | time_index << 32 (with a time
                            // index, begin is that of the rules with port ranges, and
                            // time_index where its points start, kNone: none)
    uint64_t lone_end = 0;  // lone(): its end; with a time index, its points
    bool empty() const { return plain == 0 && ranged == 0; }  // a free slot
    bool lone() const { return plain >= kLone; }
    uint32_t begin() const { return static_cast<uint32_t>(where); }  // into Shape::entries_
    uint32_t timeIndex() const { return static_cast<uint32_t>(where >> 32); }
};
static_assert(sizeof(Bucket) == 64);

uint64_t packed(uint16_t sport, uint16_t dport, uint8_t proto, uint8_t family) {
    return uint64_t{sport} | (uint64_t{dport} << 16) | (uint64_t{proto} << 32) |
           (uint64_t{family} << 40);
}

// The two sides of a key (words 0-1 and the first port, words 2-3 and
// the second) are the same.
bool sidesAlike(const BucketKey &k) {
    return k.w[0] == k.w[2] && k.w[1] == k.w[3] && (k.w[4] & 0xffff) == (k.w[4] >> 16 & 0xffff);
}

// Both inlined by force: called twice a rule while building (its hash,
// then its key), out of line they cost ~1 ms of 100,000 rules' 10 ms
// compile.
//
// For a symmetric shape: the key with its smaller side first (any order
// does, the same for rules and flows); true when it swapped them.
[[gnu::always_inline]] inline bool canonical(BucketKey &k) {
    const uint64_t pa = k.w[4] & 0xffff, pb = k.w[4] >> 16 & 0xffff;
    const bool swap = k.w[0] != k.w[2]   ? k.w[0] > k.w[2]
                      : k.w[1] != k.w[3] ? k.w[1] > k.w[3]
                                         : pa > pb;
    if (swap) {
        std::swap(k.w[0], k.w[2]);
        std::swap(k.w[1], k.w[3]);
        k.w[4] = (k.w[4] & ~uint64_t{0xffffffff}) | pb | pa << 16;
    }
    return swap;
}

// A rule's key (its bytes are already zero after its prefix, and all
// zero for any address), its smaller side first in a symmetric shape
// (*swapped: it was dst's).
[[gnu::always_inline]] inline BucketKey ruleKey(const LabelRule &r, const ShapeId &id,
                                                bool *swapped = nullptr) {
    BucketKey key;
    std::memcpy(&key.w[0], r.src.bytes.data(), 16);
    std::memcpy(&key.w[2], r.dst.bytes.data(), 16);
    key.w[4] =
        packed(r.sport.lo == r.sport.hi ? r.sport.lo : 0, r.dport.lo == r.dport.hi ? r.dport.lo : 0,
               static_cast<uint8_t>(r.proto >= 0 ? r.proto : 0), id.family);
    const bool swap = id.symmetric() && canonical(key);
    if (swapped)
        *swapped = swap;
    return key;
}

// A port given as a range (neither one port nor any): no key, checked on
// each candidate of the bucket.
bool hasPortRange(const LabelRule &r) {
    return (r.sport.lo != r.sport.hi && !r.sport.any()) ||
           (r.dport.lo != r.dport.hi && !r.dport.any());
}

Entry ruleEntry(const LabelRule &r, uint32_t index, bool swapped) {
    return Entry{index,           AttackNames::number(r.name),
                 hasPortRange(r), swapped,
                 r.sport,         r.dport,
                 r.start_us,      r.end_us};
}

class alignas(64) Shape {
  public:
    // Items come in rule order, so grouping them by key in that order
    // leaves each bucket's entries by rule. First the keys are numbered in
    // a compact table (4 bytes a slot, which stays in cache: most items of
    // ground truth share their key with others), then the table proper is
    // sized for the keys there are and each key put in once, then the
    // entries placed.
    // What it keeps comes from `kept`, what only building it needs from
    // `scratch` (both on 2 MB pages, freed all at once).
    Shape(ShapeId id, const std::pmr::vector<Item> &items, std::span<const LabelRule> rules,
          HugeArena &kept, HugeArena &scratch)
        : id_(id), entries_(&kept), times_(kept) {
        prefixMask(id.src_len, src_mask_);
        prefixMask(id.dst_len, dst_mask_);
        constexpr size_t kAhead = 8;
        const size_t n = items.size();
        // An item's key, and whether its dst side went first (symmetric
        // shapes), kept with its key's number in key_of (kSwapped).
        auto keyOfItem = [&](size_t i, bool *swapped) {
            return ruleKey(rules[items[i].rule], id, swapped);
        };
        constexpr uint32_t kSwapped = uint32_t{1} << 31;  // no shape has 2^31 keys
        // A shape's items skip the rules of other shapes: their reads are
        // no stream the hardware follows (a miss an item, twice: a third
        // of this step without these prefetches).
        auto prefetchRule = [&](size_t i) {
            const auto *r = reinterpret_cast<const char *>(&rules[items[i].rule]);
            prefetchLine(r);
            prefetchLine(r + sizeof(LabelRule) - 1);
        };
        auto entryOfItem = [&](size_t i, bool swapped) {
            return ruleEntry(rules[items[i].rule], items[i].rule, swapped);
        };
        struct Key {  // its hash in hashes
            BucketKey key;
            uint32_t plain = 0, ranged = 0;
        };
        std::pmr::vector<Key> keys(&scratch);
        keys.reserve(n);
        std::pmr::vector<uint64_t> hashes(&scratch);  // of the keys
        hashes.reserve(n);
        std::pmr::vector<uint32_t> key_of(n, &scratch);
        {
            // A slot: a key's number and the high half of its hash, compared
            // first (a probe reads the key, 48 bytes somewhere in 4 MB for
            // 100,000 rules, only when they agree: reading the key's hash,
            // then the key, for every probe was a third of this step).
            const size_t mask = std::bit_ceil(std::max<size_t>(16, n * 4 / 3 + 1)) - 1;
            constexpr uint64_t kFree = UINT64_MAX;  // no key's number is UINT32_MAX
            constexpr uint64_t kTag = ~uint64_t{UINT32_MAX};
            std::pmr::vector<uint64_t> numbers(mask + 1, kFree, &scratch);
            for (size_t i = 0; i < n; i++) {
                if (i + kAhead < n) {
                    prefetchLine(&numbers[items[i + kAhead].hash & mask]);
                    prefetchRule(i + kAhead);
                }
                const uint64_t h = items[i].hash;
                bool swapped = false;
                const BucketKey item_key = keyOfItem(i, &swapped);
                uint32_t k = kNone;
                for (size_t s = h & mask;; s = (s + 1) & mask) {
                    const uint64_t slot = numbers[s];
                    if (slot == kFree) {
                        k = static_cast<uint32_t>(keys.size());
                        numbers[s] = (h & kTag) | k;
                        keys.push_back(Key{item_key});
                        hashes.push_back(h);
                        break;
                    }
                    if ((slot & kTag) == (h & kTag) &&
                        keys[static_cast<uint32_t>(slot)].key == item_key) {
                        k = static_cast<uint32_t>(slot);
                        break;
                    }
                }
                key_of[i] = k | (swapped ? kSwapped : 0);
                const LabelRule &r = rules[items[i].rule];
                (hasPortRange(r) ? keys[k].ranged : keys[k].plain)++;
                if (r.proto >= 0) {
                    const auto proto = static_cast<uint8_t>(r.proto);
                    protos_[proto / 64] |= uint64_t{1} << (proto % 64);
                }
            }
        }
        first_rule_ = n ? items[0].rule : kNone;  // the items are in rule order
        // The table, at most 3/4 full; each key's entries (plain ones, then
        // those with port ranges, by rule) from `at` on in entries_, except
        // the plain ones of a key that gets a time index (in `timed`, below).
        const size_t capacity = std::bit_ceil(std::max<size_t>(16, keys.size() * 4 / 3 + 1));
        const size_t mask = capacity - 1;
        table_ = ZeroedArray<Bucket>(capacity, kept);
        filter_ =
            ZeroedArray<uint64_t>(std::bit_ceil(std::max<size_t>(64, keys.size() * 16)) / 64, kept);
        std::pmr::vector<uint32_t> slot_of(keys.size(), &scratch);
        // Where each key's next entries go, 8 bytes a key (the pass that
        // places the entries reads it in item order: in the 48-byte keys
        // and two more arrays it missed the cache three times an item).
        // A key with its one rule in the bucket: its slot, and kLone. A
        // key whose bucket gets a time index: its rules without port
        // ranges go to `timed` (in scratch: once the index is built, a
        // lookup reads the index, not them), at | kTimed.
        struct Place {
            uint32_t at, ranged_at;
        };
        constexpr uint32_t kTimed = uint32_t{1} << 31;
        std::pmr::vector<Place> place(keys.size(), &scratch);
        struct Indexed {
            uint32_t key, from;  // its rules in timed
        };
        std::pmr::vector<Indexed> indexed(&scratch);
        uint32_t at = 0, timed_at = 0;
        for (uint32_t k = 0; k < keys.size(); k++) {
            if (k + kAhead < keys.size())
                prefetchLine(&table_[hashes[k + kAhead] & mask]);
            const Key &key = keys[k];
            size_t s = hashes[k] & mask;
            while (!table_[s].empty())
                s = (s + 1) & mask;
            slot_of[k] = static_cast<uint32_t>(s);
            Bucket &b = table_[s];
            b.key = key.key;
            setFilter(hashes[k]);
            if (leadWord() >= 0)
                leads_.push_back(static_cast<uint16_t>(b.key.w[leadWord()] & 0xffff));
            // A symmetric key's sides either way round: the flow's src may
            // be either (a matching flow's src is one of them).
            if (leadWord() >= 0 && id_.symmetric())
                leads_.push_back(static_cast<uint16_t>(b.key.w[2] & 0xffff));
            if (key.plain == 1 && key.ranged == 0) {
                b.plain = kLone;  // and the rest, below
                place[k] = Place{static_cast<uint32_t>(s), kLone};
                continue;
            }
            b.plain = key.plain;
            b.ranged = key.ranged;
            b.where = at | uint64_t{kNone} << 32;
            if (key.plain > kScanLimit) {
                indexed.push_back(Indexed{k, timed_at});
                place[k] = Place{timed_at | kTimed, at};
                timed_at += key.plain;
                at += key.ranged;
            } else {
                place[k] = Place{at, at + key.plain};
                at += key.plain + key.ranged;
            }
        }
        entries_.resize(at);
        std::pmr::vector<Entry> timed(timed_at, &scratch);
        for (size_t i = 0; i < n; i++) {
            if (i + kAhead < n)
                prefetchRule(i + kAhead);
            const uint32_t k = key_of[i] & ~kSwapped;
            const Entry e = entryOfItem(i, (key_of[i] & kSwapped) != 0);
            Place &p = place[k];
            if (p.ranged_at == kLone) {
                Bucket &b = table_[p.at];
                b.plain = kLone | e.name;
                b.ranged = e.rule;
                b.where = static_cast<uint64_t>(e.start);
                b.lone_end = static_cast<uint64_t>(e.end);
            } else if (e.ranged) {
                entries_[p.ranged_at++] = e;
            } else if (p.at & kTimed) {
                timed[p.at++ & ~kTimed] = e;
            } else {
                entries_[p.at++] = e;
            }
        }
        times_.reserve(2 * size_t{timed_at});
        for (const Indexed &x : indexed) {
            Bucket &b = table_[slot_of[x.key]];
            uint32_t points = 0;
            const uint32_t base = times_.add(&timed[x.from], b.plain, scratch, &points);
            b.where = b.begin() | uint64_t{base} << 32;
            b.lone_end = points;
        }
        // A shape with no /16 or longer address (port-only rules, say) is a
        // candidate for every flow, as it is and reversed unless its rules
        // are forward only or its sides alike. With few keys, a port they
        // give exactly turns most flows away before hashing.
        if (leadWord() < 0 && (id.sport || id.dport) && keys.size() <= kLeadBitmapBuckets) {
            gate_ = id.dport || id.symmetric() ? kDportGate : kSportGate;
            gate_bits_ = ZeroedArray<uint64_t>(65536 / 64, kept);
            for (const Key &key : keys) {
                if (gate_ == kSportGate || id.symmetric())
                    setGate(key.key.w[4] & 0xffff);
                if (gate_ == kDportGate)
                    setGate(key.key.w[4] >> 16 & 0xffff);
            }
        }
    }

    const ShapeId &id() const { return id_; }
    uint32_t firstRule() const { return first_rule_; }
    // The key word (0: src, 2: dst) whose first 16 address bits every key
    // holds unmasked, or -1 (both prefixes shorter).
    int leadWord() const { return id_.src_len >= 16 ? 0 : id_.dst_len >= 16 ? 2 : -1; }
    // Those 16 bits of each key (leadWord() >= 0), read by the lead masks,
    // which then turn the flows away that this shape cannot hold.
    const std::vector<uint16_t> &leads() const { return leads_; }
    // Or, for a shape the lead masks do not cover, kept in a bitmap of its
    // own when it has few buckets with a /16 or longer address (8 KB: 16
    // bits of that address turn most flows away before hashing).
    void keepLeadBitmap(HugeArena &kept) {
        if (gate_ == kNoGate && leadWord() >= 0 && leads_.size() <= kLeadBitmapBuckets) {
            gate_ = leadWord() == 0 ? kSrcLead : kDstLead;
            gate_bits_ = ZeroedArray<uint64_t>(65536 / 64, kept);
            for (uint16_t v : leads_)
                setGate(v);
        }
    }
    void dropLeads() { std::vector<uint16_t>().swap(leads_); }

    // A lookup's parts, in the steps of LabelMatcher::start, advance and
    // finish: stage1() for every candidate shape (the protocol and lead
    // bitmap checks, the flow's hash; fetches the filter word it is
    // checked against, when it is, and the home slot), then the filter
    // check (passesFilter, or stage2: both at once) and probe() (the
    // table; prefetchRules() fetches the bucket's first rules), then, in
    // order of the shapes' first rules until none can hold an earlier
    // rule, firstIn() (the bucket's rules). The misses of all shapes
    // overlap, and those of each step the row's columns between them.
    static constexpr uint64_t kOut = 0;  // instead of a hash: stopped

    uint64_t stage1(const FlowView &f, const uint64_t src[2], const uint64_t dst[2],
                    bool filter = true) const {
        if (id_.proto && !(protos_[f.proto / 64] >> (f.proto % 64) & 1))
            return kOut;
        if (gate_ != kNoGate) {  // the bitmap (8 KB: in cache) first
            const uint64_t v = gateBits(f, src, dst);
            if (!(gate_bits_[v / 64] >> (v % 64) & 1))
                return kOut;
        }
        const uint64_t h = hashKey(keyOf(f, src, dst)) | kLive;
        if (filter)
            prefetchLine(&filter_[filterWord(h)]);
        // And the key's home slot: most flows that pass the filter find
        // their key there, and a shape that passed the lead masks usually
        // passes the filter (the index of 100,000 rules is larger than the
        // cache: without it, the slot's miss followed the filter word's).
        prefetchLine(&table_[h & (table_.size() - 1)]);
        return h;
    }

    uint64_t stage2(uint64_t h) const { return h != kOut && inFilter(h) ? h : kOut; }
    bool passesFilter(uint64_t h) const { return inFilter(h); }

    // The flow's bucket (nullptr: none).
    const Bucket *probe(const FlowView &f, const uint64_t src[2], const uint64_t dst[2],
                        uint64_t h) const {
        if (h == kOut)
            return nullptr;
        const BucketKey key = keyOf(f, src, dst);
        const size_t mask = table_.size() - 1;
        for (size_t s = h & mask;; s = (s + 1) & mask) {
            const Bucket &b = table_[s];
            if (b.empty())
                return nullptr;
            if (b.key == key)
                return &b;
        }
    }

    // Fetches what firstIn() reads of the bucket first: its time index's
    // first points, or its first rules (a lone bucket holds its rule).
    void prefetchRules(const Bucket &b) const {
        if (b.lone())
            return;
        if (b.timeIndex() != kNone)
            times_.prefetch(b.timeIndex(), static_cast<uint32_t>(b.lone_end));
        else
            prefetchLine(entries_.data() + b.begin());
    }

    // The first rule of the bucket matching the flow, if before best.rule.
    Found firstIn(const Bucket *b, const FlowView &f, const uint64_t src[2], const uint64_t dst[2],
                  Found best) const {
        return b ? firstIn(*b, f, src, dst, best) : best;
    }

  private:
    // The flow's fields under this shape's masks (its smaller side first
    // in a symmetric shape).
    BucketKey keyOf(const FlowView &f, const uint64_t src[2], const uint64_t dst[2]) const {
        BucketKey key = rawKeyOf(f, src, dst);
        if (id_.symmetric())
            canonical(key);
        return key;
    }
    BucketKey rawKeyOf(const FlowView &f, const uint64_t src[2], const uint64_t dst[2]) const {
        BucketKey key;
        key.w[0] = src[0] & src_mask_[0];
        key.w[1] = src[1] & src_mask_[1];
        key.w[2] = dst[0] & dst_mask_[0];
        key.w[3] = dst[1] & dst_mask_[1];
        key.w[4] = packed(id_.sport ? f.sport : 0, id_.dport ? f.dport : 0, id_.proto ? f.proto : 0,
                          f.family);
        return key;
    }
    void setGate(uint64_t v) { gate_bits_[v / 64] |= uint64_t{1} << (v % 64); }
    // The flow's 16 bits that gate_bits_ holds of the keys.
    uint64_t gateBits(const FlowView &f, const uint64_t src[2], const uint64_t dst[2]) const {
        switch (gate_) {
            case kSrcLead:
                return src[0] & src_mask_[0] & 0xffff;
            case kDstLead:
                return dst[0] & dst_mask_[0] & 0xffff;
            case kSportGate:
                return f.sport;
            default:
                return f.dport;
        }
    }

    // A blocked Bloom filter: a key's two bits in one word (one miss).
    // The hash's low bits pick the table slot, its high bits the word.
    size_t filterWord(uint64_t h) const { return (h >> 32) & (filter_.size() - 1); }
    static uint64_t filterBits(uint64_t h) {
        return uint64_t{1} << ((h >> 20) & 63) | uint64_t{1} << ((h >> 26) & 63);
    }
    void setFilter(uint64_t h) { filter_[filterWord(h)] |= filterBits(h); }
    bool inFilter(uint64_t h) const {
        const uint64_t bits = filterBits(h);
        return (filter_[filterWord(h)] & bits) == bits;
    }

    Found firstIn(const Bucket &b, const FlowView &f, const uint64_t src[2], const uint64_t dst[2],
                  Found best) const {
        if (b.lone()) {
            const auto start = static_cast<int64_t>(b.where),
                       end = static_cast<int64_t>(b.lone_end);
            return b.ranged < best.rule && start <= f.last_us && end >= f.first_us
                       ? Found{b.ranged, static_cast<uint16_t>(b.plain & ~kLone)}
                       : best;
        }
        const Entry *ranged = entries_.data() + b.begin();
        if (b.timeIndex() != kNone) {
            const Found t = times_.first(b.timeIndex(), static_cast<uint32_t>(b.lone_end),
                                         f.first_us, f.last_us);
            if (t.rule < best.rule)
                best = t;
        } else {
            const Entry *plain = ranged;
            for (uint32_t i = 0; i < b.plain && plain[i].rule < best.rule; i++) {
                if (plain[i].start <= f.last_us && plain[i].end >= f.first_us) {
                    best = Found{plain[i].rule, plain[i].name};
                    break;
                }
            }
            ranged += b.plain;
        }
        if (b.ranged == 0)
            return best;
        // Which way round the flow meets a rule with port ranges: as it is,
        // except in a symmetric shape, where the key's sides tell (the
        // rule's and the flow's same side first: as it is, else reversed;
        // the flow's sides alike: either way).
        const bool symmetric = id_.symmetric();
        bool either = false, flow_swapped = false;
        if (symmetric) {
            BucketKey key = rawKeyOf(f, src, dst);
            either = sidesAlike(key);
            flow_swapped = canonical(key);
        }
        auto in = [](uint16_t port, PortRange r) { return port >= r.lo && port <= r.hi; };
        for (uint32_t i = 0; i < b.ranged && ranged[i].rule < best.rule; i++) {
            const Entry &e = ranged[i];
            if (e.start > f.last_us || e.end < f.first_us)
                continue;
            const bool as_is = !symmetric || either || e.swapped == flow_swapped;
            const bool reversed = symmetric && (either || e.swapped != flow_swapped);
            if ((as_is && in(f.sport, e.sport) && in(f.dport, e.dport)) ||
                (reversed && in(f.dport, e.sport) && in(f.sport, e.dport))) {
                best = Found{e.rule, e.name};
                break;
            }
        }
        return best;
    }

    // What stage1() and the lookup's loop read of every candidate shape
    // first, in the object's first two cache lines (they were spread over
    // four or five: with a few shapes a flow, read between rows, they
    // missed the cache).
    ShapeId id_;
    uint32_t first_rule_ = kNone;
    // What gate_bits_ holds 16 bits of, for each key (kNoGate: none): the
    // first 16 bits of its src or dst address (keepLeadBitmap), or, in a
    // shape with no /16 or longer address (a candidate for every flow,
    // that the lead masks cannot turn away), a port it gives exactly
    // (both of a symmetric key's: the flow's dport is one of them).
    enum Gate : int8_t { kNoGate, kSrcLead, kDstLead, kSportGate, kDportGate };
    Gate gate_ = kNoGate;
    uint64_t src_mask_[2], dst_mask_[2];
    ZeroedArray<Bucket> table_;  // the buckets by hash (empty ones between)
    ZeroedArray<uint64_t> filter_;
    uint64_t protos_[4] = {};  // the protocols of its rules, when given
    // The rest.
    ZeroedArray<uint64_t> gate_bits_;
    std::pmr::vector<Entry> entries_;
    TimeIndexes times_;
    std::vector<uint16_t> leads_;  // until takeLeads() or keepLeadBitmap()
};

// Shape codes to shape numbers: an open-addressing table that stays small
// (shapes are few; a rules file mixes them, so one is looked up nearly
// every rule).
class ShapeCodes {
  public:
    // The number of code, given `next` if it is new (then *added).
    size_t find(uint32_t code, size_t next, bool *added) {
        if (2 * (used_ + 1) > slots_.size())
            grow();
        const size_t mask = slots_.size() - 1;
        for (size_t s = (code * 0x9e3779b9u) >> 8 & mask;; s = (s + 1) & mask) {
            if (slots_[s].first == kFree) {
                slots_[s] = {code, static_cast<uint32_t>(next)};
                used_++;
                *added = true;
                return next;
            }
            if (slots_[s].first == code) {
                *added = false;
                return slots_[s].second;
            }
        }
    }

  private:
    static constexpr uint32_t kFree = UINT32_MAX;  // no code: 20 bits
    void grow() {
        std::vector<std::pair<uint32_t, uint32_t>> old(std::max<size_t>(256, slots_.size() * 2),
                                                       {kFree, 0});
        old.swap(slots_);
        used_ = 0;
        for (const auto &[code, number] : old) {
            bool added = false;
            if (code != kFree)
                find(code, number, &added);
        }
    }
    std::vector<std::pair<uint32_t, uint32_t>> slots_;
    size_t used_ = 0;
};

}  // namespace

namespace {

// A lookup in one shape: with the flow as it is, or reversed (its
// destination as the rule's src: the shape's rules match both ways unless
// forward_only). A rule is kept once, under its shape as written; the
// reversed probe finds it when the attacker was the flow's server (the
// first version kept every rule twice, once a direction: twice the
// index's memory to build and to miss in).
struct Probe {
    Shape *shape;
    bool reversed;
};

// Which of the first 64 probes of an IP version can find a flow's key, by
// the first 16 bits of its addresses: a probe whose key's src (else dst)
// prefix is /16 or longer has its bit in the table of the flow's side
// compared with it, at those bits of each key; one with both shorter is in
// `always`. Two reads a flow turn away the probes no key of which shares
// the flow's /16s, before any per-shape work (a shape turned away by its
// own checks cost ~75 instructions; a CIC-style mix has ~32 IPv4 probes,
// most of them victim networks a flow is not in).
struct LeadMasks {
    static constexpr size_t kShapes = 64;
    static constexpr size_t kMinShapes = 4;  // below, every probe is made
    SparseMasks src, dst;                    // 65,536 each, or empty: all probes
    uint64_t always = 0;

    // Bit k for the k-th probe. A shape both of whose probes it covers
    // checks no bitmap of its own (the same bits: a second read a
    // candidate shape, which always passed it); the others keep one.
    void build(const std::vector<Probe> &probes, std::vector<Shape> &shapes, HugeArena &arena,
               HugeArena &scratch) {
        const bool all = probes.size() < kMinShapes;
        ZeroedArray<uint64_t> src_table, dst_table;  // built as tables, kept compact
        if (!all) {
            src_table = ZeroedArray<uint64_t>(65536, scratch);
            dst_table = ZeroedArray<uint64_t>(65536, scratch);
        }
        for (size_t k = 0; k < probes.size(); k++) {
            Shape &shape = *probes[k].shape;
            if (all || k >= kShapes) {
                shape.keepLeadBitmap(arena);  // at most once: kept on the first call
                continue;
            }
            const uint64_t bit = uint64_t{1} << k;
            const int word = shape.leadWord();
            if (word < 0) {
                always |= bit;
                continue;
            }
            // The flow's side the key's lead word is compared with (a
            // reversed probe compares the rule's src with the flow's dst).
            ZeroedArray<uint64_t> &table =
                (word == 0) != probes[k].reversed ? src_table : dst_table;
            for (uint16_t v : shape.leads())
                table[v] |= bit;
        }
        for (Shape &shape : shapes)
            shape.dropLeads();
        if (!all) {
            src.build(src_table, arena);
            dst.build(dst_table, arena);
        }
    }
    // The probes (bit k: the k-th, in order of first rule) that may find
    // the flow's key; probes from the 65th on are not in it.
    uint64_t candidates(const uint64_t src_words[2], const uint64_t dst_words[2]) const {
        if (src.empty())
            return ~uint64_t{0};
        return always | src[src_words[0] & 0xffff] | dst[dst_words[0] & 0xffff];
    }
};

}  // namespace

struct LabelMatcher::Index {
    HugeArena arena;               // what the shapes and lead masks keep (freed last)
    std::vector<Shape> shapes[2];  // IPv4, IPv6
    std::vector<Probe> probes[2];  // each by its shape's first rule
    LeadMasks leads[2];
    // AttackNames::number of each rule's name: for a time index's answer
    // (the entries and lone buckets hold their rule's), and nameOf().
    BigVector<uint16_t> names;
};

LabelMatcher::LabelMatcher(std::span<const LabelRule> rules) : index_(std::make_unique<Index>()) {
    if (rules.size() > INT32_MAX)
        throw std::length_error("more than 2^31 - 1 labelling rules");
    index_->names.resize(rules.size());
    // The shapes met so far, by a code of their id (rules of one kind
    // usually come together: the last one is tried first).
    std::vector<std::pair<uint32_t, ShapeId>> codes;
    ShapeCodes code_index;
    // What only building needs, on 2 MB pages: the items by shape in
    // `scratch`, the rest in `shape_scratch`, which each shape's building
    // then uses again (the first touch of a 2 MB page, ~1 ms here, is most
    // of what these cost).
    HugeArena scratch, shape_scratch;
    std::vector<std::pmr::vector<Item>> items;
    std::vector<size_t> counts;
    // One pass over the rules: each item (a rule in one IP version) with
    // its key's hash and its shape, in rule order; then each shape's items
    // gathered into a vector reserved for them (no regrowth of 100,000s of
    // items). The first version walked the rules twice, the second time to
    // hash (the walk cost as much as the hashing).
    std::pmr::vector<Item> flat(&shape_scratch);
    std::pmr::vector<uint32_t> shape_of(&shape_scratch);  // of each item of flat
    // At most two items a rule (both IP versions for a rule with no
    // address): reserved for all, so neither grows (in an arena a regrowth
    // leaves the old array touched and unused). Address space only, until
    // an item is written.
    flat.reserve(2 * rules.size());
    shape_of.reserve(2 * rules.size());
    size_t last = SIZE_MAX;  // the last rule's shape (rules of one kind usually come together)
    for (uint32_t i = 0; i < rules.size(); i++) {
        const LabelRule &r = rules[i];
        index_->names[i] = AttackNames::number(r.name);
        const AddressPrefix &a = r.src, &b = r.dst;
        if (!a.any() && !b.any() && a.family != b.family)
            continue;                                         // matches no flow
        const uint8_t given = a.any() ? b.family : a.family;  // 0: any version
        const uint8_t src_len = a.any() ? 0 : a.length, dst_len = b.any() ? 0 : b.length;
        const bool sport = r.sport.lo == r.sport.hi, dport = r.dport.lo == r.dport.hi;
        const uint32_t common = uint32_t{src_len} << 1 | uint32_t{dst_len} << 9 |
                                uint32_t{sport} << 17 | uint32_t{dport} << 18 |
                                uint32_t{r.proto >= 0} << 19 | uint32_t{r.forward_only} << 20;
        for (uint8_t family : {4, 6}) {
            if (given != 0 && given != family)
                continue;
            const uint32_t code = common | uint32_t{family == 6};
            if (last == SIZE_MAX || codes[last].first != code) {
                bool added = false;
                last = code_index.find(code, codes.size(), &added);
                if (added) {
                    codes.emplace_back(code, ShapeId{family, src_len, dst_len, sport, dport,
                                                     r.proto >= 0, r.forward_only});
                    counts.push_back(0);
                }
            }
            counts[last]++;
            shape_of.push_back(static_cast<uint32_t>(last));
            flat.push_back(Item{hashKey(ruleKey(r, codes[last].second)) | kLive, i});
        }
    }
    items.reserve(codes.size());
    for (size_t k = 0; k < codes.size(); k++) {
        items.emplace_back(&scratch);
        items[k].reserve(counts[k]);
    }
    for (size_t j = 0; j < flat.size(); j++)
        items[shape_of[j]].push_back(flat[j]);
    flat.clear();  // their memory handed out again below
    flat.shrink_to_fit();
    shape_of.clear();
    shape_of.shrink_to_fit();
    shape_scratch.rewind();
    // Each shape's scratch on the pages of the one before (~10 MB less
    // touched for the CIC-style mix). The shapes do not move once made:
    // the probes point at them.
    index_->shapes[0].reserve(codes.size());
    index_->shapes[1].reserve(codes.size());
    for (size_t k = 0; k < codes.size(); k++) {
        const ShapeId &id = codes[k].second;
        index_->shapes[id.family == 6].emplace_back(id, items[k], rules, index_->arena,
                                                    shape_scratch);
        shape_scratch.rewind();
    }
    for (int family = 0; family < 2; family++) {
        std::vector<Probe> &probes = index_->probes[family];
        for (Shape &shape : index_->shapes[family]) {
            probes.push_back(Probe{&shape, false});
            if (!shape.id().forward_only && !shape.id().symmetric())
                probes.push_back(Probe{&shape, true});
        }
        std::stable_sort(probes.begin(), probes.end(), [](const Probe &a, const Probe &b) {
            return a.shape->firstRule() < b.shape->firstRule();
        });
        index_->leads[family].build(probes, index_->shapes[family], index_->arena, shape_scratch);
        shape_scratch.rewind();
    }
    index_->arena.releaseTail();
}

LabelMatcher::~LabelMatcher() = default;

uint16_t LabelMatcher::nameOf(size_t rule) const {
    return index_->names[rule];
}

size_t LabelMatcher::shapes() const {
    return index_->shapes[0].size() + index_->shapes[1].size();
}

namespace {

// A flow as a probe compares it with a shape's keys: its addresses as two
// words each (src: the side compared with the rules' src), its ports that
// way round.
struct ProbeView {
    const FlowView &flow;  // as it is
    FlowView reversed;     // its ports swapped (the rest as it is)
    uint64_t src[2], dst[2];

    explicit ProbeView(const FlowView &f) : flow(f), reversed(f) {
        std::swap(reversed.sport, reversed.dport);
        std::memcpy(src, f.src.data(), 16);
        std::memcpy(dst, f.dst.data(), 16);
    }
    const FlowView &view(bool rev) const { return rev ? reversed : flow; }
    const uint64_t *a(bool rev) const { return rev ? dst : src; }
    const uint64_t *b(bool rev) const { return rev ? src : dst; }
};

}  // namespace

void LabelMatcher::start(const FlowView &flow, LabelLookup &l) const {
    l.flow_ = flow;
    l.step_ = 1;
    const ProbeView v(l.flow_);
    const std::vector<Probe> &probes = index_->probes[flow.family == 6];
    const size_t n = std::min(probes.size(), LabelLookup::kProbes);
    static_assert(LabelLookup::kProbes == LeadMasks::kShapes);
    const uint64_t in_range = n == LabelLookup::kProbes ? ~uint64_t{0} : (uint64_t{1} << n) - 1;
    const LabelLookup::FilterCount *counts = l.filter_counts_[flow.family == 6];
    const bool recount = (++l.lookups_ & 31) == 0;
    size_t count = 0;
    uint64_t filtered = 0;
    // Only the candidates' bits are visited (a loop over every probe,
    // testing its bit, cost half the lookup's instructions: most shapes
    // are turned away).
    for (uint64_t m = index_->leads[flow.family == 6].candidates(v.src, v.dst) & in_range; m;
         m &= m - 1) {
        const auto k = static_cast<size_t>(std::countr_zero(m));
        const Probe &p = probes[k];
        const LabelLookup::FilterCount &c = counts[k];
        const bool filter = recount || c.checked < 64 || c.turned_away * 4 > c.checked;
        const uint64_t h =
            p.shape->stage1(v.view(p.reversed), v.a(p.reversed), v.b(p.reversed), filter);
        l.probe_[count] = static_cast<uint8_t>(k);
        l.hash_[count] = h;
        filtered = (filtered & ~(uint64_t{1} << count)) | uint64_t{filter} << count;
        count += h != Shape::kOut;
    }
    l.count_ = static_cast<uint8_t>(count);
    l.filtered_ = filtered;
}

void LabelMatcher::advance(LabelLookup &l) const {
    if (l.step_ != 1)
        return;
    l.step_ = 2;
    const ProbeView v(l.flow_);
    const std::vector<Probe> &probes = index_->probes[l.flow_.family == 6];
    LabelLookup::FilterCount *counts = l.filter_counts_[l.flow_.family == 6];
    size_t count = 0;
    for (size_t i = 0; i < l.count_; i++) {
        const Probe &p = probes[l.probe_[i]];
        const Shape &shape = *p.shape;
        const uint64_t h = l.hash_[i];
        if (l.filtered_ >> i & 1) {
            LabelLookup::FilterCount &c = counts[l.probe_[i]];
            const bool passes = shape.passesFilter(h);
            if (++c.checked == 1u << 16) {  // halved: the counts follow the flows
                c.checked >>= 1;
                c.turned_away >>= 1;
            }
            c.turned_away += !passes;
            if (!passes)
                continue;
        }
        const Bucket *b = shape.probe(v.view(p.reversed), v.a(p.reversed), v.b(p.reversed), h);
        if (!b)
            continue;
        shape.prefetchRules(*b);
        l.probe_[count] = l.probe_[i];
        l.bucket_[count++] = b;
    }
    l.count_ = static_cast<uint8_t>(count);
}

LabelMatch LabelMatcher::finish(LabelLookup &l) const {
    if (l.step_ == 0)
        return LabelMatch{};
    advance(l);
    l.step_ = 0;
    const ProbeView v(l.flow_);
    const std::vector<Probe> &probes = index_->probes[l.flow_.family == 6];
    Found best;
    // The buckets, in order of their shapes' first rules until none can
    // hold an earlier rule.
    for (size_t i = 0; i < l.count_; i++) {
        const Probe &p = probes[l.probe_[i]];
        const Shape &shape = *p.shape;
        if (shape.firstRule() >= best.rule)
            break;
        const FlowView &f = v.view(p.reversed);
        best = shape.firstIn(static_cast<const Bucket *>(l.bucket_[i]), f, v.a(p.reversed),
                             v.b(p.reversed), best);
    }
    // Probes past the first 64 (no lead mask has their bits): each made
    // at once, in the same order.
    for (size_t k = LabelLookup::kProbes;
         k < probes.size() && probes[k].shape->firstRule() < best.rule; k++) {
        const Probe &p = probes[k];
        const Shape &shape = *p.shape;
        const FlowView &f = v.view(p.reversed);
        const uint64_t h = shape.stage2(shape.stage1(f, v.a(p.reversed), v.b(p.reversed)));
        best = shape.firstIn(shape.probe(f, v.a(p.reversed), v.b(p.reversed), h), f,
                             v.a(p.reversed), v.b(p.reversed), best);
    }
    if (best.rule == kNone)
        return LabelMatch{};
    return LabelMatch{static_cast<int32_t>(best.rule), best.name == Found::kByRule
                                                           ? index_->names[best.rule]
                                                           : static_cast<uint16_t>(best.name)};
}

LabelMatch LabelMatcher::match(const FlowView &flow) const {
    LabelLookup lookup;
    start(flow, lookup);
    return finish(lookup);
}

}  // namespace netflow
