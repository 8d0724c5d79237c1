#include "common/CaptureMagic.h"

#include <initializer_list>

namespace netflow {

const char *captureFormatOf(const uint8_t first[4]) {
    uint32_t le = 0, be = 0;
    for (int i = 0; i < 4; i++) {
        le |= static_cast<uint32_t>(first[i]) << (8 * i);
        be = (be << 8) | first[i];
    }
    for (uint32_t magic : {0xA1B2C3D4u, 0xA1B23C4Du, 0xA1B2CD34u}) {  // micro, nano, modified
        if (le == magic || be == magic)
            return "pcap";
    }
    return be == 0x0A0D0D0Au ? "pcapng" : nullptr;  // pcapng section header block
}

}  // namespace netflow
