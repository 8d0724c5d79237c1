#include "pipeline/FlowPipeline.h"

namespace netflow {

MeterConfig meterConfig(const Options &o) {
    MeterConfig config;
    config.timeouts.idle_us = static_cast<uint64_t>(o.idle_timeout_s * 1e6);
    config.timeouts.active_us = static_cast<uint64_t>(o.active_timeout_s * 1e6);
    config.budget.dpi_packets = o.dpi_packets;
    config.budget.app_packets = o.app_packets;
    config.max_flows = o.max_flows;
    return config;
}

FlowPipeline::FlowPipeline(const Options &options, int link_type, const BpfFilter *filter)
    : output_(options),
      meter_(meterConfig(options), output_.classifier(), output_.sink()),
      decoder_(link_type, filter) {}

bool FlowPipeline::onFrame(const pcap_pkthdr &header, const uint8_t *frame) {
    counters_.read++;
    std::span<const uint8_t> l3;
    switch (decoder_.decode(header, frame, pkt_, l3)) {
        case PacketDecoder::Outcome::Packet: {
            uint64_t time_us = static_cast<uint64_t>(header.ts.tv_sec) * 1000000 +
                               static_cast<uint64_t>(header.ts.tv_usec);
            if (meter_.count(pkt_, l3, time_us) == FlowMeter::Verdict::Counted) {
                counters_.counted++;
                return true;
            }
            counters_.after_limit++;
            return false;
        }
        case PacketDecoder::Outcome::FilteredOut:
            counters_.filtered_out++;
            break;
        case PacketDecoder::Outcome::NotIp:
            counters_.not_ip++;
            break;
        case PacketDecoder::Outcome::Truncated:
            counters_.truncated++;
            break;
        case PacketDecoder::Outcome::Malformed:
            counters_.malformed++;
            break;
    }
    return true;
}

Result<void> FlowPipeline::finish() {
    meter_.flushAll();
    return output_.finish();
}

}  // namespace netflow
