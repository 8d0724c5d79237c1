// The delivery's settings (-u URL and its flags), as the command line gives
// them: plain data, so that Options can hold them without the delivery.
#pragma once

#include <cstddef>
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

}  // namespace netflow
