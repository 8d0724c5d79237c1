// Value formatting of docs/spec/FEATURES.md: floats rounded to 3 decimals, trailing
// zeros dropped but one decimal kept ("1476.0", "12.345"); L7_PROTO as
// "M.A" (both known and different: master.app; otherwise "P.0" with P
// whichever is known; unknown "0.0"); Label/Attack.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "support/FlowHarness.h"

namespace {

using netflow::Column;
using netflow::FeatureValue;
using netflow::FlowFeatures;
using netflow::FlowRecord;
using netflow::L7Protocol;
using netflow::LabelSpec;

std::string real(double v) {
    std::string out;
    netflow::appendReal(out, v);
    return out;
}

TEST(FloatFormat, ExamplesFromTheContract) {
    EXPECT_EQ(real(1476.0), "1476.0");
    EXPECT_EQ(real(12.345), "12.345");
}

TEST(FloatFormat, TrailingZerosDroppedOneDecimalKept) {
    EXPECT_EQ(real(0.0), "0.0");
    EXPECT_EQ(real(2.5), "2.5");
    EXPECT_EQ(real(2.25), "2.25");
    EXPECT_EQ(real(100.0), "100.0");
    EXPECT_EQ(real(10.100), "10.1");
    EXPECT_EQ(real(1000000000.0), "1000000000.0");
}

TEST(FloatFormat, RoundedToThreeDecimals) {
    EXPECT_EQ(real(12.3456), "12.346");
    EXPECT_EQ(real(12.3454), "12.345");
    EXPECT_EQ(real(1000.0 / 7.0), "142.857");  // 142.857142...
    EXPECT_EQ(real(2.0 / 3.0), "0.667");
    EXPECT_EQ(real(0.9996), "1.0");  // rounds up to 1.000
    EXPECT_EQ(real(0.0004), "0.0");  // rounds down to 0.000
    EXPECT_EQ(real(0.1 + 0.2), "0.3");
    EXPECT_EQ(real(99.9999), "100.0");
}

TEST(FloatFormat, AppendsToWhatIsThere) {
    std::string out = "x=";
    netflow::appendReal(out, 1.5);
    EXPECT_EQ(out, "x=1.5");
}

class ComputedColumn : public ::testing::Test {
  protected:
    ComputedColumn() {
        std::memset(&rec_.key, 0, sizeof(rec_.key));
        std::memset(&rec_.state, 0, sizeof(rec_.state));
        rec_.key.ip_version = 4;
        rec_.key.proto = 6;
    }
    std::string l7(uint16_t master, uint16_t app) {
        rec_.cls.l7 = L7Protocol{master, app};
        FlowFeatures f(nftest::sharedClassifier(), LabelSpec{});
        f.compute(Column::L7_PROTO, rec_, value_);
        EXPECT_EQ(value_.kind, FeatureValue::Kind::Text);
        return value_.text;
    }
    std::string compute(Column c, const LabelSpec &label = LabelSpec{}) {
        FlowFeatures f(nftest::sharedClassifier(), label);
        f.compute(c, rec_, value_);
        return nftest::renderValue(value_);
    }
    FlowRecord rec_;
    FeatureValue value_;
};

TEST_F(ComputedColumn, L7ProtoBothKnownAndDifferent) {
    EXPECT_EQ(l7(91, 178), "91.178");  // TLS.Amazon
    EXPECT_EQ(l7(5, 7), "5.7");
}

TEST_F(ComputedColumn, L7ProtoOnlyOneKnown) {
    EXPECT_EQ(l7(0, 7), "7.0");  // app only
    EXPECT_EQ(l7(7, 0), "7.0");  // master only
}

TEST_F(ComputedColumn, L7ProtoBothTheSame) {
    EXPECT_EQ(l7(7, 7), "7.0");
}

TEST_F(ComputedColumn, L7ProtoUnknown) {
    EXPECT_EQ(l7(0, 0), "0.0");
}

TEST_F(ComputedColumn, L7ProtoName) {
    rec_.cls.l7 = L7Protocol{91, 178};
    EXPECT_EQ(compute(Column::L7_PROTO_NAME), "TLS.Amazon");
    rec_.cls.l7 = L7Protocol{0, 7};
    EXPECT_EQ(compute(Column::L7_PROTO_NAME), "HTTP");
}

TEST_F(ComputedColumn, LabelAndAttack) {
    EXPECT_EQ(compute(Column::Label), "0");
    EXPECT_EQ(compute(Column::Attack), "Benign");
    LabelSpec attack{true, "DDoS"};
    EXPECT_EQ(compute(Column::Label, attack), "1");
    EXPECT_EQ(compute(Column::Attack, attack), "DDoS");
}

TEST_F(ComputedColumn, ApplicationFieldsDefaultToZero) {
    for (Column c : {Column::DNS_QUERY_ID, Column::DNS_QUERY_TYPE, Column::DNS_TTL_ANSWER,
                     Column::FTP_COMMAND_RET_CODE, Column::ICMP_TYPE, Column::ICMP_IPV4_TYPE})
        EXPECT_EQ(compute(c), "0") << netflow::columnName(c);
    EXPECT_EQ(compute(Column::SERVER_NAME), "");
}

TEST_F(ComputedColumn, Ipv4AddressesAsDottedQuads) {
    const uint8_t lo[4] = {1, 2, 3, 4}, hi[4] = {192, 168, 100, 254};
    std::memcpy(rec_.key.addr_lo, lo, 4);
    std::memcpy(rec_.key.addr_hi, hi, 4);
    rec_.state.src_is_lo = 0;
    EXPECT_EQ(compute(Column::IPV4_SRC_ADDR), "192.168.100.254");
    EXPECT_EQ(compute(Column::IPV4_DST_ADDR), "1.2.3.4");
}

}  // namespace
