// LiveClassifications: the live path's classification per flow instance,
// checked against a std::unordered_map doing the same operations (entries
// made on first use, reset, taken, dropped by start time), with few enough
// keys that probe runs collide, wrap around the index and shift back on
// every erase; an entry keeps its address while it exists.
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <unordered_map>
#include <vector>

#include "flow/LiveClassifications.h"

namespace {

using netflow::FlowInstance;
using netflow::LiveClassifications;

FlowInstance instance(uint32_t n, uint64_t first_us) {
    FlowInstance f;
    std::memset(&f, 0, sizeof(f));
    f.key.proto = 6;
    f.key.ip_version = 4;
    std::memcpy(f.key.addr_lo, &n, sizeof(n));
    f.key.port_lo = static_cast<uint16_t>(n);
    f.first_us = first_us;
    return f;
}

TEST(LiveClassifications, NewEntriesStartEmptyAtIndexOne) {
    LiveClassifications c;
    const FlowInstance a = instance(1, 100);
    EXPECT_EQ(c.size(), 0u);
    EXPECT_EQ(c.entry(a).next_payload, 1u);
    EXPECT_EQ(c.entry(a).cls.l7.app, 0u);
    EXPECT_EQ(c.size(), 1u);
    // Same key, another start: another instance.
    c.entry(instance(1, 200)).cls.l7.app = 7;
    EXPECT_EQ(c.size(), 2u);
    EXPECT_EQ(c.entry(a).cls.l7.app, 0u);
    EXPECT_EQ(c.take(instance(1, 200)).l7.app, 7u);
    EXPECT_EQ(c.take(instance(1, 200)).l7.app, 0u);  // gone: empty
    EXPECT_EQ(c.find(instance(9, 9)), nullptr);      // absent: not made
    EXPECT_EQ(c.size(), 1u);
    EXPECT_EQ(c.find(a), &c.entry(a));
}

TEST(LiveClassifications, AgreesWithAMapUnderRandomOperations) {
    struct Model {
        uint16_t app = 0;
        uint32_t next = 1;
    };
    std::unordered_map<FlowInstance, Model, netflow::FlowInstanceHash> model;
    std::unordered_map<FlowInstance, const LiveClassifications::Entry *, netflow::FlowInstanceHash>
        where;
    LiveClassifications c;
    std::mt19937 rng(7);
    size_t dropped_total = 0;
    for (int step = 0; step < 200000; step++) {
        // 3,000 keys x 4 starts: the index grows to thousands of slots,
        // then stays busy with inserts and erases.
        const FlowInstance f = instance(rng() % 3000, 1000 * (rng() % 4));
        const unsigned op = rng() % 100;
        if (op < 45) {
            LiveClassifications::Entry &e = c.entry(f);
            if (auto it = where.find(f); it != where.end()) {
                ASSERT_EQ(it->second, &e) << "an entry moved";
            }
            where[f] = &e;
            Model &m = model[f];
            ASSERT_EQ(e.cls.l7.app, m.app);
            ASSERT_EQ(e.next_payload, m.next);
            m.app = static_cast<uint16_t>(rng());
            m.next = static_cast<uint32_t>(rng() % 64 + 1);
            e.cls.l7.app = m.app;
            e.next_payload = m.next;
        } else if (op < 55) {
            LiveClassifications::Entry *e = c.find(f);
            const auto it = model.find(f);
            ASSERT_EQ(e != nullptr, it != model.end());
            if (e) {
                ASSERT_EQ(e, where[f]);
                e->next_payload = 1;
                it->second.next = 1;
            }
        } else if (op < 99) {
            const auto it = model.find(f);
            ASSERT_EQ(c.take(f).l7.app, it == model.end() ? 0 : it->second.app);
            if (it != model.end())
                model.erase(it);
            where.erase(f);
        } else {
            const uint64_t cutoff = 1000 * (rng() % 4);
            const size_t want =
                std::erase_if(model, [cutoff](const auto &e) { return e.first.first_us < cutoff; });
            std::erase_if(where, [cutoff](const auto &e) { return e.first.first_us < cutoff; });
            ASSERT_EQ(c.dropOlderThan(cutoff), want);
            dropped_total += want;
        }
        ASSERT_EQ(c.size(), model.size());
    }
    EXPECT_GT(dropped_total, 0u);
    // Every entry still there, with its values, where it was.
    for (const auto &[f, m] : model) {
        LiveClassifications::Entry &e = c.entry(f);
        EXPECT_EQ(&e, where[f]);
        EXPECT_EQ(e.cls.l7.app, m.app);
        EXPECT_EQ(e.next_payload, m.next);
    }
    EXPECT_EQ(c.size(), model.size());
}

}  // namespace
