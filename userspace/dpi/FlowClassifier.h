// Runs a flow's payload packets through nDPI and the DNS/FTP parsers, within
// the budgets of docs/spec/FEATURES.md ("DPI budget"), and settles the result when the
// flow is exported. Shared by the offline path and the live one.
#pragma once

#include <span>
#include <string>

#include "dpi/FlowClassification.h"
#include "dpi/NdpiModule.h"
#include "flow_types.h"

namespace netflow {

class FlowClassifier {
  public:
    // keep_server_name: store nDPI's server name for the SERVER_NAME column.
    // cross_flow_caches: NdpiModule's (off for capture files).
    explicit FlowClassifier(bool keep_server_name, bool cross_flow_caches = true)
        : ndpi_(cross_flow_caches), keep_server_name_(keep_server_name) {}

    // One packet with L4 payload. `want` is nf_payload_wanted()'s mask;
    // `l3` the captured bytes from the IP header on; `last_dpi_packet` says
    // the packet is the last of nDPI's budget. Returns true when nDPI's part
    // is over after this packet (the caller sets dpi_done in the counting
    // core so that no more copies are made).
    bool onPayload(FlowClassification &cls, const nf_flow_key &key, const nf_packet &pkt,
                   std::span<const uint8_t> l3, uint64_t time_us, int want, bool last_dpi_packet);

    // At export: a flow still in detection gets nDPI's give-up; a flow that
    // never had payload gets nDPI's guess from its key. nDPI state is freed.
    void finish(FlowClassification &cls, const nf_flow_key &key, const nf_flow_state &state);

    std::string protocolName(L7Protocol proto) const { return ndpi_.name(proto); }
    uint16_t protocolCount() const { return ndpi_.protocolCount(); }

  private:
    void endDetection(FlowClassification &cls, L7Protocol proto);

    NdpiModule ndpi_;
    bool keep_server_name_;
};

}  // namespace netflow
