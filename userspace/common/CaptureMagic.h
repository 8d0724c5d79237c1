// What a file's first four bytes say it is, for the layers that read
// captures (capture/: a directory's files) and those that must not be
// given one (labels/: a capture named for the rules file).
#pragma once

#include <cstdint>

namespace netflow {

// A pcap (any byte order, micro- or nanosecond, modified) or pcapng file,
// by its first four bytes: "pcap", "pcapng", or null (neither).
const char *captureFormatOf(const uint8_t first[4]);

}  // namespace netflow
