// The Information Elements each column is exported as (docs/export.md):
// IANA's where one exists, else nProbe's (IPFIX enterprise 35632; NetFlow
// v9 id = 57472 + that id).
#pragma once

#include <cstdint>
#include <optional>

#include "features/Columns.h"

namespace netflow {

inline constexpr uint32_t kNtopPen = 35632;
inline constexpr uint16_t kNtopV9Base = 57472;

enum class FieldType : uint8_t {
    Unsigned,  // big-endian, `length` bytes (saturated when the value is larger)
    Address,   // IPv4 (4 bytes) or IPv6 (16 bytes)
    Float64,   // IEEE 754 double, big-endian
    L7Proto,   // unsigned, 2 bytes: nDPI's app id when known, else the master's
    String,    // IPFIX: variable length; NetFlow v9: `length` bytes, NUL-padded
};

struct ExportField {
    uint16_t id;      // IANA element id, or nProbe's IPFIX id when enterprise
    bool enterprise;  // nProbe's (PEN 35632)
    uint16_t length;  // bytes on the wire (strings: the v9 fixed length)
    FieldType type;

    uint16_t v9Id() const { return enterprise ? static_cast<uint16_t>(kNtopV9Base + id) : id; }
};

// The element of a column in a record of an IPv4 or IPv6 flow; nullopt for
// the columns no collector has an element for (Label, Attack).
std::optional<ExportField> exportField(Column column, int ip_version);

}  // namespace netflow
