// The field syntaxes shared by both rule formats. Each writes the value
// into *out and returns true, or returns false on a value it does not
// accept and says why in *error. (Returned as std::optional, a value was
// stored in pieces and loaded back whole, which waited on a failed store
// forwarding each field: a fifth of reading a CIC-style rule.)
#pragma once

#include <string>
#include <string_view>

#include "labels/LabelRule.h"

namespace netflow {

// "" (any), an IPv4/IPv6 address, or a CIDR without host bits.
bool parseAddressPrefix(std::string_view text, AddressPrefix *out, std::string *error);
// "" (any), a port, or a range "a-b" with a <= b.
bool parsePortRange(std::string_view text, PortRange *out, std::string *error);
// "" (-1: any), a name (tcp, udp, icmp, icmpv6, ... or /etc/protocols), or 0-255.
bool parseProtocol(std::string_view text, int *out, std::string *error);

}  // namespace netflow
