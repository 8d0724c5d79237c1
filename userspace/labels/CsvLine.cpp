#include "labels/CsvLine.h"

#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace netflow {
namespace {

bool isBlank(char c) {
    return c == ' ' || c == '\t';
}

}  // namespace

void splitCsvLine(std::string_view line, CsvSplit &out) {
    out.bad_column.reset();
    size_t count = 0;
    bool owned = false;  // a field views its unquoted_ (fixed up at the end)
    // The next field, reusing what the vector holds.
    auto next = [&]() -> CsvField & {
        if (count == out.fields.size())
            out.fields.emplace_back();
        CsvField &f = out.fields[count++];
        f.text = {};
        f.owned_ = false;
        return f;
    };
    auto done = [&] {
        out.fields.resize(count);
        if (owned) {  // the vector may have moved the strings since
            for (CsvField &f : out.fields) {
                if (f.owned_)
                    f.text = f.unquoted_;
            }
        }
    };
    const char *const s = line.data();
    const size_t n = line.size();
    size_t i = 0;
    while (true) {
        size_t start = i;
        while (i < n && isBlank(s[i]))
            i++;
        CsvField &field = next();
        field.column = i + 1;
        if (i < n && s[i] == '"') {
            size_t quote = i++;
            bool closed = false, doubled = false;
            const size_t body = i;
            while (i < n) {
                if (s[i] == '"') {
                    if (i + 1 < n && s[i + 1] == '"') {
                        doubled = true;
                        i += 2;
                        continue;
                    }
                    closed = true;
                    break;
                }
                i++;
            }
            if (!closed) {
                out.bad_column = quote + 1;
                done();
                return;
            }
            if (doubled) {
                field.unquoted_.clear();
                for (size_t k = body; k < i; k++) {
                    field.unquoted_ += s[k];
                    if (s[k] == '"')
                        k++;
                }
                field.owned_ = owned = true;  // text points at unquoted_ in done()
            } else {
                field.text = line.substr(body, i - body);
            }
            i++;  // the closing quote
            while (i < n && isBlank(s[i]))
                i++;
            if (i < n && s[i] != ',') {
                out.bad_column = i + 1;
                done();
                return;
            }
        } else {
            const void *comma = i < n ? std::memchr(s + i, ',', n - i) : nullptr;
            size_t end = comma ? static_cast<size_t>(static_cast<const char *>(comma) - s) : n;
            size_t last = end;
            while (last > i && isBlank(s[last - 1]))
                last--;
            field.text = line.substr(i, last - i);
            if (field.text.empty())
                field.column = start + 1;
            i = end;
        }
        if (i >= n) {
            done();
            return;
        }
        i++;  // the comma
    }
}

size_t findCommas(std::string_view line, uint32_t *at, size_t max, bool *quoted) {
    const char *const s = line.data();
    const size_t n = line.size();
    size_t count = 0, i = 0;
    bool quote = false;
#if defined(__SSE2__)
    // Sixteen bytes a step: a mask of the commas and one of the quotes.
    const __m128i commas = _mm_set1_epi8(','), quotes = _mm_set1_epi8('"');
    auto block = [&](const char *p, size_t at_offset) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
        auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, commas)));
        quote |= _mm_movemask_epi8(_mm_cmpeq_epi8(v, quotes)) != 0;
        for (; mask && count < max; mask &= mask - 1)
            at[count++] =
                static_cast<uint32_t>(at_offset + static_cast<size_t>(std::countr_zero(mask)));
    };
    for (; i + 16 <= n; i += 16)
        block(s + i, i);
    if (i < n) {  // the rest, from a copy (no read past the line)
        char rest[16] = {};
        std::memcpy(rest, s + i, n - i);
        block(rest, i);
    }
#else
    for (; i < n; i++) {
        if (s[i] == ',' && count < max)
            at[count++] = static_cast<uint32_t>(i);
        quote |= s[i] == '"';
    }
#endif
    *quoted = quote;
    return count;
}

}  // namespace netflow
