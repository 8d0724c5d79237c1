#include "labels/LabelTime.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>

#include "common/Text.h"

namespace netflow {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil).
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool leapYear(int y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned daysInMonth(int y, unsigned m) {
    static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leapYear(y) ? 29 : days[m - 1];
}

// The n bytes at a and b are equal (n of 6 or 10): two loads a side, not
// a call to memcmp (~1 ms of reading 200,000 times).
template <size_t N>
bool sameBytes(const char *a, const char *b) {
    static_assert(N == 6 || N == 10);
    constexpr size_t kHead = N == 10 ? 8 : 4;
    uint64_t x = 0, y = 0;
    uint16_t u = 0, v = 0;
    std::memcpy(&x, a, kHead);
    std::memcpy(&y, b, kHead);
    std::memcpy(&u, a + kHead, 2);
    std::memcpy(&v, b + kHead, 2);
    return x == y && u == v;
}

bool isDigit(char c) {
    return c >= '0' && c <= '9';
}

// Exactly n digits at text[pos]; advances pos.
std::optional<int> digits(std::string_view text, size_t &pos, size_t n) {
    if (pos + n > text.size())
        return std::nullopt;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        char c = text[pos + i];
        if (!isDigit(c))
            return std::nullopt;
        v = v * 10 + (c - '0');
    }
    pos += n;
    return v;
}

// A fraction after '.', up to microseconds (later digits are cut off).
// Returns its microseconds and the span of its last digit.
bool fraction(std::string_view text, size_t &pos, int64_t &us, int64_t &unit_us) {
    static constexpr int64_t kUnit[] = {1000000, 100000, 10000, 1000, 100, 10, 1};
    size_t start = pos;
    us = 0;
    while (pos < text.size() && isDigit(text[pos])) {
        const size_t k = pos - start;
        if (k < 6)
            us += (text[pos] - '0') * kUnit[k + 1];
        pos++;
    }
    unit_us = kUnit[std::min<size_t>(pos - start, 6)];
    return pos > start && pos - start <= 9;
}

std::optional<int32_t> offsetAt(std::string_view text, size_t &pos) {
    if (pos < text.size() && text[pos] == 'Z') {
        pos++;
        return 0;
    }
    if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-'))
        return std::nullopt;
    int sign = text[pos++] == '-' ? -1 : 1;
    auto hh = digits(text, pos, 2);
    if (!hh || *hh > 23)
        return std::nullopt;
    int mm = 0;
    if (pos < text.size()) {
        if (text[pos] == ':')
            pos++;
        auto m = digits(text, pos, 2);
        if (!m || *m > 59)
            return std::nullopt;
        mm = *m;
    }
    return sign * (*hh * 3600 + mm * 60);
}

// Epoch seconds with an optional fraction; nullopt when text is not only
// digits and '.', *not_epoch when it is but is no epoch time.
std::optional<TimeSpan> parseEpoch(std::string_view text, bool *not_epoch) {
    *not_epoch = false;
    const char *const begin = text.data(), *const end = begin + text.size();
    const char *p = begin;
    int64_t seconds = 0;
    bool too_big = false;
    for (unsigned digit; p < end && (digit = static_cast<unsigned>(*p - '0')) < 10; p++) {
        if (seconds > 100000000000LL)  // year 5138: not a capture time
            too_big = true;
        else
            seconds = seconds * 10 + digit;
    }
    size_t pos = static_cast<size_t>(p - begin);
    int64_t us = 0, unit_us = 1000000;
    bool bad_fraction = false;
    if (pos < text.size() && text[pos] == '.') {
        pos++;
        bad_fraction = !fraction(text, pos, us, unit_us);
    }
    if (pos != text.size()) {
        // Only digits and dots is still epoch syntax (and an error).
        *not_epoch = std::all_of(text.begin() + static_cast<ptrdiff_t>(pos), text.end(),
                                 [](char c) { return isDigit(c) || c == '.'; });
        return std::nullopt;
    }
    if (too_big || bad_fraction) {
        *not_epoch = true;
        return std::nullopt;
    }
    int64_t first = seconds * 1000000 + us;
    return TimeSpan{first, first + unit_us - 1};
}

