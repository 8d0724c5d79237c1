#include "app/FtpReplyTracker.h"

namespace netflow {

void FtpReplyTracker::feedServerBytes(std::span<const uint8_t> bytes) {
    for (const uint8_t c : bytes) {
        if (c == '\n') {
            // Only a line terminated by LF is complete; a CR before it is part of the line but
            // lies past the first 4 characters of any final reply, so CRLF needs no special case.
            if (state_ == kFinalReply) {
                last_code_ = line_code_;
            }
            state_ = 0;
            line_code_ = 0;
            continue;
        }
        if (state_ < kAwaitSpace) {
            if (c >= '0' && c <= '9') {
                line_code_ = static_cast<uint16_t>(line_code_ * 10 + (c - '0'));
                ++state_;
            } else {
                state_ = kOtherLine;
            }
        } else if (state_ == kAwaitSpace) {
            // "230-" (a multi-line reply's opening line) lands here and is not a final reply.
            state_ = c == ' ' ? kFinalReply : kOtherLine;
        }
        // kFinalReply / kOtherLine: the rest of the line cannot change the decision.
    }
}

}  // namespace netflow
