#include "export/MessageEncoder.h"

#include <bit>
#include <cmath>
#include <cstring>

namespace netflow {
namespace {

constexpr uint16_t kIpfixTemplateSet = 2;
constexpr uint16_t kIpfixOptionsTemplateSet = 3;
constexpr uint16_t kV9TemplateSet = 0;
constexpr uint16_t kV9OptionsTemplateSet = 1;
constexpr uint16_t kVariableLength = 65535;
constexpr uint16_t kV9ScopeSystem = 1;
constexpr size_t kMaxMessage = 65535;
// A string's bytes at most, so that a record (the other columns take less
// than 1 KiB) always fits a message.
constexpr size_t kMaxString = 16384;

void put16(std::vector<uint8_t> &out, uint16_t v) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
}
void put32(std::vector<uint8_t> &out, uint32_t v) {
    put16(out, static_cast<uint16_t>(v >> 16));
    put16(out, static_cast<uint16_t>(v));
}
void store16(uint8_t *p, uint16_t v) {
    p[0] = static_cast<uint8_t>(v >> 8);
    p[1] = static_cast<uint8_t>(v);
}
void store32(uint8_t *p, uint32_t v) {
    store16(p, static_cast<uint16_t>(v >> 16));
    store16(p + 2, static_cast<uint16_t>(v));
}

// Big-endian, `length` bytes at p; saturated at the largest value that fits.
uint8_t *putUnsigned(uint8_t *p, uint64_t v, uint16_t length) {
    if (length < 8 && v >> (8 * length))
        v = (uint64_t{1} << (8 * length)) - 1;
    switch (length) {
        case 1:
            *p = static_cast<uint8_t>(v);
            return p + 1;
        case 2:
            store16(p, static_cast<uint16_t>(v));
            return p + 2;
        case 4:
            store32(p, static_cast<uint32_t>(v));
            return p + 4;
        case 8:
            store32(p, static_cast<uint32_t>(v >> 32));
            store32(p + 4, static_cast<uint32_t>(v));
            return p + 8;
        default:
            for (int i = length - 1; i >= 0; i--)
                *p++ = static_cast<uint8_t>(v >> (8 * i));
            return p;
    }
}

}  // namespace

MessageEncoder::MessageEncoder(WireFormat format, const std::vector<SelectedColumn> &columns,
                               const FlowFeatures &features, uint32_t observation_domain,
                               uint32_t mtu)
    : format_(format),
      features_(features),
      domain_(observation_domain),
      mtu_(std::min<size_t>(mtu, kMaxMessage)),
      message_(kMaxMessage),
      record_(kMaxMessage) {
    std::vector<std::pair<Column, ExportField>> v4, v6;
    for (const SelectedColumn &c : columns) {
        auto f4 = exportField(c.column, 4);
        auto f6 = exportField(c.column, 6);
        if (f4 && f6) {
            v4.emplace_back(c.column, *f4);
            v6.emplace_back(c.column, *f6);
        }
    }
    compile(plans_[0], v4, kTemplateIpv4);
    compile(plans_[1], v6, kTemplateIpv6);
    optionsTemplateRecord(options_template_);
    used_ = headerSize();
}

void MessageEncoder::compile(Plan &plan, const std::vector<std::pair<Column, ExportField>> &fields,
                             uint16_t template_id) const {
    std::vector<uint8_t> &out = plan.template_record;
    put16(out, template_id);
    put16(out, static_cast<uint16_t>(fields.size()));
    for (const auto &[column, f] : fields) {
        if (format_ == WireFormat::Ipfix) {
            put16(out, f.enterprise ? static_cast<uint16_t>(0x8000 | f.id) : f.id);
            put16(out, f.type == FieldType::String ? kVariableLength : f.length);
            if (f.enterprise)
                put32(out, kNtopPen);
        } else {
            put16(out, f.v9Id());
            put16(out, f.length);
        }
        Op op = Op::Unsigned;
        switch (f.type) {
            case FieldType::Unsigned:
                op = Op::Unsigned;
                break;
            case FieldType::L7Proto:
                op = Op::L7Id;
                break;
            case FieldType::Float64:
                op = Op::Float64;
                break;
            case FieldType::Address:
                op = column == Column::IPV4_SRC_ADDR ? Op::SrcAddress : Op::DstAddress;
                break;
            case FieldType::String:
                op = Op::String;
                break;
        }
        Step step{op, f.length, column, {}};
        if (op == Op::Unsigned) {
            if (auto where = FlowFeatures::fieldLocation(column)) {
                step.op = Op::Load;
                step.where = *where;
            }
        }
        plan.steps.push_back(step);
    }
}

void MessageEncoder::closeSet() {
    if (!set_open_)
        return;
    if (format_ == WireFormat::Netflow9) {
        while ((used_ - set_start_) % 4)
            message_[used_++] = 0;
    }
    store16(&message_[set_start_ + 2], static_cast<uint16_t>(used_ - set_start_));
    set_open_ = false;
}

bool MessageEncoder::appendRecord(uint16_t set_id, const uint8_t *data, size_t n, bool data_record,
                                  bool force) {
    const bool new_set = !set_open_ || set_id_ != set_id;
    const size_t padding = format_ == WireFormat::Netflow9 ? 3 : 0;
    const size_t need = n + (new_set ? 4 : 0) + padding;
    if (!force && !empty() && used_ + need > mtu_)
        return false;
    if (used_ + need > kMaxMessage)
        return false;  // larger than any message: cannot happen with our records
    if (new_set) {
        closeSet();
        set_start_ = used_;
        store16(&message_[used_], set_id);
        used_ += 4;
        set_id_ = set_id;
        set_open_ = true;
    }
    std::memcpy(&message_[used_], data, n);
    used_ += n;
    records_++;
    if (data_record)
        data_records_++;
    return true;
}

