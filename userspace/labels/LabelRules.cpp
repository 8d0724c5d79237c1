#include "labels/LabelRules.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <functional>
#include <memory>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <sys/stat.h>

#include "common/CaptureMagic.h"
#include "common/Text.h"
#include "common/UniqueFd.h"
#include "labels/AttackNames.h"
#include "labels/CsvLine.h"
#include "labels/LabelError.h"
#include "labels/LabelFields.h"
#include "labels/LabelTime.h"

namespace netflow {
namespace {

enum Field { kAttack, kSrc, kDst, kSport, kDport, kProto, kStart, kEnd, kOptions, kNames };
// Where a field past the header's starts (an error), after the named ones.
constexpr int kExtra = kNames, kFieldCount = kNames + 1;
constexpr std::array<const char *, kNames> kFieldNames = {
    "attack", "src", "dst", "sport", "dport", "proto", "start", "end", "options"};

struct FieldView {
    std::string_view text;
    size_t column;  // 1-based
};

// A line without quotes split at its commas (found by findCommas: at most
// the header's fields and one), fields trimmed of blanks, each put under
// its name by the header's order (and the first past the header's under
// kExtra), as splitCsvLine would: without a vector of fields. Returns the
// number of fields, or more than the header's when there are more (then
// it stops counting).
size_t splitPlain(std::string_view line, const std::vector<int> &order, const uint32_t *commas,
                  size_t found, std::array<FieldView, kFieldCount> &out) {
    const size_t named = order.size();  // at most kNames
    size_t begin = 0;
    for (size_t k = 0; k <= found && k <= named; k++) {
        const size_t end = k < found ? commas[k] : line.size();
        if (k < named) {
            FieldView &f = out[order[k]];
            plainField(line, begin, end, &f.text, &f.column);
        } else {
            FieldView &f = out[kExtra];
            plainField(line, begin, end, &f.text, &f.column);
            f.text = {};
        }
        begin = end + 1;
    }
    return found + 1;
}

bool skippable(std::string_view line) {
    size_t first = line.find_first_not_of(" \t");
    return first == std::string::npos || line[first] == '#';
}

// direction=forward|both, separated by ';' or blanks.
void applyOptions(const FieldView &field, LabelRule &rule, const std::string &path, size_t line) {
    size_t pos = 0;
    const std::string_view text = field.text;
    while (pos < text.size()) {
        size_t start = text.find_first_not_of("; \t", pos);
        if (start == std::string::npos)
            break;
        size_t end = text.find_first_of("; \t", start);
        if (end == std::string::npos)
            end = text.size();
        std::string_view option = text.substr(start, end - start);
        if (option == "direction=forward")
            rule.forward_only = true;
        else if (option == "direction=both")
            rule.forward_only = false;
        else
            throwLabelError(
                path, line, field.column + start,
                "unknown option " + quotedText(option) + " (direction=forward or direction=both)");
        pos = end;
    }
}

}  // namespace

void throwLabelError(const std::string &path, size_t line, size_t column,
                     const std::string &message) {
    throw LabelError(path + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " +
                     message);
}

bool RuleLines::next(std::string_view &line, size_t *line_no) {
    size_t found = 0;
    bool quoted = false;
    return next(line, line_no, nullptr, 0, &found, &quoted);
}

bool RuleLines::next(std::string_view &line, size_t *line_no, uint32_t *at, size_t max,
                     size_t *found, bool *quoted) {
#if defined(__SSE2__)
    if (pos_ >= text_.size() && !refill())
        return false;
    // Sixteen bytes a step: masks of the newlines, commas and quotes, the
    // commas and quotes cut at the first newline (a memchr for the line's
    // end, then findCommas over it, read every byte twice: ~1 ms more for
    // 100,000 rules).
    const __m128i newlines = _mm_set1_epi8('\n'), commas = _mm_set1_epi8(','),
                  quotes = _mm_set1_epi8('"');
    const char *const s = text_.data();
    const size_t n = text_.size(), start = pos_;
    size_t count = 0, end = n;
    bool quote = false;
    for (size_t i = start; i < n; i += 16) {
        __m128i v;
        if (i + 16 <= n) {
            v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(s + i));
        } else {  // the rest, from a copy (no read past the text)
            char rest[16] = {};
            std::memcpy(rest, s + i, n - i);
            v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(rest));
        }
        const auto nl = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, newlines)));
        const unsigned keep = nl ? (nl & -nl) - 1 : 0xffff;  // up to the first newline
        auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, commas))) & keep;
        quote |= (static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, quotes))) & keep) != 0;
        for (; mask && count < max; mask &= mask - 1)
            at[count++] =
                static_cast<uint32_t>(i - start + static_cast<size_t>(std::countr_zero(mask)));
        if (nl) {
            end = i + static_cast<size_t>(std::countr_zero(nl));
            break;
        }
    }
    line = text_.substr(start, end - start);
    pos_ = end + 1;
    ++*line_no;
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);  // no comma or quote after it
    *found = count;
    *quoted = quote;
    return true;
