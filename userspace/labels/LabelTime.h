// The times of a rule: ISO-8601 (2017-07-05T09:26:00-03:00, a space for the
// T, Z or an offset +HH:MM / +HHMM / +HH, an optional fraction, or a date
// alone) or epoch seconds (1421927414, 1421927414.5). A time names the whole
// unit it is written to: 09:26 is the minute [09:26:00, 09:26:59.999999],
// 09:26:00 the second, 09:26:00.5 the tenth of a second, a date the day.
// A start uses the first microsecond of that span, an end the last one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace netflow {

struct TimeSpan {
    int64_t first_us;
    int64_t last_us;
};

// default_offset_s: the UTC offset of times written without one
// (--labels-tz). On failure returns nullopt and says why in *error.
std::optional<TimeSpan> parseLabelTime(std::string_view text, int32_t default_offset_s,
                                       std::string *error);

// Whole epoch seconds of 1 to 11 digits (every time of a UNSW-NB15 table),
// the span of that second: the reader's shortcut. False for anything else,
// which parseLabelTime reads (or says why it cannot).
bool wholeEpochSeconds(std::string_view text, TimeSpan *span);

// --labels-tz: "+HH:MM", "-HH:MM", "+HHMM", "+HH", "Z" or "UTC"; in seconds.
std::optional<int32_t> parseUtcOffset(std::string_view text);

}  // namespace netflow
