// --export URI (repeatable) and its settings, as the command line gives them:
// plain data, so that Options can hold them without the exporters.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace netflow {

enum class ExportScheme {
    Ipfix,     // ipfix://HOST:PORT, IPFIX (RFC 7011) over UDP
    IpfixTcp,  // ipfix+tcp://HOST:PORT or tcp://HOST:PORT, IPFIX over TCP
    Netflow9,  // netflow9://HOST:PORT, NetFlow v9 (RFC 3954) over UDP
    Kafka,     // kafka://BROKERS/TOPIC (the Kafka sink's)
};

struct ExportTarget {
    ExportScheme scheme = ExportScheme::Ipfix;
    std::string uri;   // as given, for messages and the summary
    std::string host;  // collector schemes: a name or address ([v6] unbracketed)
    uint16_t port = 0;
    // kafka:// only: the bootstrap brokers ("host:port,host:port") and topic.
    std::string brokers;
    std::string topic;
};

// Settings shared by every collector export of the run.
struct ExportSettings {
    double template_interval_s = 30;  // templates resent at least this often (UDP)
    uint32_t template_packets = 20;   // ... and every this many messages (UDP)
    uint32_t observation_domain = 1;  // IPFIX observation domain / v9 source id
    uint32_t mtu = 1400;              // largest message, bytes (UDP payload)
    size_t queue_messages = 4096;     // TCP: messages held while the collector is slow
};

}  // namespace netflow