#else
    if (pos_ >= text_.size() && !refill())
        return false;
    size_t end = text_.find('\n', pos_);
    if (end == std::string_view::npos)
        end = text_.size();
    line = text_.substr(pos_, end - pos_);
    pos_ = end + 1;
    ++*line_no;
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    *found = findCommas(line, at, max, quoted);
    return true;
#endif
}

size_t RuleLines::lineCount() const {
    // Sixteen bytes a step (a memchr call a line cost ~3 ms for 100,000
    // lines), counted in 16 byte-wide counters (a match compares to -1,
    // subtracted), summed every 255 steps before one could wrap. A
    // popcount of each step's mask was a libgcc call here (the build
    // targets x86-64 without POPCNT): ~2 ms for 9 MB.
    size_t n = 1, i = 0;
    const char *p = text_.data();
#if defined(__SSE2__)
    const __m128i newline = _mm_set1_epi8('\n');
    while (i + 16 <= text_.size()) {
        __m128i counts = _mm_setzero_si128();
        for (int k = 0; k < 255 && i + 16 <= text_.size(); k++, i += 16) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p + i));
            counts = _mm_sub_epi8(counts, _mm_cmpeq_epi8(v, newline));
        }
        const __m128i sums = _mm_sad_epu8(counts, _mm_setzero_si128());  // two 64-bit sums
        n += static_cast<size_t>(_mm_cvtsi128_si64(sums)) +
             static_cast<size_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)));
    }
#endif
    for (; i < text_.size(); i++)
        n += p[i] == '\n';
    return n;
}

RuleLines::RuleLines(int fd, std::string path, size_t part)
    : fd_(fd), path_(std::move(path)), capacity_(std::max<size_t>(part, 16)) {
    buffer_ = std::make_unique<char[]>(capacity_);
    // The first part whole (or the file, when it is smaller): its first
    // bytes for head(), its lines for expectedLines().
    while (filled_ < capacity_ && !eof_)
        readMore();
    head_.assign(buffer_.get(), std::min<size_t>(filled_, 4));
    const std::string_view first = withoutByteOrderMark(std::string_view(buffer_.get(), filled_));
    taken_ = filled_ - first.size();  // the mark, if any: moved out by the first refill()
    const size_t lines = RuleLines(first).lineCount();
    struct stat st {};
    if (eof_) {
        expected_ = lines;  // the whole file
    } else if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && !first.empty()) {
        // Its size over the first part's mean line, a tenth more; at most
        // a line each kMinLine bytes.
        const auto size = static_cast<double>(st.st_size);
        expected_ = static_cast<size_t>(size / static_cast<double>(first.size()) *
                                        static_cast<double>(lines) * 1.1) +
                    64;
        expected_ = std::min(expected_, static_cast<size_t>(st.st_size) / kMinLine + 64);
    } else {
        expected_ = 2 * lines;  // a stream: no size to go by
    }
}

void RuleLines::readMore() {
    if (filled_ == capacity_) {  // a line longer than the buffer
        auto larger = std::make_unique<char[]>(2 * capacity_);
        std::memcpy(larger.get(), buffer_.get(), filled_);
        buffer_ = std::move(larger);
        capacity_ *= 2;
    }
    while (true) {
        const ssize_t n = ::read(fd_, buffer_.get() + filled_, capacity_ - filled_);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw LabelError(path_ + ": read error: " + std::strerror(errno));
        if (n == 0)
            eof_ = true;
        filled_ += static_cast<size_t>(n);
        return;
    }
}