// The usual form of a rules file, 2017-07-05T09:26:00-03:00 (or ...Z, or no
// offset), read in one go: fixed positions, no optional per field. Returns
// false when text is not exactly that form (the general reader decides).
bool parseIsoSeconds(std::string_view text, int32_t default_offset_s, TimeSpan &out) {
    const size_t n = text.size();
    if (n != 19 && n != 20 && n != 25)
        return false;
    const char *t = text.data();
    if (t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != ' ') || t[13] != ':' ||
        t[16] != ':')
        return false;
    // The times of a file mostly share their day and offset: the last date
    // read (its 10 characters, checked) and the last offset (6) are kept
    // with their values, and a time that repeats them reads only its
    // hh:mm:ss (the first version read all 18 digits of every time).
    thread_local bool have_date = false, have_zone = false;
    thread_local char last_date[10], last_zone[6];
    thread_local int64_t last_days = 0;
    thread_local int32_t last_zone_s = 0;
    // Digits checked without a branch each (a loop over the positions cost
    // ~140 instructions a time).
    bool digits_ok = true;
    auto digit = [&](int i) {
        const unsigned d = static_cast<unsigned char>(t[i]) - unsigned{'0'};
        digits_ok &= d <= 9;
        return d;
    };
    if (!have_date || !sameBytes<10>(t, last_date)) {
        const unsigned y0 = digit(0), y1 = digit(1), y2 = digit(2), y3 = digit(3);
        const unsigned m0 = digit(5), m1 = digit(6), d0 = digit(8), d1 = digit(9);
        if (!digits_ok)
            return false;
        const int year = static_cast<int>(y0 * 1000 + y1 * 100 + y2 * 10 + y3);
        const unsigned month = m0 * 10 + m1, day = d0 * 10 + d1;
        if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month))
            return false;
        last_days = daysFromCivil(year, month, day);
        std::memcpy(last_date, t, 10);
        have_date = true;
    }
    const unsigned h0 = digit(11), h1 = digit(12), i0 = digit(14), i1 = digit(15);
    const unsigned s0 = digit(17), s1 = digit(18);
    if (!digits_ok)
        return false;
    const unsigned hh = h0 * 10 + h1, mm = i0 * 10 + i1, ss = s0 * 10 + s1;
    if (hh > 23 || mm > 59 || ss > 59)
        return false;
    int32_t offset = default_offset_s;
    if (n == 20) {
        if (t[19] != 'Z')
            return false;
        offset = 0;
    } else if (n == 25) {
        if (have_zone && sameBytes<6>(t + 19, last_zone)) {
            offset = last_zone_s;
        } else {
            if ((t[19] != '+' && t[19] != '-') || t[22] != ':')
                return false;
            const unsigned o0 = digit(20), o1 = digit(21), o2 = digit(23), o3 = digit(24);
            if (!digits_ok)
                return false;
            const unsigned oh = o0 * 10 + o1, om = o2 * 10 + o3;
            if (oh > 23 || om > 59)
                return false;
            offset = (t[19] == '-' ? -1 : 1) * static_cast<int32_t>(oh * 3600 + om * 60);
            std::memcpy(last_zone, t + 19, 6);
            last_zone_s = offset;
            have_zone = true;
        }
    }
    const int64_t seconds = last_days * 86400 + hh * 3600 + mm * 60 + ss;
    out.first_us = (seconds - offset) * 1000000;
    out.last_us = out.first_us + 999999;
    return true;
}

// Whether the 8 bytes of `word` (as loaded from memory, little-endian)
// are all ASCII digits: each byte's high half is 3, and still is with 6
// added (no byte above '9'; no carry leaves a byte of 0x30-0x3f).
bool eightDigits(uint64_t word) {
    constexpr uint64_t kHigh = 0xf0f0f0f0f0f0f0f0, kThrees = 0x3030303030303030;
    return (word & kHigh) == kThrees && ((word + 0x0606060606060606) & kHigh) == kThrees;
}

// Their value, the first byte the most significant digit: pairs, then
// fours, then the eight (D. Lemire's).
uint32_t eightDigitsValue(uint64_t word) {
    word -= 0x3030303030303030;
    word = word * 10 + (word >> 8);
    return static_cast<uint32_t>(((word & 0x000000ff000000ff) * (100 + (1000000ULL << 32)) +
                                  ((word >> 16) & 0x000000ff000000ff) * (1 + (10000ULL << 32))) >>
                                 32);
}

}  // namespace

