// The shortcuts of the rules readers agree with the plain ways: the commas
// findCommas finds (sixteen bytes a step) with a byte loop, the one-port
// shortcut of parsePortRange with the range reader, the fixed ISO form
// keeping its last date and offset with the general time reader.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "labels/CsvLine.h"
#include "labels/LabelFields.h"
#include "labels/LabelTime.h"

namespace {

// Lines of every length up to 70 with a comma, a quote or both at each
// position (and dashes, spaces and digits between), for every limit.
TEST(LabelSplit, FindCommasAgreesWithAByteLoop) {
    const std::string filler = "2017-07-05T09:26:00 -03:00 10.0.0.1/8 80-90 ";
    for (size_t length = 0; length <= 70; length++) {
        for (size_t at = 0; at <= length; at++) {
            for (const char special : {',', '"'}) {
                std::string line;
                for (size_t i = 0; i < length; i++)
                    line += i % 7 == 3 ? ',' : filler[i % filler.size()];
                if (at < length)
                    line[at] = special;
                for (size_t max : {size_t{0}, size_t{1}, size_t{3}, size_t{10}, size_t{100}}) {
                    std::vector<uint32_t> want;
                    bool want_quote = false;
                    for (size_t i = 0; i < line.size(); i++) {
                        if (line[i] == ',' && want.size() < max)
                            want.push_back(static_cast<uint32_t>(i));
                        want_quote |= line[i] == '"';
                    }
                    std::vector<uint32_t> got(max + 1, UINT32_MAX);
                    bool quoted = !want_quote;
                    const size_t n = netflow::findCommas(line, got.data(), max, &quoted);
                    got.resize(n);
                    EXPECT_EQ(got, want) << "'" << line << "' max " << max;
                    EXPECT_EQ(quoted, want_quote) << "'" << line << "'";
                }
            }
        }
    }
}

// Fields trimmed of blanks; an empty one's column is where it starts.
TEST(LabelSplit, PlainFieldTrimsAndNamesItsColumn) {
    const std::string line = "a, \tb c\t ,,  ";
    struct Field {
        std::string_view text;
        size_t column = 0;
    };
    auto field = [&](size_t begin, size_t end) {
        Field f;
        netflow::plainField(line, begin, end, &f.text, &f.column);
        return f;
    };
    auto f = field(0, 1);
    EXPECT_EQ(f.text, "a");
    EXPECT_EQ(f.column, 1u);
    f = field(2, 9);
    EXPECT_EQ(f.text, "b c");
    EXPECT_EQ(f.column, 5u);
    f = field(10, 10);
    EXPECT_EQ(f.text, "");
    EXPECT_EQ(f.column, 11u);
    f = field(11, 13);
    EXPECT_EQ(f.text, "");
    EXPECT_EQ(f.column, 12u);
}

// One port by the shortcut, the same as a range of one port.
TEST(LabelSplit, PortShortcutAgreesWithTheRangeReader) {
    std::string error;
    for (const char *text : {"0", "7", "80", "080", "00080", "65535", "443", "99999", "65536", "8a",
                             "-1", "1-", " 80", "+80", "123456"}) {
        const std::string as_range = std::string(text) + "-" + text;
        netflow::PortRange one, range;
        const bool read_one = netflow::parsePortRange(text, &one, &error);
        const bool read_range = netflow::parsePortRange(as_range, &range, &error);
        ASSERT_EQ(read_one, read_range) << text;
        if (read_one) {
            EXPECT_EQ(one.lo, range.lo) << text;
            EXPECT_EQ(one.hi, range.hi) << text;
            EXPECT_EQ(one.lo, one.hi) << text;
        }
    }
}

}  // namespace

namespace {

// The fixed ISO form keeps the last date and offset it read: times that
// repeat them must read as the general reader reads them (each against its
// form with a fraction, which the general reader takes), whatever came
// before, and a bad hour, offset or date after good ones is still refused.
TEST(LabelTimeKept, RepeatedDatesAndOffsetsAgreeWithTheGeneralReader) {
    std::string error;
    const char *const times[] = {
        "2017-07-05T09:26:00-03:00", "2017-07-05T09:26:01-03:00", "2017-07-05 23:59:59-03:00",
        "2017-07-06T00:00:00-03:00", "2017-07-05T10:00:00+05:30", "2017-07-05T10:00:00-03:00",
        "2017-07-05T10:00:00Z",      "2017-07-05T10:00:00",       "2016-02-29T12:00:00-03:00",
        "2016-02-29T12:00:01-03:00", "2017-07-05T09:26:00-03:30", "2017-07-05T09:26:00-03:00"};
    for (int round = 0; round < 2; round++) {
        for (const char *text : times) {
            const std::string s(text);
            const std::string general = s.substr(0, 19) + ".0" + s.substr(19);
            auto fixed = netflow::parseLabelTime(s, 7200, &error);
            auto slow = netflow::parseLabelTime(general, 7200, &error);
            ASSERT_TRUE(fixed && slow) << text;
            EXPECT_EQ(fixed->first_us, slow->first_us) << text;
            EXPECT_EQ(fixed->last_us, fixed->first_us + 999999) << text;
        }
    }
    for (const char *bad :
         {"2017-07-05T24:00:00-03:00", "2017-07-05T09:60:00-03:00", "2017-07-05T09:26:6x-03:00",
          "2017-07-05T09:26:00-03:60", "2017-07-05T09:26:00-0x:00", "2017-07-05T09:26:00*03:00",
          "2017-07-32T09:26:00-03:00", "2017-07-0xT09:26:00-03:00"}) {
        ASSERT_TRUE(netflow::parseLabelTime("2017-07-05T09:26:00-03:00", 0, &error));
        EXPECT_FALSE(netflow::parseLabelTime(bad, 0, &error)) << bad;
    }
    const std::string nul_zone("2017-07-05T09:26:00\0\0\0\0\0\0", 25);
    EXPECT_FALSE(netflow::parseLabelTime(nul_zone, 0, &error));
}

}  // namespace