void MessageEncoder::optionsTemplateRecord(std::vector<uint8_t> &out) const {
    const ExportField id = *exportField(Column::L7_PROTO, 4);
    const ExportField name = *exportField(Column::L7_PROTO_NAME, 4);
    put16(out, kTemplateL7Names);
    if (format_ == WireFormat::Ipfix) {
        put16(out, 2);  // fields
        put16(out, 1);  // scope fields: the L7_PROTO id
        put16(out, static_cast<uint16_t>(0x8000 | id.id));
        put16(out, id.length);
        put32(out, kNtopPen);
        put16(out, static_cast<uint16_t>(0x8000 | name.id));
        put16(out, kVariableLength);
        put32(out, kNtopPen);
        return;
    }
    // v9: scope System (the exporter), then the id and its name as options.
    put16(out, 4);  // scope length, bytes
    put16(out, 8);  // options length, bytes
    put16(out, kV9ScopeSystem);
    put16(out, 4);
    put16(out, id.v9Id());
    put16(out, id.length);
    put16(out, name.v9Id());
    put16(out, static_cast<uint16_t>(kL7NameLengthV9));
}

bool MessageEncoder::appendTemplates() {
    const bool ipfix = format_ == WireFormat::Ipfix;
    const uint16_t set = ipfix ? kIpfixTemplateSet : kV9TemplateSet;
    const uint16_t options_set = ipfix ? kIpfixOptionsTemplateSet : kV9OptionsTemplateSet;
    const std::vector<uint8_t> &v4 = plans_[0].template_record;
    const std::vector<uint8_t> &v6 = plans_[1].template_record;
    // All three or none: a collector then never sees data before its template.
    const size_t need = v4.size() + v6.size() + options_template_.size() + 2 * (4 + 3);
    if (!empty() && used_ + need > mtu_)
        return false;
    appendRecord(set, v4.data(), v4.size(), false, true);
    appendRecord(set, v6.data(), v6.size(), false, true);
    appendRecord(options_set, options_template_.data(), options_template_.size(), false, true);
    return true;
}

uint8_t *MessageEncoder::putString(uint8_t *p, const std::string &text, size_t v9_length) const {
    if (format_ == WireFormat::Netflow9) {
        const size_t n = std::min(text.size(), v9_length);
        std::memcpy(p, text.data(), n);
        std::memset(p + n, 0, v9_length - n);
        return p + v9_length;
    }
    // At most what an empty message holds with the rest of the record.
    const size_t n = std::min<size_t>(text.size(), kMaxString);
    if (n < 255) {
        *p++ = static_cast<uint8_t>(n);
    } else {
        *p++ = 255;
        store16(p, static_cast<uint16_t>(n));
        p += 2;
    }
    std::memcpy(p, text.data(), n);
    return p + n;
}

bool MessageEncoder::appendFlow(const FlowRecord &flow) {
    const bool v6 = flow.key.ip_version == 6;
    uint8_t *p = record_.data();
    features_.beginRow(flow);
    for (const Step &s : plans_[v6].steps) {
        switch (s.op) {
            case Op::Load:
                p = putUnsigned(p, FlowFeatures::plainValue(flow, s.where), s.length);
                break;
            case Op::SrcAddress:
            case Op::DstAddress:
                features_.addressBytes(s.op == Op::SrcAddress, flow, p);
                p += s.length;
                break;
            case Op::L7Id: {
                // The CSV's "M.A" or "P.0": the most specific id, A when known.
                const L7Protocol &l7 = flow.cls.l7;
                p = putUnsigned(p, l7.app ? l7.app : l7.master, s.length);
                break;
            }
            case Op::Unsigned:
                features_.compute(s.column, flow, value_);
                p = putUnsigned(p, value_.integer, s.length);
                break;
            case Op::Float64: {
                features_.compute(s.column, flow, value_);
                const double v = std::round(value_.real * 1000.0) / 1000.0;
                p = putUnsigned(p, std::bit_cast<uint64_t>(v), 8);
                break;
            }
            case Op::String:
                features_.compute(s.column, flow, value_);
                p = putString(p, value_.text, s.length);
                break;
        }
    }
    if (!appendRecord(v6 ? kTemplateIpv6 : kTemplateIpv4, record_.data(),
                      static_cast<size_t>(p - record_.data()), true))
        return false;
    flows_++;
    return true;
}

bool MessageEncoder::appendL7Name(uint16_t id, const std::string &name) {
    uint8_t *p = record_.data();
    if (format_ == WireFormat::Netflow9) {
        store32(p, domain_);
        p += 4;
    }
    store16(p, id);
    p = putString(p + 2, name, kL7NameLengthV9);
    return appendRecord(kTemplateL7Names, record_.data(), static_cast<size_t>(p - record_.data()),
                        true);
}

std::span<const uint8_t> MessageEncoder::take(uint32_t export_time_s, uint32_t uptime_ms) {
    closeSet();
    uint8_t *h = message_.data();
    if (format_ == WireFormat::Ipfix) {
        store16(h, 10);
        store16(h + 2, static_cast<uint16_t>(used_));
        store32(h + 4, export_time_s);
        store32(h + 8, sequence_);
        store32(h + 12, domain_);
        sequence_ += data_records_;
    } else {
        store16(h, 9);
        store16(h + 2, static_cast<uint16_t>(records_));
        store32(h + 4, uptime_ms);
        store32(h + 8, export_time_s);
        store32(h + 12, sequence_);
        store32(h + 16, domain_);
        sequence_++;
    }
    std::span<const uint8_t> out(message_.data(), used_);
    used_ = headerSize();
    records_ = data_records_ = flows_ = 0;
    return out;
}

}  // namespace netflow