bool RuleLines::refill() {
    if (fd_ < 0)
        return false;
    // What follows the lines handed out (a line's start, no newline in it)
    // to the buffer's start.
    const size_t rest = filled_ - taken_;
    std::memmove(buffer_.get(), buffer_.get() + taken_, rest);
    searched_ = searched_ > taken_ ? searched_ - taken_ : 0;
    filled_ = rest;
    taken_ = 0;
    pos_ = 0;
    text_ = {};
    while (true) {
        // Only what was not searched yet: the line carried over, when it
        // is long, would be searched again after each read.
        if (const void *nl = ::memrchr(buffer_.get() + searched_, '\n', filled_ - searched_)) {
            taken_ = static_cast<size_t>(static_cast<const char *>(nl) - buffer_.get()) + 1;
            searched_ = filled_;  // what follows the last newline has none
            text_ = std::string_view(buffer_.get(), taken_);
            return true;
        }
        searched_ = filled_;
        if (eof_) {  // the last line, without a newline
            taken_ = filled_;
            text_ = std::string_view(buffer_.get(), filled_);
            return filled_ > 0;
        }
        readMore();
    }
}

size_t RuleLines::expectedLines() const {
    return fd_ < 0 ? lineCount() : expected_;
}

std::optional<LabelFormat> parseLabelFormat(std::string_view text) {
    if (text == "cic-ids")
        return LabelFormat::CicIds;
    if (text == "unsw-nb15")
        return LabelFormat::UnswNb15;
    return std::nullopt;
}

namespace {

// The lines of a rules file parsed. A capture given for the rules (its
// place and -f's swapped) is one line that says so, by its first bytes,
// not a parse error quoting them.
LabelRuleSet parseLines(RuleLines &lines, const std::string &path, LabelFormat format,
                        int32_t tz_offset_s) {
    if (const std::string_view head = lines.head(); head.size() >= 4) {
        if (const char *capture = captureFormatOf(reinterpret_cast<const uint8_t *>(head.data())))
            throw LabelError(path + ": a packet capture, not rules (" + capture +
                             "): --labels reads a CSV of rules, -f the capture");
    }
    return format == LabelFormat::UnswNb15 ? parseUnswGroundTruth(lines, path)
                                           : parseRulesCsv(lines, path, tz_offset_s);
}

}  // namespace

LabelRuleSet loadLabelRules(const std::string &path, LabelFormat format, int32_t tz_offset_s) {
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd)
        throw LabelError(path + ": cannot open: " + std::strerror(errno));
    // Read, not mapped (a file mapped and cut short while it is parsed,
    // rewritten in place, would kill the process with SIGBUS), a part at
    // a time.
    RuleLines lines(fd.get(), path);
    return parseLines(lines, path, format, tz_offset_s);
}

LabelRuleSet parseLabelRules(std::istream &in, const std::string &path, LabelFormat format,
                             int32_t tz_offset_s) {
    std::ostringstream text;
    text << in.rdbuf();
    const std::string all = text.str();
    RuleLines lines(all);
    return parseLines(lines, path, format, tz_offset_s);
}

