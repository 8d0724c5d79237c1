#pragma once

#include <cstdint>
#include <span>

namespace netflow {

// FTP_COMMAND_RET_CODE: the server's packets (source port 21) joined in capture order, split at
// LF; of the complete lines that start with 3 digits and a space (a final reply), the last one's
// code; 0 if none. Lines may span packets. Only the first 4 characters of a line decide, so the
// state is a few bytes and nothing is buffered: one tracker lives in every port-21 flow.
class FtpReplyTracker {
  public:
    void feedServerBytes(std::span<const uint8_t> bytes);
    uint16_t lastCode() const { return last_code_; }

  private:
    // 0..2: that many leading digits seen; kAwaitSpace: three digits seen.
    enum State : uint8_t { kAwaitSpace = 3, kFinalReply, kOtherLine };

    uint16_t last_code_ = 0;
    uint16_t line_code_ = 0;  // the digits of the current line so far
    uint8_t state_ = 0;
};

}  // namespace netflow
