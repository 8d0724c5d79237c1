// --metrics: the live counters of a run at one moment, as plain values. The
// capture loop fills one each round (pipeline/LiveMetrics.h) and hands it to
// the MetricsServer; the server's thread renders the latest one.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "output/OutputMetrics.h"

namespace netflow {

struct MetricsSnapshot {
    std::string interface;
    std::string backend;  // "xdp" or "pcap"
    double uptime_seconds = 0;

    // Packets (CaptureCounters' buckets; the kernel's statistics on xdp).
    uint64_t packets_seen = 0;
    uint64_t packets_counted = 0;
    uint64_t packets_filtered = 0;
    uint64_t packets_not_ip = 0;
    uint64_t packets_truncated = 0;  // IP header not captured in full
    uint64_t packets_malformed = 0;
    uint64_t packets_dropped = 0;  // pcap: lost in the kernel's or interface's buffers

    uint64_t flows_active = 0;
    uint64_t flows_exported = 0;

    // The kernel path (backend xdp) only: the flow map and what was lost on
    // the way to userspace.
    uint64_t flow_map_entries = 0;       // flows in the map at the last sweep
    uint64_t flow_map_capacity = 0;      // --flow-map-size
    uint64_t flow_map_full_packets = 0;  // counted in userspace: the map was full
    uint64_t overflow_flows = 0;         // flows open in userspace because of it
    uint64_t ring_records_lost = 0;      // flow-end / packet records: events ring full
    uint64_t payload_copies_lost = 0;    // payload ring full
    uint64_t xsk_packets_lost = 0;       // tap: AF_XDP sockets could not take them
    uint64_t dpi_queue = 0;              // payload records waiting for an earlier one of their flow

    std::vector<OutputMetrics> outputs;
};

}  // namespace netflow
