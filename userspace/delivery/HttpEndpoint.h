// The -u URL and the delivery's settings, as the command line gives them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace netflow {

struct HttpOptions {
    std::string url;
    std::vector<std::string> headers;  // "Name: value", sent with every request
    double timeout_s = 10;             // per request; also the drain bound at exit
    size_t batch = 1;                  // 1: one JSON object a request; >1: arrays
    double flush_interval_s = 0.5;     // a partial batch waits at most this long
    std::string spool_path = "netflow-spool.jsonl";
    size_t queue_capacity = 16384;  // flows held in memory before spooling
    size_t max_in_flight = 4;       // requests at once (connections or h2 streams)
    bool print_responses = false;   // -v: each response body on stdout
    std::string ca_file;            // --cacert: trusted CAs instead of the system store
};

// Checks the -u URL: it must parse, be http or https, and name a host.
// Returns nullopt when it is fine, else the problem in a few words.
std::optional<std::string> checkHttpUrl(const std::string &url);

// Checks a --header value: "Name: value", a token name, no line breaks.
std::optional<std::string> checkHttpHeader(const std::string &header);

}  // namespace netflow
