// One column's value of one flow, typed so that each sink can print it its
// own way (CSV text, JSON number or string).
#pragma once

#include <cstdint>
#include <string>

namespace netflow {

struct FeatureValue {
    enum class Kind : uint8_t { Integer, Real, Text };
    Kind kind = Kind::Integer;
    uint64_t integer = 0;
    double real = 0;
    std::string text;  // reused between calls: no allocation once warm

    void setInteger(uint64_t v) {
        kind = Kind::Integer;
        integer = v;
    }
    void setReal(double v) {
        kind = Kind::Real;
        real = v;
    }
    std::string &setText() {
        kind = Kind::Text;
        text.clear();
        return text;
    }
};

// docs/spec/FEATURES.md: floats rounded to 3 decimals, trailing zeros dropped, at
// least one decimal kept ("1476.0", "12.345").
void appendReal(std::string &out, double value);

}  // namespace netflow
