// Everything the command line decides (docs/spec/CLI.md), as plain values.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "delivery/HttpOptions.h"
#include "features/Columns.h"
#include "labels/Anonymizer.h"
#include "labels/CompiledLabels.h"

namespace netflow {

// The live flags' values, parsed once (CommandLine.cpp) from their names.
enum class Backend { Auto, Xdp, Pcap };
enum class CaptureMode { Host, Tap };
enum class XdpModeOption { Auto, Native, Generic };

enum class OutputKind { Csv, Url };

struct Options {
    // Input: exactly one of them is set.
    std::string interface;
    std::string file;

    OutputKind output_kind = OutputKind::Csv;
    std::string output;  // CSV path ("-" is stdout) or URL
    HttpOptions http;    // -u: the URL again, and the delivery's settings

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
    XdpModeOption xdp_mode = XdpModeOption::Auto;  // live only: --xdp-mode auto | native | generic
    uint32_t flow_map_entries = 65536;             // live kernel path: flows the kernel map holds
    std::string user;                              // live only: run as this user after start-up
};

}  // namespace netflow
