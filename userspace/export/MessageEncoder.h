// Builds IPFIX (RFC 7011) and NetFlow v9 (RFC 3954) messages: the header,
// the two flow templates (IPv4 and IPv6 flows: the selected columns as
// FieldTable.h numbers them), the options template that maps each L7_PROTO
// id to its name, and the data records, every column of a flow in one
// record. Messages stay within the MTU given (a single record larger than
// that goes alone in its message). No I/O: the sink sends what it takes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "export/FieldTable.h"
#include "features/FeatureValue.h"
#include "features/FlowFeatures.h"
#include "flow/FlowRecord.h"

namespace netflow {

enum class WireFormat { Ipfix, Netflow9 };

class MessageEncoder {
  public:
    static constexpr uint16_t kTemplateIpv4 = 256;
    static constexpr uint16_t kTemplateIpv6 = 257;
    static constexpr uint16_t kTemplateL7Names = 258;
    static constexpr size_t kL7NameLengthV9 = 32;

    MessageEncoder(WireFormat format, const std::vector<SelectedColumn> &columns,
                   const FlowFeatures &features, uint32_t observation_domain, uint32_t mtu);

    // Each appends to the current message; false when it does not fit (take()
    // the message, then append again: an empty message takes anything).
    bool appendTemplates();  // the IPv4, IPv6 and options templates
    bool appendFlow(const FlowRecord &flow);
    bool appendL7Name(uint16_t id, const std::string &name);  // an options data record

    bool empty() const { return records_ == 0; }
    size_t size() const { return used_; }
    uint32_t flowsInMessage() const { return flows_; }

    // Completes the current message (header: length or count, export time,
    // sequence number) and starts the next one. The span is valid until the
    // next append.
    std::span<const uint8_t> take(uint32_t export_time_s, uint32_t uptime_ms);

    WireFormat format() const { return format_; }
    size_t headerSize() const { return format_ == WireFormat::Ipfix ? 16 : 20; }

  private:
    // A template's record layout compiled once: for each field, how its
    // value is taken from the flow and how many bytes it takes.
    enum class Op : uint8_t {
        SrcAddress,  // 4 or 16 bytes, straight from the key
        DstAddress,
        L7Id,      // nDPI's app id when known, else the master's
        Load,      // a plain field of the record (FlowFeatures::fieldLocation)
        Unsigned,  // FlowFeatures' integer, big-endian, saturated
        Float64,   // FlowFeatures' real, rounded to 3 decimals as the CSV
        String,    // FlowFeatures' text
    };
    struct Step {
        Op op;
        uint16_t length;  // bytes (strings: the v9 fixed length)
        Column column;
        FieldLocation where;  // Load
    };
    struct Plan {
        std::vector<Step> steps;
        std::vector<uint8_t> template_record;
    };

    bool appendRecord(uint16_t set_id, const uint8_t *data, size_t n, bool data_record,
                      bool force = false);
    void closeSet();
    void compile(Plan &plan, const std::vector<std::pair<Column, ExportField>> &fields,
                 uint16_t template_id) const;
    void optionsTemplateRecord(std::vector<uint8_t> &out) const;
    uint8_t *putString(uint8_t *p, const std::string &text, size_t v9_length) const;

    WireFormat format_;
    const FlowFeatures &features_;
    uint32_t domain_;
    size_t mtu_;
    Plan plans_[2];  // IPv4, IPv6 flows
    std::vector<uint8_t> options_template_;
    std::vector<uint8_t> message_;
    size_t used_ = 0;
    size_t set_start_ = 0;
    uint16_t set_id_ = 0;  // 0 (IPFIX) / none open
    bool set_open_ = false;
    uint32_t records_ = 0;       // in the current message, every kind (v9 count)
    uint32_t data_records_ = 0;  // in the current message
    uint32_t flows_ = 0;
    uint32_t sequence_ = 0;        // IPFIX: data records before this message; v9: messages
    std::vector<uint8_t> record_;  // the record being encoded
    FeatureValue value_;
};

}  // namespace netflow
