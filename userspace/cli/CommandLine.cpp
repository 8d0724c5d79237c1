#include "cli/CommandLine.h"

#include <CLI/CLI.hpp>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "delivery/HttpEndpoint.h"
#include "delivery/SpoolFile.h"
#include "export/ExportUri.h"
#include "kafka/KafkaUri.h"
#include "labels/LabelError.h"
#include "labels/LabelRules.h"
#include "labels/LabelTime.h"

namespace netflow {
namespace {

// An option whose values are names of an enum's values: the name is turned
// into the enum here, once (CLI11 then stores it); anything else is a usage
// error naming the choices.
template <typename E>
CLI::Validator oneOf(std::vector<std::pair<std::string, E>> names) {
    std::string choices;
    for (const auto &entry : names)
        choices += (choices.empty() ? "" : ",") + entry.first;
    return CLI::Validator(
        [names, choices](std::string &value) -> std::string {
            for (const auto &[name, e] : names) {
                if (value == name) {
                    value = std::to_string(static_cast<int>(e));
                    return {};
                }
            }
            return value + " not in {" + choices + "}";
        },
        choices);
}

CommandLineExit usageError(const std::string &message) {
    return {"netflow: error: " + message + " (see netflow --help)", kExitUsage};
}

std::vector<std::string> longOptionNames(const CLI::App &app) {
    std::vector<std::string> names;
    for (const CLI::Option *opt : app.get_options()) {
        for (const std::string &name : opt->get_lnames())
            names.push_back("--" + name);
    }
    return names;
}

// The earlier tool's long flags: a prefix that named one of them there
// still does when newer flags share it (--c: --csv, not --capture; --labe:
// --label, not --labels).
bool isEarlierToolFlag(const std::string &name) {
    static const char *const kFlags[] = {
        "--help",      "--interface", "--file",  "--csv",      "--url",    "--fields", "--version",
        "--max-flows", "--max-time",  "--label", "--no-label", "--attack", "--filter", "--verbose"};
    return std::find(std::begin(kFlags), std::end(kFlags), name) != std::end(kFlags);
}

// argparse accepts any unique prefix of a long flag; so must we.
std::variant<std::vector<std::string>, CommandLineExit> expandPrefixes(
    const std::vector<std::string> &args, const std::vector<std::string> &names) {
    std::vector<std::string> out;
    bool options_ended = false;
    for (const std::string &arg : args) {
        if (options_ended || arg.size() <= 2 || arg.rfind("--", 0) != 0) {
            options_ended = options_ended || arg == "--";
            out.push_back(arg);
            continue;
        }
        size_t eq = arg.find('=');
        std::string name = arg.substr(0, eq);
        std::string rest = eq == std::string::npos ? "" : arg.substr(eq);
        // "--name=" is "--name ''" (CLI11 would call the value missing).
        auto push = [&](const std::string &full_name) {
            if (rest == "=") {
                out.push_back(full_name);
                out.emplace_back();
            } else {
                out.push_back(full_name + rest);
            }
        };
        if (std::find(names.begin(), names.end(), name) != names.end()) {
            push(name);
            continue;
        }
        std::vector<std::string> matches;
        for (const std::string &candidate : names) {
            if (candidate.rfind(name, 0) == 0)
                matches.push_back(candidate);
        }
        if (matches.size() > 1 &&
            std::count_if(matches.begin(), matches.end(), isEarlierToolFlag) == 1) {
            out.push_back(*std::find_if(matches.begin(), matches.end(), isEarlierToolFlag) + rest);
            continue;
        }
        if (matches.size() > 1) {
            std::string list;
            for (const std::string &m : matches)
                list += (list.empty() ? "" : ", ") + m;
            return usageError("ambiguous option " + name + " could match " + list);
        }
        if (matches.size() == 1)
            push(matches[0]);
        else
            out.push_back(arg);
    }
    return out;
}

// --labels, --labels-format, --labels-tz: the rules read and compiled now,
// so a bad file stops the run before any packet (exit 2, file:line:column).
std::optional<CommandLineExit> labelOptions(Options &opts, bool given, const std::string &path,
                                            const std::string &format_name,
                                            const std::string &format_given, const std::string *tz,
                                            bool no_label) {
    if (!given) {
        if (!format_given.empty() || tz)
            return usageError("--labels-format and --labels-tz apply to --labels only");
        return std::nullopt;
    }
    if (no_label)
        return usageError("--labels needs the Label/Attack columns, which --no-label removes");
    int32_t offset = 0;
    if (tz) {
        auto parsed = parseUtcOffset(*tz);
        if (!parsed)
            return usageError("--labels-tz '" + *tz + "' is not a UTC offset like +HH:MM");
        offset = *parsed;
    }
    LabelFormat format = *parseLabelFormat(format_name);
    if (tz && format == LabelFormat::UnswNb15)
        return usageError("--labels-tz does not apply to unsw-nb15 (its times are epoch seconds)");
    try {
        opts.labels = std::make_shared<const CompiledLabels>(loadLabelRules(path, format, offset));
    } catch (const LabelError &e) {
        return CommandLineExit{std::string("netflow: error: --labels: ") + e.what(), kExitUsage};
    }
    return std::nullopt;
}

// A count given on the command line: digits only (no sign, no spaces), at
// least 1, at most UINT64_MAX. CLI11's unsigned conversion takes "-1" as
// UINT64_MAX and saturates an overflow, both "no limit" in effect.
std::optional<uint64_t> parseCount(const std::string &text) {
    uint64_t value = 0;
    const char *end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end || value == 0)
        return std::nullopt;
    return value;
}

// An option given an empty value (--dpi-packets '', --attack=): a usage
// error, except where '' has a meaning of its own (--filter '': libpcap's
// empty filter, every packet).
std::optional<std::string> emptyValue(const CLI::App &app) {
    for (const CLI::Option *opt : app.get_options()) {
        if (opt->get_lnames().empty() || opt->get_lnames().front() == "filter" ||
            opt->get_expected_min() == 0)
            continue;
        const auto &values = opt->results();
        if (std::any_of(values.begin(), values.end(),
                        [](const std::string &v) { return v.empty(); }))
            return "--" + opt->get_lnames().front() + " needs a value, not ''";
    }
    return std::nullopt;
}

// A column selected twice (IN_BYTES,in_bytes; Timestamp and
// FLOW_START_MILLISECONDS): its name would be a JSON key twice.
std::optional<std::string> repeatedColumn(const std::vector<SelectedColumn> &columns) {
    for (size_t i = 0; i < columns.size(); i++) {
        for (size_t j = 0; j < i; j++) {
            if (columns[j].column == columns[i].column)
                return "--fields selects " + std::string(columnName(columns[i].column)) +
                       " twice ('" + columns[j].header + "', '" + columns[i].header + "')";
        }
    }
    return std::nullopt;
}

bool selects(const std::vector<SelectedColumn> &columns, Column column) {
    return std::any_of(columns.begin(), columns.end(),
                       [column](const SelectedColumn &c) { return c.column == column; });
}

}  // namespace

