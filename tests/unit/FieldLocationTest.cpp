// FlowFeatures::fieldLocation (the binary exporters' shortcut past
// compute()): every column it places reads, from the record, the value
// compute() gives, for flows whose source is either end of the key.
#include <gtest/gtest.h>

#include <cstring>

#include "features/FlowFeatures.h"

using namespace netflow;

namespace {

uint64_t readAt(const FlowRecord &flow, const FieldLocation &where) {
    const auto *base = reinterpret_cast<const uint8_t *>(&flow);
    const uint8_t *p = base + where.offset[flow.state.src_is_lo ? 1 : 0];
    switch (where.width) {
        case 1:
            return *p;
        case 2: {
            uint16_t v;
            std::memcpy(&v, p, 2);
            return v;
        }
        case 4: {
            uint32_t v;
            std::memcpy(&v, p, 4);
            return v;
        }
        default: {
            uint64_t v;
            std::memcpy(&v, p, 8);
            return v;
        }
    }
}

FlowRecord distinctFlow(uint8_t src_is_lo) {
    // Every byte of key and state different, so a wrong offset shows.
    FlowRecord f{};
    auto *k = reinterpret_cast<uint8_t *>(&f.key);
    for (size_t i = 0; i < sizeof(f.key); i++)
        k[i] = static_cast<uint8_t>(i * 7 + 1);
    auto *s = reinterpret_cast<uint8_t *>(&f.state);
    for (size_t i = 0; i < sizeof(f.state); i++)
        s[i] = static_cast<uint8_t>(i * 13 + 5);
    f.key.ip_version = 4;
    f.state.src_is_lo = src_is_lo;
    return f;
}

}  // namespace

TEST(FieldLocation, ReadsWhatComputeGivesForEitherDirection) {
    FlowClassifier classifier(false);
    FlowFeatures features(classifier, LabelSpec{});
    int placed = 0;
    for (uint8_t src_is_lo : {0, 1}) {
        const FlowRecord flow = distinctFlow(src_is_lo);
        for (int c = 0; c <= static_cast<int>(Column::Attack); c++) {
            const auto column = static_cast<Column>(c);
            const auto where = FlowFeatures::fieldLocation(column);
            if (!where)
                continue;
            placed++;
            FeatureValue value;
            features.compute(column, flow, value);
            ASSERT_EQ(value.kind, FeatureValue::Kind::Integer) << c;
            EXPECT_EQ(readAt(flow, *where), value.integer)
                << "column " << c << " src_is_lo " << int(src_is_lo);
        }
    }
    EXPECT_GE(placed, 2 * 20);
}
