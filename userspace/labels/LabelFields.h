// The field syntaxes shared by both rule formats. Each returns nullopt on
// a value it does not accept and says why in *error.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "labels/LabelRule.h"

namespace netflow {

// "" (any), an IPv4/IPv6 address, or a CIDR without host bits.
std::optional<AddressPrefix> parseAddressPrefix(std::string_view text, std::string *error);
// "" (any), a port, or a range "a-b" with a <= b.
std::optional<PortRange> parsePortRange(std::string_view text, std::string *error);
// "" (-1: any), a name (tcp, udp, icmp, icmpv6, ... or /etc/protocols), or 0-255.
std::optional<int> parseProtocol(std::string_view text, std::string *error);

}  // namespace netflow