// The spool of Kafka export `index` of `count`: --spool's file when it is the
// run's only spooling output, else that name with ".kafka" (and the export's
// number when there are several) before its extension, so each output keeps
// its own (docs/decisions.md, "Several outputs").
static std::string kafkaSpoolPath(const std::string &spool, size_t index, size_t count, bool url) {
    if (count == 1 && !url)
        return spool;
    std::string tag = ".kafka" + (count > 1 ? std::to_string(index + 1) : std::string());
    const size_t slash = spool.rfind('/');
    const size_t dot = spool.rfind('.');
    if (dot == std::string::npos || (slash != std::string::npos && dot < slash) || dot == 0 ||
        dot == slash + 1)
        return spool + tag;
    return spool.substr(0, dot) + tag + spool.substr(dot);
}

std::variant<Options, CommandLineExit> parseCommandLine(int argc, const char *const *argv) {
    Options opts;
    bool csv = false, url = false, label = false, no_label = false;
    std::string fields;
    int version = 0;
    double max_time = 0;
    std::string max_flows;
    std::string filter;
    std::string labels_path, labels_tz, labels_format = "cic-ids", anonymize;
    std::vector<std::string> outputs, exports;
    std::vector<std::string> kafka_settings;

    CLI::App app{"netflow " NETFLOW_VERSION
                 ": network flows (NetFlow v9 NF-v1/v2/v3 features, nDPI) from a live "
                 "interface or a capture file",
                 "netflow"};
    app.get_formatter()->column_width(34);

    auto *in_if = app.add_option("-i,--interface", opts.interface,
                                 "capture live from INTERFACE (XDP ingress + TC egress)");
    auto *in_file = app.add_option("-f,--file", opts.files,
                                   "read a pcap or pcapng capture file, a directory of them or a "
                                   "glob; repeat for more: read as one capture, in time order")
                        ->allow_extra_args(false);
    app.add_flag("-c,--csv", csv, "output is a CSV file path (- for stdout)");
    app.add_flag("-u,--url", url, "output is an http(s) URL; each flow is POSTed as JSON");
    auto *opt_fields = app.add_option("--fields", fields,
                                      "exactly these columns, comma-separated (NF names, "
                                      "extras, Label, Attack, aliases)");
    auto *opt_version = app.add_option("--version", version, "feature set 1, 2 or 3 (default 2)");
    auto *opt_max_flows =
        app.add_option("--max-flows", max_flows, "stop once N flows have been started");
    auto *opt_max_time =
        app.add_option("--max-time", max_time, "stop after SECONDS of wall-clock time");
    app.add_flag("--label", label, "keep the Label/Attack columns (default)");
    app.add_flag("--no-label", no_label, "leave Label/Attack out");
    app.add_option("--attack", opts.attack, "Label=1, Attack=NAME for every flow");
    auto *opt_labels = app.add_option(
        "--labels", labels_path, "Label/Attack per flow by the rules in FILE (README: Labels)");
    auto *opt_labels_format =
        app.add_option("--labels-format", labels_format,
                       "--labels FILE is cic-ids (rules, the default) or unsw-nb15 ground truth")
            ->check(CLI::IsMember({"cic-ids", "unsw-nb15"}));
    auto *opt_labels_tz = app.add_option("--labels-tz", labels_tz,
                                         "--labels: UTC offset of times without one (+HH:MM; UTC)");
    auto *opt_anonymize = app.add_option(
        "--anonymize", anonymize,
        "addresses pseudonymised (Crypto-PAn) under KEY: 64 hex digits, @FILE or a passphrase");
    auto *opt_filter =
        app.add_option("--filter", filter, "tcpdump filter (libpcap syntax and semantics)");
    app.add_flag("-v,--verbose", opts.verbose,
                 "more detail on stderr; with -u, the server's answer per flow on stdout");
    app.add_option("--idle-timeout", opts.idle_timeout_s, "idle timeout in seconds (30)");
    app.add_option("--active-timeout", opts.active_timeout_s, "active timeout in seconds (120)");
    app.add_option("--dpi-packets", opts.dpi_packets,
                   "payload packets per flow given to nDPI (32)");
    app.add_option("--app-packets", opts.app_packets,
                   "payload packets per flow given to the DNS/FTP parsers (256)");
    auto *opt_backend =
        app.add_option("--backend", opts.backend, "live path: auto, xdp or pcap")
            ->transform(oneOf<Backend>(
                {{"auto", Backend::Auto}, {"xdp", Backend::Xdp}, {"pcap", Backend::Pcap}}));
    auto *opt_capture = app.add_option("--capture", opts.capture, "live capture mode: host or tap")
                            ->transform(oneOf<CaptureMode>(
                                {{"host", CaptureMode::Host}, {"tap", CaptureMode::Tap}}));
    auto *opt_xdp_mode =
        app.add_option("--xdp-mode", opts.xdp_mode,
                       "ingress hook: auto, native, generic (or skb), or tc (no XDP)")
            ->transform(oneOf<XdpModeOption>({{"auto", XdpModeOption::Auto},
                                              {"native", XdpModeOption::Native},
                                              {"generic", XdpModeOption::Generic},
                                              {"skb", XdpModeOption::Generic},
                                              {"tc", XdpModeOption::Tc}}));
    app.add_flag("--stats", opts.stats, "a status line on stderr every second");
    auto *opt_map_size =
        app.add_option("--flow-map-size", opts.flow_map_entries,
                       "live kernel path: flows the kernel map holds; more go to userspace "
                       "(1048576)")
            ->check(CLI::Range(1u, 1u << 26));
    auto *opt_batch =
        app.add_option("--batch", opts.http.batch,
                       "-u: up to N flows per request, as a JSON array (default: one object)")
            ->check(CLI::Range(size_t{1}, size_t{100000}));
    auto *opt_flush = app.add_option("--flush-interval", opts.http.flush_interval_s,
                                     "-u --batch: a partial batch waits at most SECONDS (0.5)");
    auto *opt_spool =
        app.add_option("--spool", opts.http.spool_path,
                       "-u, --export kafka: flows not yet delivered are kept in FILE, JSON lines "
                       "(./netflow-spool.jsonl)");
    auto *opt_timeout =
        app.add_option("--timeout", opts.http.timeout_s,
                       "-u: seconds per request; -u, --export kafka: for delivery at exit (10)");
    auto *opt_header = app.add_option("--header", opts.http.headers,
                                      "-u: 'Name: value' sent with every request (repeatable)")
                           ->allow_extra_args(false);
    auto *opt_queue = app.add_option("--queue-size", opts.http.queue_capacity,
                                     "-u: flows held in memory before the spool (16384)")
                          ->check(CLI::Range(size_t{1}, size_t{1} << 24));
    auto *opt_cacert =
        app.add_option("--cacert", opts.http.ca_file,
                       "-u https: trust the CAs in FILE (PEM) instead of the system store");
    auto *opt_threads =
        app.add_option("--threads", opts.threads,
                       "-f: flow workers (default: every core this process may use)")
            ->check(CLI::Range(1u, 1024u));
    auto *opt_user = app.add_option(
        "--user", opts.user,
        "live: once capturing, run as user NAME (every capability is dropped either way)");
    std::string metrics;
    auto *opt_metrics = app.add_option(
        "--metrics", metrics,
        "live: Prometheus metrics on ADDR:PORT (GET /metrics; 127.0.0.1:9100, [::1]:9100)");
    app.add_flag("--about", opts.about,
                 "versions, kernel features, and with -i IF what --backend auto chooses; exit");
    app.add_option("--export", exports,
                   "also send flows to URI: ipfix://HOST:PORT, ipfix+tcp://HOST:PORT, "
                   "netflow9://HOST:PORT, kafka://BROKERS/TOPIC (repeatable)")
        ->allow_extra_args(false);
    auto *opt_tpl_interval =
        app.add_option("--export-template-interval", opts.export_settings.template_interval_s,
                       "--export UDP: templates resent every SECONDS (30)");
    auto *opt_tpl_packets =
        app.add_option("--export-template-packets", opts.export_settings.template_packets,
                       "--export UDP: templates resent every N messages (20)")
            ->check(CLI::Range(1u, 1000000u));
    auto *opt_domain = app.add_option("--export-domain", opts.export_settings.observation_domain,
                                      "--export: IPFIX observation domain / v9 source id (1)");
    auto *opt_mtu = app.add_option("--export-mtu", opts.export_settings.mtu,
                                   "--export: largest message in bytes (1400)")
                        ->check(CLI::Range(1024u, 65535u));
    auto *opt_kafka_opt =
        app.add_option("--kafka-opt", kafka_settings,
                       "--export kafka: librdkafka setting KEY=VALUE (repeatable)")
            ->allow_extra_args(false);
    auto *opt_output =
        app.add_option("output", outputs, "CSV path (- for stdout) or URL; with -c and -u: CSV URL")
            ->expected(0, 2);

    std::vector<std::string> args(argv + 1, argv + argc);
    auto expanded = expandPrefixes(args, longOptionNames(app));
    if (auto *exit = std::get_if<CommandLineExit>(&expanded))
        return *exit;
    args = std::get<std::vector<std::string>>(expanded);
    // --about needs no output (nor input: -i IF is optional).
    if (std::find(args.begin(), std::find(args.begin(), args.end(), "--"), "--about") != args.end())
        opt_output->required(false);
    std::reverse(args.begin(), args.end());  // CLI11 takes them last-first

    try {
        app.parse(args);
    } catch (const CLI::CallForHelp &) {
        return CommandLineExit{app.help(), kExitOk};
    } catch (const CLI::ParseError &e) {
        return usageError(e.what());
    }
    if (opts.about) {
        if (in_file->count() || csv || url || opt_output->count() || opt_metrics->count())
            return usageError("--about takes -i INTERFACE and the live flags, no file or output");
        return opts;
    }
    if (in_if->count() + std::min<size_t>(in_file->count(), 1) != 1)
        return usageError(in_if->count() ? "use -i/--interface or -f/--file, not both"
                                         : "one of -i/--interface or -f/--file is required");
    if (!csv && !url && exports.empty())
        return usageError("one of -c/--csv or -u/--url is required (or --export)");
    if (!csv && !url && !outputs.empty())
        return usageError("output " + outputs.front() + " needs -c/--csv or -u/--url");
    if (csv && url && outputs.size() != 2)
        return usageError(
            "use -c/--csv or -u/--url, not both (or both, with two outputs: CSV path, then URL)");
    if ((csv || url) && outputs.empty())
        return usageError("output is required");
    if (csv != url && outputs.size() > 1)
        return usageError("one output with -c or -u, not " + std::to_string(outputs.size()));
    opts.output = outputs.empty() ? std::string() : outputs.front();
    std::vector<std::string> kafka_uris;
    for (const std::string &uri : exports) {
        auto target = parseExportUri(uri);
        if (auto *bad = std::get_if<std::string>(&target))
            return usageError(*bad);
        if (std::get<ExportTarget>(target).scheme == ExportScheme::Kafka)
            kafka_uris.push_back(uri);
        else
            opts.exports.push_back(std::get<ExportTarget>(target));
    }
    const bool kafka = !kafka_uris.empty();
    if (opts.exports.empty() && (opt_tpl_interval->count() || opt_tpl_packets->count() ||
                                 opt_domain->count() || opt_mtu->count()))
        return usageError(
            "--export-template-interval, --export-template-packets, --export-domain and "
            "--export-mtu apply to --export only");
    if (!(opts.export_settings.template_interval_s > 0) ||
        opts.export_settings.template_interval_s > 86400)
        return usageError("--export-template-interval must be a positive number of seconds");
    if (opt_fields->count() && opt_version->count())
        return usageError("--fields and --version cannot be used together");
    if (label && no_label)
        return usageError("--label and --no-label cannot be used together");
    if (no_label && !opts.attack.empty())
        return usageError("--attack needs the Label/Attack columns, which --no-label removes");
    if (auto empty = emptyValue(app))
        return usageError(*empty);
    if (opt_version->count() && (version < 1 || version > 3))
        return usageError("--version must be 1, 2 or 3, not " + std::to_string(version));
    if (opt_max_flows->count()) {
        auto count = parseCount(max_flows);
        if (!count)
            return usageError(
                "--max-flows must be at least 1, a whole number up to "
                "18446744073709551615, not '" +
                max_flows + "'");
        opts.max_flows = *count;
    }
    if (opt_max_time->count()) {
        if (!(max_time > 0) || !std::isfinite(max_time))
            return usageError("--max-time must be a positive number of seconds");
        opts.max_time_s = max_time;
    }
    if (!(opts.idle_timeout_s > 0) || !(opts.active_timeout_s > 0) ||
        !std::isfinite(opts.idle_timeout_s) || !std::isfinite(opts.active_timeout_s) ||
        opts.idle_timeout_s > 1e9 || opts.active_timeout_s > 1e9)
        return usageError("--idle-timeout and --active-timeout must be positive seconds");
    if (opt_filter->count())
        opts.filter = filter;
    if ((csv || url) && opts.output.empty())
        return usageError("output must not be empty");
    if (!opts.files.empty() && (opt_backend->count() || opt_capture->count() ||
                                opt_xdp_mode->count() || opt_map_size->count()))
        return usageError(
            "--backend, --capture, --xdp-mode and --flow-map-size apply to -i only, not to -f");
    if (opt_threads->count() && opts.files.empty())
        return usageError("--threads applies to -f only, not to -i");
    if (opts.xdp_mode == XdpModeOption::Tc && opts.capture == CaptureMode::Tap)
        return usageError("--xdp-mode tc applies to --capture host only (a tap needs XDP)");
    if (opt_metrics->count()) {
        if (!opts.files.empty())
            return usageError("--metrics applies to -i only, not to -f");
        std::string why;
        opts.metrics = parseMetricsAddress(metrics, &why);
        if (!opts.metrics)
            return usageError(why);
    }
    if (opt_user->count()) {
        if (!opts.files.empty())
            return usageError("--user applies to -i only, not to -f");
        if (opts.user.empty() || !::getpwnam(opts.user.c_str()))
            return usageError("--user " + opts.user + ": no such user");
    }

    if (!url && !kafka &&
        (opt_batch->count() || opt_flush->count() || opt_spool->count() || opt_timeout->count() ||
         opt_header->count() || opt_queue->count() || opt_cacert->count()))
        return usageError(
            "--batch, --flush-interval, --spool, --timeout, --header, --queue-size and --cacert "
            "apply to -u only");
    if (kafka && !url &&
        (opt_batch->count() || opt_flush->count() || opt_header->count() || opt_queue->count() ||
         opt_cacert->count()))
        return usageError(
            "--batch, --flush-interval, --header, --queue-size and --cacert apply to -u only");
    if (!kafka && opt_kafka_opt->count())
        return usageError("--kafka-opt applies to --export kafka://BROKERS/TOPIC only");
    for (size_t i = 0; i < kafka_uris.size(); i++) {
        KafkaOptions kafka_options;
        const std::string spool = kafkaSpoolPath(opts.http.spool_path, i, kafka_uris.size(), url);
        if (auto bad = kafkaFromCommandLine(kafka_uris[i], kafka_settings, spool,
                                            opts.http.timeout_s, opts.verbose, kafka_options))
            return usageError(*bad);
        opts.kafka_exports.push_back(std::move(kafka_options));
    }
    if (url) {
        if (auto bad = checkHttpUrl(csv ? outputs[1] : opts.output))
            return usageError(*bad);
        for (const std::string &header : opts.http.headers) {
            if (auto bad = checkHttpHeader(header))
                return usageError(*bad);
        }
        if (!(opts.http.timeout_s > 0) || opts.http.timeout_s > 86400)
            return usageError("--timeout must be a positive number of seconds");
        if (!(opts.http.flush_interval_s > 0) || opts.http.flush_interval_s > 3600)
            return usageError("--flush-interval must be a positive number of seconds");
        if (opt_cacert->count() && ::access(opts.http.ca_file.c_str(), R_OK) != 0)
            return usageError("--cacert " + opts.http.ca_file + " cannot be read");
        if (opts.http.spool_path.empty())
            return usageError("--spool must not be empty");
        if (std::string bad = checkSpoolPath(opts.http.spool_path); !bad.empty())
            return usageError(bad);
        opts.http.url = csv ? outputs[1] : opts.output;
        opts.http.print_responses = opts.verbose;
    }
    if (auto exit = labelOptions(opts, opt_labels->count(), labels_path, labels_format,
                                 opt_labels_format->count() ? labels_format : "",
                                 opt_labels_tz->count() ? &labels_tz : nullptr, no_label))
        return *exit;
    if (opt_anonymize->count()) {
        std::string error;
        opts.anonymize = anonymizeKey(anonymize, &error);
        if (!opts.anonymize)
            return usageError(error);
    }
    opts.output_kind = csv && url ? OutputKind::CsvAndUrl
                       : url      ? OutputKind::Url
                       : csv      ? OutputKind::Csv
                                  : OutputKind::None;
    opts.version = opt_version->count() ? version : 2;
    if (opt_fields->count()) {
        std::string bad;
        auto selected = parseFieldList(fields, &bad);
        if (!selected)
            return usageError("unknown field '" + bad + "'; valid fields: " + validColumnNames());
        if (auto twice = repeatedColumn(*selected))
            return usageError(*twice);
        // --fields names the columns: --no-label cannot take some away, and
        // --attack needs a Label or Attack column to set.
        const bool labelled =
            selects(*selected, Column::Label) || selects(*selected, Column::Attack);
        if (no_label && labelled)
            return usageError("--no-label contradicts --fields, which selects Label/Attack");
        if (!opts.attack.empty() && !labelled)
            return usageError("--attack sets Label and Attack, which --fields does not select");
        opts.columns = std::move(*selected);
    } else {
        opts.columns = defaultSelection(opts.version, !no_label);
    }
    if (opts.labels &&
        !std::any_of(opts.columns.begin(), opts.columns.end(), [](const SelectedColumn &c) {
            return c.column == Column::Label || c.column == Column::Attack;
        }))
        return usageError("--labels needs the Label or Attack column, which --fields leaves out");
    return opts;
}

}  // namespace netflow
