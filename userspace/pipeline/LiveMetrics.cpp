#include "pipeline/LiveMetrics.h"

#include <stdexcept>
#include <utility>

#include "kernel/KernelSession.h"
#include "pipeline/KernelFlowEngine.h"
#include "pipeline/KernelRun.h"

namespace netflow {
namespace {

MetricsSnapshot base(const Options &options, const char *backend, double uptime,
                     const FlowSink &sink) {
    MetricsSnapshot s;
    s.interface = options.interface;
    s.backend = backend;
    s.uptime_seconds = uptime;
    sink.addMetrics(s.outputs);
    return s;
}

void setPackets(MetricsSnapshot &s, const CaptureCounters &c) {
    s.packets_seen = c.read;
    s.packets_counted = c.counted;
    s.packets_filtered = c.filtered_out;
    s.packets_not_ip = c.not_ip;
    s.packets_truncated = c.truncated;
    s.packets_malformed = c.malformed;
}

}  // namespace

std::unique_ptr<MetricsServer> openMetricsServer(const Options &options) {
    if (!options.metrics)
        return nullptr;
    return std::make_unique<MetricsServer>(*options.metrics);
}

MetricsSnapshot pcapMetrics(const Options &options, double uptime, const CaptureCounters &counters,
                            uint64_t flows_active, uint64_t flows_exported, const FlowSink &sink) {
    MetricsSnapshot s = base(options, "pcap", uptime, sink);
    setPackets(s, counters);
    s.packets_dropped = counters.dropped;
    s.flows_active = flows_active;
    s.flows_exported = flows_exported;
    return s;
}

void publishKernelMetrics(MetricsServer &server, const Options &options, double uptime,
                          const KernelSession &session, const KernelFlowEngine &engine,
                          const FlowSink &sink) {
    Result<nf_kern_stats> read = session.stats();
    if (!read)
        return;
    const nf_kern_stats &stats = read.value();
    MetricsSnapshot s = base(options, "xdp", uptime, sink);
    const auto &k = stats.counters;
    setPackets(s, kernelCaptureCounters(stats));  // as the run's summary counts them
    const KernelFlowEngine::Counters e = engine.counters();
    const uint64_t written = e.flows_exported + e.beyond_limit;
    s.flows_active = engine.flowsStarted() > written ? engine.flowsStarted() - written : 0;
    s.flows_exported = e.flows_exported;
    s.flow_map_entries = engine.mapFlows();
    s.flow_map_capacity = options.flow_map_entries;
    s.flow_map_full_packets = k[NF_STAT_MAP_FULL];
    s.overflow_flows = engine.overflowFlows();
    s.ring_records_lost = k[NF_STAT_RINGBUF_FAILED];
    s.payload_copies_lost = k[NF_STAT_PAYLOAD_COPY_FAILED];
    s.xsk_packets_lost = session.xskLost();
    s.dpi_queue = engine.payloadWaiting();
    server.publish(std::move(s));
}

}  // namespace netflow
