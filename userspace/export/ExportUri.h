// Parses one --export URI: ipfix://HOST:PORT, ipfix+tcp://HOST:PORT (or
// tcp://HOST:PORT), netflow9://HOST:PORT, kafka://BROKERS/TOPIC. HOST is a
// name, an IPv4 address or a bracketed IPv6 address.
#pragma once

#include <string>
#include <variant>

#include "export/ExportOptions.h"

namespace netflow {

// The target, or one line saying what is wrong with the URI.
std::variant<ExportTarget, std::string> parseExportUri(const std::string &uri);

}  // namespace netflow