std::optional<int32_t> parseUtcOffset(std::string_view text) {
    if (text == "UTC" || text == "utc")
        return 0;
    size_t pos = 0;
    auto offset = offsetAt(text, pos);
    if (!offset || pos != text.size())
        return std::nullopt;
    return offset;
}

bool wholeEpochSeconds(std::string_view text, TimeSpan *span) {
    // Up to 11 digits: below parseEpoch's limit (12 digits and more). The
    // first eight as one word when there are as many (callgrind, a
    // 10-digit time: ~131 instructions in a loop a digit, ~67 so), then a
    // loop.
    if (text.empty() || text.size() > 11)
        return false;
    int64_t v = 0;
    size_t i = 0;
    if (uint64_t word; std::endian::native == std::endian::little && text.size() >= 8 &&
                       (std::memcpy(&word, text.data(), 8), eightDigits(word))) {
        v = eightDigitsValue(word);
        i = 8;
    }
    for (unsigned d;
         i < text.size() && (d = static_cast<unsigned char>(text[i]) - unsigned{'0'}) <= 9; i++)
        v = v * 10 + d;
    if (i != text.size())
        return false;
    *span = TimeSpan{v * 1000000, v * 1000000 + 999999};
    return true;
}

std::optional<TimeSpan> parseLabelTime(std::string_view text, int32_t default_offset_s,
                                       std::string *error) {
    if (TimeSpan span; wholeEpochSeconds(text, &span))
        return span;
    if (TimeSpan span; parseIsoSeconds(text, default_offset_s, span))
        return span;
    // Epoch seconds: digits and '.' only (an ISO date has '-' after four digits).
    if (!text.empty()) {
        bool bad_epoch = false;
        if (auto span = parseEpoch(text, &bad_epoch))
            return span;
        if (bad_epoch) {
            *error = quotedText(text) + " is not epoch seconds";
            return std::nullopt;
        }
    }
    auto bad = [&] {
        *error = quotedText(text) +
                 " is not a time (ISO-8601 like 2017-07-05T09:26:00-03:00, or epoch seconds)";
        return std::nullopt;
    };
    size_t pos = 0;
    auto y = digits(text, pos, 4);
    if (!y || pos >= text.size() || text[pos++] != '-')
        return bad();
    auto mo = digits(text, pos, 2);
    if (!mo || *mo < 1 || *mo > 12 || pos >= text.size() || text[pos++] != '-')
        return bad();
    auto d = digits(text, pos, 2);
    if (!d || *d < 1 || static_cast<unsigned>(*d) > daysInMonth(*y, *mo))
        return bad();
    int64_t seconds = daysFromCivil(*y, *mo, *d) * 86400;
    int64_t us = 0, unit_us = 86400LL * 1000000;
    int32_t offset = default_offset_s;
    if (pos < text.size()) {
        if (text[pos] != 'T' && text[pos] != ' ')
            return bad();
        pos++;
        auto hh = digits(text, pos, 2);
        if (!hh || *hh > 23 || pos >= text.size() || text[pos++] != ':')
            return bad();
        auto mi = digits(text, pos, 2);
        if (!mi || *mi > 59)
            return bad();
        seconds += *hh * 3600 + *mi * 60;
        unit_us = 60 * 1000000;
        if (pos < text.size() && text[pos] == ':') {
            pos++;
            auto ss = digits(text, pos, 2);
            if (!ss || *ss > 59)
                return bad();
            seconds += *ss;
            unit_us = 1000000;
            if (pos < text.size() && (text[pos] == '.' || text[pos] == ',')) {
                pos++;
                if (!fraction(text, pos, us, unit_us))
                    return bad();
            }
        }
        if (pos < text.size()) {
            auto given = offsetAt(text, pos);
            if (!given || pos != text.size())
                return bad();
            offset = *given;
        }
    }
    int64_t first = (seconds - offset) * 1000000 + us;
    return TimeSpan{first, first + unit_us - 1};
}

}  // namespace netflow
