#include "dpi/FlowClassifier.h"

#include "payload_budget.h"

namespace netflow {

bool FlowClassifier::onPayload(FlowClassification &cls, const nf_flow_key &key,
                               const nf_packet &pkt, std::span<const uint8_t> l3, uint64_t time_us,
                               int want, bool last_dpi_packet) {
    std::span<const uint8_t> payload;
    if (pkt.payload_captured > 0 && pkt.payload_offset + pkt.payload_captured <= l3.size())
        payload = l3.subspan(pkt.payload_offset, pkt.payload_captured);

    if ((want & NF_WANT_APP) && pkt.has_l4 && !payload.empty()) {
        bool tcp = key.proto == NF_IPPROTO_TCP;
        if (nf_key_has_port(&key, NF_PORT_DNS))
            parseDnsMessage(payload, tcp, cls.dns);
        if (tcp && pkt.sport == NF_PORT_FTP)
            cls.ftp.feedServerBytes(payload);
    }

    // No bytes (a packet the live path could only count): nothing to see.
    if (!(want & NF_WANT_DPI) || cls.dpi_done || l3.empty())
        return false;
    if (!cls.ndpi)
        cls.ndpi = ndpi_.newFlow();
    NdpiModule::Step step =
        ndpi_.process(cls.ndpi.get(), l3.data(), static_cast<uint32_t>(l3.size()), time_us / 1000);
    cls.l7 = step.proto;
    if (step.done || last_dpi_packet) {
        endDetection(cls, step.proto);
        return true;
    }
    return false;
}

void FlowClassifier::endDetection(FlowClassification &cls, L7Protocol proto) {
    if (proto.app == 0 && cls.ndpi)
        proto = ndpi_.giveUp(cls.ndpi.get());
    cls.l7 = proto;
    if (keep_server_name_ && cls.ndpi) {
        std::string name = NdpiModule::serverName(cls.ndpi.get());
        if (!name.empty())
            cls.server_name = std::make_unique<std::string>(std::move(name));
    }
    cls.ndpi.reset();
    cls.dpi_done = true;
    cls.final = true;
}

void FlowClassifier::finish(FlowClassification &cls, const nf_flow_key &key,
                            const nf_flow_state &state) {
    if (cls.final)
        return;
    if (cls.ndpi) {
        endDetection(cls, cls.l7);
        return;
    }
    // No payload packet reached nDPI: guess from the key, src side first.
    const uint8_t *saddr = state.src_is_lo ? key.addr_lo : key.addr_hi;
    const uint8_t *daddr = state.src_is_lo ? key.addr_hi : key.addr_lo;
    uint16_t sport = state.src_is_lo ? key.port_lo : key.port_hi;
    uint16_t dport = state.src_is_lo ? key.port_hi : key.port_lo;
    cls.l7 = ndpi_.guess(key.proto, saddr, sport, daddr, dport, key.ip_version == 4);
    cls.dpi_done = true;
    cls.final = true;
}

}  // namespace netflow
