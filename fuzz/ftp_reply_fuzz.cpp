// The FTP reply tracker on any server byte stream, cut into packets where
// the input says: the code must not depend on where the stream is cut.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "app/FtpReplyTracker.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    const size_t chunk = 1 + data[0] % 16;  // packet size for the cut stream
    const std::span<const uint8_t> stream(data + 1, size - 1);

    netflow::FtpReplyTracker whole;
    whole.feedServerBytes(stream);

    netflow::FtpReplyTracker cut;
    for (size_t at = 0; at < stream.size(); at += chunk)
        cut.feedServerBytes(stream.subspan(at, std::min(chunk, stream.size() - at)));

    if (whole.lastCode() != cut.lastCode() || whole.lastCode() > 999)
        std::abort();
    return 0;
}
