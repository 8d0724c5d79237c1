// The Kafka message key of a flow: its canonical 5-tuple as text,
//
//   PROTO,LO_ADDR,LO_PORT,HI_ADDR,HI_PORT      e.g. 6,10.0.0.1,51234,93.184.216.34,443
//
// where LO is the endpoint whose address (as written, so after
// --anonymize) is lower byte-wise, then by port, and HI the other. Both
// directions of a conversation, and every record of it (a flow cut by the
// active timeout, restarted after the idle timeout), get the same key, so
// Kafka's key partitioning puts them in one partition, in order. Protocols
// without ports (ICMP, ...) have 0 for both ports, as in the CSV. The VLAN
// is not part of it: flows that differ only by VLAN share a partition.
//
// The key is made from the five column values, whether or not the run
// selects them, and a flow read back from the spool (a JSON object) gets
// the same key from the same values: a flow keeps its partition however it
// was delivered.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "features/Columns.h"
#include "features/FlowFeatures.h"

namespace netflow {

// The key of the endpoints (addr_a, port_a) and (addr_b, port_b), either
// order, into `out` (replaced).
void makeFlowMessageKey(unsigned proto, std::string_view addr_a, unsigned port_a,
                        std::string_view addr_b, unsigned port_b, std::string &out);

class FlowMessageKey {
  public:
    // `columns`: the run's selection, whose headers name the five values in
    // a spool line (the NF names are tried too).
    FlowMessageKey(const std::vector<SelectedColumn> &columns, const FlowFeatures &features);

    // The key of a finished flow, into `out`.
    void fromFlow(const FlowRecord &flow, std::string &out);

    // The key of a flow's JSON object (a spool line), into `out`; false
    // when it lacks one of the five values (--fields left one out): then
    // the message goes without a key.
    bool fromJson(std::string_view object, std::string &out) const;

  private:
    static constexpr Column kColumns[5] = {Column::PROTOCOL, Column::IPV4_SRC_ADDR,
                                           Column::L4_SRC_PORT, Column::IPV4_DST_ADDR,
                                           Column::L4_DST_PORT};
    std::vector<std::string> names_[5];  // JSON keys to look for, per value
    const FlowFeatures &features_;
    FeatureValue src_, dst_, value_;
};

}  // namespace netflow
