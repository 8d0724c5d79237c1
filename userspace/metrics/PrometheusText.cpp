#include "metrics/PrometheusText.h"

#include <cinttypes>
#include <cstdio>

namespace netflow {
namespace {

// A label value: backslash, double quote and line feed escaped.
std::string escapeLabel(const std::string &value) {
    std::string out;
    for (char c : value) {
        if (c == '\\' || c == '"')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

class Writer {
  public:
    // One metric family: its HELP and TYPE lines, then samples.
    void family(const char *name, const char *type, const char *help) {
        text_ += std::string("# HELP netflow_") + name + " " + help + "\n";
        text_ += std::string("# TYPE netflow_") + name + " " + type + "\n";
    }
    void sample(const char *name, uint64_t value, const std::string &labels = "") {
        char number[32];
        std::snprintf(number, sizeof(number), "%" PRIu64, value);
        line(name, labels, number);
    }
    void sample(const char *name, double value) {
        char number[40];
        std::snprintf(number, sizeof(number), "%.3f", value);
        line(name, "", number);
    }
    // A family with one sample.
    void counter(const char *name, const char *help, uint64_t value) {
        family(name, "counter", help);
        sample(name, value);
    }
    void gauge(const char *name, const char *help, uint64_t value) {
        family(name, "gauge", help);
        sample(name, value);
    }
    std::string take() { return std::move(text_); }

  private:
    void line(const char *name, const std::string &labels, const char *value) {
        text_ += std::string("netflow_") + name;
        if (!labels.empty())
            text_ += "{" + labels + "}";
        text_ += std::string(" ") + value + "\n";
    }
    std::string text_;
};

}  // namespace

std::string prometheusText(const MetricsSnapshot &s) {
    Writer w;
    w.family("info", "gauge", "The sensor: version, interface and capture backend (always 1).");
    w.sample("info", uint64_t{1},
             "version=\"" + escapeLabel(NETFLOW_VERSION) + "\",interface=\"" +
                 escapeLabel(s.interface) + "\",backend=\"" + escapeLabel(s.backend) + "\"");
    w.family("uptime_seconds", "gauge", "Seconds since the capture started.");
    w.sample("uptime_seconds", s.uptime_seconds);

    w.counter("packets_seen_total", "Packets the capture saw.", s.packets_seen);
    w.counter("packets_counted_total", "Packets counted on a flow.", s.packets_counted);
    w.counter("packets_filtered_total", "Packets rejected by --filter or the default filter.",
              s.packets_filtered);
    w.counter("packets_not_ip_total", "Packets that passed the filter without an IP header.",
              s.packets_not_ip);
    w.counter("packets_truncated_total", "Packets whose IP header was not captured in full.",
              s.packets_truncated);
    w.counter("packets_malformed_total", "Packets with a malformed IP header.",
              s.packets_malformed);
    w.counter("packets_dropped_total",
              "Packets lost in the kernel's or the interface's buffers before capture (pcap).",
              s.packets_dropped);

    w.gauge("flows_active", "Flows open now.", s.flows_active);
    w.counter("flows_exported_total", "Flows written to the output.", s.flows_exported);

    w.gauge("flow_map_entries", "Flows in the kernel's flow map: started there, less ended (xdp).",
            s.flow_map_entries);
    w.gauge("flow_map_capacity", "Flows the kernel's flow map holds (--flow-map-size; xdp).",
            s.flow_map_capacity);
    w.counter("flow_map_overflow_packets_total",
              "Packets that found the flow map full and were counted in userspace (xdp).",
              s.flow_map_full_packets);
    w.gauge("flow_map_overflow_flows", "Flows open in userspace because the map was full (xdp).",
            s.overflow_flows);
    w.counter("ring_records_lost_total",
              "Flow records lost because the kernel's event ring was full (xdp).",
              s.ring_records_lost);
    w.counter("payload_copies_lost_total",
              "Payload packets for DPI lost because the payload ring was full (xdp).",
              s.payload_copies_lost);
    w.counter("xsk_packets_lost_total", "Payload packets the AF_XDP sockets could not take (tap).",
              s.xsk_packets_lost);
    w.gauge("dpi_queue", "Payload records waiting for an earlier packet of their flow (xdp).",
            s.dpi_queue);

    struct PerOutput {
        const char *name;
        const char *help;
        uint64_t OutputMetrics::*field;
    };
    static constexpr PerOutput kPerOutput[] = {
        {"output_delivered_total", "Flows written (csv) or acknowledged by the receiver (http).",
         &OutputMetrics::delivered},
        {"output_retried_total", "Requests that failed and were retried.", &OutputMetrics::retried},
        {"output_spooled_total", "Flows that went to the spool file.", &OutputMetrics::spooled},
        {"output_rejected_total", "Flows the receiver refused (not retried).",
         &OutputMetrics::rejected},
    };
    for (const PerOutput &m : kPerOutput) {
        w.family(m.name, "counter", m.help);
        for (const OutputMetrics &o : s.outputs)
            w.sample(m.name, o.*m.field, "output=\"" + escapeLabel(o.output) + "\"");
    }
    return w.take();
}

}  // namespace netflow
