// The process's one nDPI detection module (RAII), and the per-flow nDPI
// state it hands out, freed the moment detection is over.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

struct ndpi_detection_module_struct;
struct ndpi_flow_struct;

namespace netflow {

// nDPI's (master, app) pair. 0 is NDPI_PROTOCOL_UNKNOWN.
struct L7Protocol {
    uint16_t master = 0;
    uint16_t app = 0;
};

struct NdpiFlowDeleter {
    void operator()(ndpi_flow_struct *flow) const;
};
using NdpiFlowPtr = std::unique_ptr<ndpi_flow_struct, NdpiFlowDeleter>;

class NdpiModule {
  public:
    // cross_flow_caches: nDPI's LRU caches that classify a flow by earlier
    // flows of the same hosts (Teams, Zoom, STUN, BitTorrent, Ookla, TLS
    // certificates, mining). Off, a flow's protocol depends only on its
    // own packets: what a capture split among threads needs to give the
    // same rows (docs/threads.md).
    explicit NdpiModule(bool cross_flow_caches = true);
    ~NdpiModule();
    NdpiModule(const NdpiModule &) = delete;
    NdpiModule &operator=(const NdpiModule &) = delete;

    NdpiFlowPtr newFlow() const;

    struct Step {
        L7Protocol proto;  // what nDPI says after this packet
        bool done;         // an app protocol is known and no more dissection is useful
    };
    // Feeds one packet (from its IP header) to the flow's detection.
    Step process(ndpi_flow_struct *flow, const uint8_t *l3, uint32_t l3_len,
                 uint64_t time_ms) const;

    // nDPI's give-up for a flow whose app protocol is still unknown: its
    // guess from what it saw, ports and addresses.
    L7Protocol giveUp(ndpi_flow_struct *flow) const;

    // A guess for a flow nDPI never saw a packet of (no payload at all).
    L7Protocol guess(uint8_t proto, const uint8_t *saddr, uint16_t sport, const uint8_t *daddr,
                     uint16_t dport, bool ipv4) const;

    // The name of a pair as nDPI prints it, e.g. "TLS.Amazon".
    std::string name(L7Protocol proto) const;

    // How many protocol ids nDPI knows (0 .. count-1), for the id-to-name
    // table of collector exports.
    uint16_t protocolCount() const;

    // The HTTP Host, TLS SNI or DNS query name nDPI found ("" if none).
    static std::string serverName(const ndpi_flow_struct *flow);

  private:
    void dropCaches() const;

    ndpi_detection_module_struct *module_;
    bool cross_flow_caches_;
};

}  // namespace netflow
