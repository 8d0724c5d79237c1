// Checks of the -u URL and the --header values, for the command line.
#pragma once

#include <optional>
#include <string>

namespace netflow {

// Checks the -u URL: it must parse, be http or https, and name a host.
// Returns nullopt when it is fine, else the problem in a few words.
std::optional<std::string> checkHttpUrl(const std::string &url);

// Checks a --header value: "Name: value", a token name, no line breaks.
std::optional<std::string> checkHttpHeader(const std::string &header);

}  // namespace netflow
