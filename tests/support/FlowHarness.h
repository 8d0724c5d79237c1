// Drives the real pipeline on hand-built frames: PacketDecoder (Ethernet,
// default filter unless a BpfFilter is given) -> FlowMeter -> an exporter
// that renders every column of each exported flow with FlowFeatures into a
// map from column name to the text the CSV writer would print.
#pragma once

#include <pcap/dlt.h>
#include <pcap/pcap.h>

#include <charconv>
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "PacketBuilder.h"
#include "capture/PacketDecoder.h"
#include "dpi/FlowClassifier.h"
#include "features/FlowFeatures.h"
#include "flow/FlowMeter.h"
#include "features/Columns.h"

namespace netflow {
// Readable gtest messages for decoder outcomes.
inline void PrintTo(PacketDecoder::Outcome o, std::ostream *os) {
    static constexpr const char *kNames[] = {"Packet", "FilteredOut", "NotIp", "Truncated",
                                             "Malformed"};
    *os << kNames[static_cast<int>(o)];
}
}  // namespace netflow

namespace nftest {

// 2023-11-14T22:13:20Z in microseconds: a round base for capture times.
inline constexpr uint64_t kT0 = 1'700'000'000'000'000ULL;
inline constexpr uint64_t kMs = 1'000ULL;
inline constexpr uint64_t kSec = 1'000'000ULL;

// nDPI's module takes ~30 ms to initialise: one for the whole test binary.
// Flows keep their own state, so tests do not interfere through it.
inline netflow::FlowClassifier &sharedClassifier() {
    static netflow::FlowClassifier classifier(/*keep_server_name=*/true);
    return classifier;
}

// Column name -> value as text (integers in decimal, reals as the CSV
// writer prints them, text as is).
using Row = std::map<std::string, std::string>;

inline std::string renderValue(const netflow::FeatureValue &v) {
    switch (v.kind) {
        case netflow::FeatureValue::Kind::Integer: {
            char buf[24];
            auto res = std::to_chars(buf, buf + sizeof(buf), v.integer);
            return std::string(buf, res.ptr);
        }
        case netflow::FeatureValue::Kind::Real: {
            std::string out;
            netflow::appendReal(out, v.real);
            return out;
        }
        case netflow::FeatureValue::Kind::Text:
            return v.text;
    }
    return {};
}

inline Row renderRow(const netflow::FlowFeatures &features, const netflow::FlowRecord &flow) {
    Row row;
    netflow::FeatureValue value;
    for (size_t i = 0; i < netflow::kColumnCount; i++) {
        auto column = static_cast<netflow::Column>(i);
        features.compute(column, flow, value);
        row[std::string(netflow::columnName(column))] = renderValue(value);
    }
    return row;
}

class CapturingExporter : public netflow::FlowExporter {
  public:
    explicit CapturingExporter(const netflow::FlowFeatures &features) : features_(features) {}
    void exportFlow(const netflow::FlowRecord &flow) override {
        rows.push_back(renderRow(features_, flow));
        states.push_back(flow.state);
        keys.push_back(flow.key);
    }

    std::vector<Row> rows;
    std::vector<nf_flow_state> states;
    std::vector<nf_flow_key> keys;

  private:
    const netflow::FlowFeatures &features_;
};

inline pcap_pkthdr pcapHeader(const Frame &frame, uint64_t time_us = kT0) {
    pcap_pkthdr h{};
    h.ts.tv_sec = static_cast<time_t>(time_us / kSec);
    h.ts.tv_usec = static_cast<suseconds_t>(time_us % kSec);
    h.caplen = frame.caplen;
    h.len = frame.wireLen();
    return h;
}

struct Decoded {
    netflow::PacketDecoder::Outcome outcome;
    nf_packet pkt{};
    std::span<const uint8_t> l3;
};

// The frame through PacketDecoder (default filter unless `filter`).
inline Decoded decode(const Frame &frame, const netflow::BpfFilter *filter = nullptr,
                      int dlt = DLT_EN10MB) {
    netflow::PacketDecoder decoder(dlt, filter);
    Decoded d;
    pcap_pkthdr h = pcapHeader(frame);
    d.outcome = decoder.decode(h, frame.data(), d.pkt, d.l3);
    return d;
}

// FlowMeter with the shared classifier and a capturing exporter.
class MeterHarness {
  public:
    // user_filter: a --filter expression (libpcap semantics on the frame);
    // null for the default filter. "" accepts every frame, e.g. for IPv6.
    explicit MeterHarness(netflow::MeterConfig config = {}, const char *user_filter = nullptr)
        : features_(sharedClassifier(), netflow::LabelSpec{}),
          exporter_(features_),
          meter_(config, sharedClassifier(), exporter_) {
        if (user_filter)
            filter_ = std::make_unique<netflow::BpfFilter>(DLT_EN10MB, 65535, user_filter);
    }

    // Decodes `frame` with the harness's filter and, if it is a packet,
    // counts it at time_us. Returns the decoder's outcome.
    netflow::PacketDecoder::Outcome feed(const Frame &frame, uint64_t time_us) {
        Decoded d = decode(frame, filter_.get());
        if (d.outcome == netflow::PacketDecoder::Outcome::Packet)
            last_verdict_ = meter_.count(d.pkt, d.l3, time_us);
        return d.outcome;
    }
    netflow::PacketDecoder::Outcome feed(const PacketBuilder &builder, uint64_t time_us) {
        return feed(builder.build(), time_us);
    }

    // Exports every open flow (end of input) and returns all rows so far.
    const std::vector<Row> &flush() {
        meter_.flushAll();
        return exporter_.rows;
    }
    const std::vector<Row> &rows() const { return exporter_.rows; }
    const std::vector<nf_flow_state> &states() const { return exporter_.states; }
    const std::vector<nf_flow_key> &keys() const { return exporter_.keys; }
    netflow::FlowMeter &meter() { return meter_; }
    // FlowMeter's verdict on the last packet it was given.
    netflow::FlowMeter::Verdict lastVerdict() const { return last_verdict_; }

  private:
    std::unique_ptr<netflow::BpfFilter> filter_;
    netflow::FlowFeatures features_;
    CapturingExporter exporter_;
    netflow::FlowMeter meter_;
    netflow::FlowMeter::Verdict last_verdict_ = netflow::FlowMeter::Verdict::Counted;
};

}  // namespace nftest
