// Everything the command line decides (docs/spec/CLI.md), as plain values.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "delivery/HttpOptions.h"
#include "export/ExportOptions.h"
#include "features/Columns.h"
#include "kafka/KafkaOptions.h"
#include "labels/Anonymizer.h"
#include "labels/CompiledLabels.h"
#include "metrics/MetricsAddress.h"

namespace netflow {

// The live flags' values, parsed once (CommandLine.cpp) from their names.
enum class Backend { Auto, Xdp, Pcap };
enum class CaptureMode { Host, Tap };
enum class XdpModeOption { Auto, Native, Generic, Tc };

// What the positional output is (-c, -u, both: "CSV URL"), or None when
// only --export was given.
enum class OutputKind { Csv, Url, CsvAndUrl, None };

struct Options {
    // Input: exactly one of them is set. Each -f (repeatable) as given: a
    // file, `-`, a directory or a glob (capture/CaptureInputs.h).
    std::string interface;
    std::vector<std::string> files;

    OutputKind output_kind = OutputKind::Csv;
    std::string output;  // CSV path ("-" is stdout) or URL (with -c and -u: the CSV path)
    HttpOptions http;    // -u: the URL again, and the delivery's settings
    std::vector<ExportTarget> exports;  // --export to collectors (IPFIX, v9)
    ExportSettings export_settings;
    std::vector<KafkaOptions> kafka_exports;  // --export kafka://BROKERS/TOPIC, each its own sink

    int version = 2;
    std::vector<SelectedColumn> columns;  // what to write, in order, with header names

    std::optional<uint64_t> max_flows;
    std::optional<double> max_time_s;
    std::string attack;  // non-empty: Label=1, Attack=this
    // --labels FILE (with --labels-format, --labels-tz), read and compiled
    // by the command line, before any packet: Label/Attack per flow.
    std::shared_ptr<const CompiledLabels> labels;
    std::optional<AnonymizeKey> anonymize;  // --anonymize KEY
    std::optional<std::string> filter;
    bool verbose = false;
    bool stats = false;

    double idle_timeout_s = 30;
    double active_timeout_s = 120;
    uint32_t dpi_packets = 32;
    uint32_t app_packets = 256;
    // -f only: flow workers (--threads); 0 = every core the process may use.
    uint32_t threads = 0;

    Backend backend = Backend::Auto;               // live only: --backend auto | xdp | pcap
    CaptureMode capture = CaptureMode::Host;       // live only: --capture host | tap
    XdpModeOption xdp_mode = XdpModeOption::Auto;  // live only: --xdp-mode (CommandLine.cpp)
    uint32_t flow_map_entries = 1048576;           // live kernel path: flows the kernel map holds
    std::string user;                              // live only: run as this user after start-up
    std::optional<MetricsAddress> metrics;         // live only: --metrics ADDR:PORT (Prometheus)
    bool about = false;  // --about: versions, kernel features, the backend -i would get
};

inline bool writesCsv(const Options &o) {
    return o.output_kind == OutputKind::Csv || o.output_kind == OutputKind::CsvAndUrl;
}
inline bool postsUrl(const Options &o) {
    return o.output_kind == OutputKind::Url || o.output_kind == OutputKind::CsvAndUrl;
}

}  // namespace netflow