LabelRuleSet parseRulesCsv(RuleLines &in, const std::string &path, int32_t tz_offset_s) {
    LabelRuleSet set;
    set.path = path;
    set.rules.reserve(in.expectedLines());
    NameNumbers names(set.names);
    std::string_view line;
    size_t line_no = 0;
    auto fail = [&](size_t column, const std::string &message) {
        throwLabelError(path, line_no, column, message);
    };
    CsvSplit split_line;
    auto split = [&]() -> const std::vector<CsvField> & {
        splitCsvLine(line, split_line);
        if (split_line.bad_column)
            fail(*split_line.bad_column, "unbalanced quote");
        return split_line.fields;
    };

    // The header: which column holds which field.
    std::vector<int> order;
    while (in.next(line, &line_no)) {
        if (skippable(line))
            continue;
        for (const CsvField &f : split()) {
            std::string name = toLower(f.text);
            auto it = std::find(kFieldNames.begin(), kFieldNames.end(), name);
            if (it == kFieldNames.end())
                fail(f.column, "unknown column " + quotedText(f.text) +
                                   " (attack,src,dst,sport,dport,proto,start,end,options)");
            int field = static_cast<int>(it - kFieldNames.begin());
            if (std::find(order.begin(), order.end(), field) != order.end())
                fail(f.column, "column " + quotedText(f.text) + " appears twice");
            order.push_back(field);
        }
        if (std::find(order.begin(), order.end(), kAttack) == order.end())
            fail(1, "the header has no 'attack' column");
        break;
    }
    if (order.empty())
        throwLabelError(path, line_no + 1, 1,
                        "no header line (attack,src,dst,sport,dport,proto,start,end)");
    // A 9th column options may follow a header without it.
    if (std::find(order.begin(), order.end(), kOptions) == order.end())
        order.push_back(kOptions);
    // The fields the header does not name: always missing.
    std::vector<int> absent;
    for (int f = 0; f < kNames; f++) {
        if (std::find(order.begin(), order.end(), f) == order.end())
            absent.push_back(f);
    }

    uint32_t commas[kFieldCount];
    size_t found = 0;
    bool has_quotes = false;
    while (in.next(line, &line_no, commas, order.size() + 1, &found, &has_quotes)) {
        if (skippable(line))
            continue;
        // The fields by name; a missing one is empty, at the line's end.
        std::array<FieldView, kFieldCount> field_of;
        size_t count = 0;
        if (!has_quotes) {
            count = splitPlain(line, order, commas, found, field_of);
        } else {
            const std::vector<CsvField> &fields = split();
            count = fields.size();
            for (size_t i = 0; i < fields.size() && i < order.size(); i++)
                field_of[order[i]] = FieldView{fields[i].text, fields[i].column};
            if (count > order.size())
                field_of[kExtra] = FieldView{{}, fields[order.size()].column};
        }
        const FieldView missing{std::string_view(), line.size() + 1};
        for (size_t k = count; k < order.size(); k++)
            field_of[order[k]] = missing;
        for (int f : absent)
            field_of[f] = missing;
        if (count > order.size())
            fail(field_of[kExtra].column,
                 "more fields than the header names (" + std::to_string(order.size()) + ")");
        auto by_name = [&](int f) -> const FieldView & { return field_of[f]; };

        // Made in place (built on the stack and copied, its fields' small
        // stores were loaded back as 16-byte words: a failed store
        // forwarding each).
        LabelRule &rule = set.rules.emplace_back();
        std::string error;
        const FieldView &attack = by_name(kAttack);
        if (attack.text.empty())
            fail(attack.column, "the attack name is empty");
        if (std::any_of(attack.text.begin(), attack.text.end(),
                        [](unsigned char c) { return c < 0x20 || c == 0x7f; }))
            fail(attack.column, "the attack name holds a control character");
        rule.name = names.number(attack.text);
        auto address = [&](Field f, AddressPrefix *out) {
            if (!parseAddressPrefix(by_name(f).text, out, &error))
                fail(by_name(f).column, error);
        };
        address(kSrc, &rule.src);
        address(kDst, &rule.dst);
        if (!rule.src.any() && !rule.dst.any() && rule.src.family != rule.dst.family)
            fail(by_name(kDst).column, "src and dst are of different IP versions");
        auto ports = [&](Field f, PortRange *out) {
            if (!parsePortRange(by_name(f).text, out, &error))
                fail(by_name(f).column, error);
        };
        ports(kSport, &rule.sport);
        ports(kDport, &rule.dport);
        int proto = -1;
        if (!parseProtocol(by_name(kProto).text, &proto, &error))
            fail(by_name(kProto).column, error);
        rule.proto = static_cast<int16_t>(proto);
        if (!by_name(kStart).text.empty()) {
            auto t = parseLabelTime(by_name(kStart).text, tz_offset_s, &error);
            if (!t)
                fail(by_name(kStart).column, error);
            rule.start_us = t->first_us;
        }
        if (!by_name(kEnd).text.empty()) {
            auto t = parseLabelTime(by_name(kEnd).text, tz_offset_s, &error);
            if (!t)
                fail(by_name(kEnd).column, error);
            rule.end_us = t->last_us;
        }
        if (rule.end_us < rule.start_us)
            fail(by_name(kEnd).column, "end is before start");
        applyOptions(by_name(kOptions), rule, path, line_no);
        rule.line = ruleLine(line_no);
    }
    return set;
}

}  // namespace netflow
