// One PacketDecoder per link type of a run over several capture files, each
// with the user's filter compiled for that link type (a filter's offsets
// depend on the link header).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capture/MergedCapture.h"
#include "capture/PacketDecoder.h"
#include "filter/BpfFilter.h"

namespace netflow {

class PacketDecoders {
  public:
    // Throws FilterError when the filter does not compile for one of them.
    PacketDecoders(const std::vector<MergedCapture::LinkType> &link_types,
                   const std::optional<std::string> &filter) {
        for (const MergedCapture::LinkType &l : link_types) {
            if (filter)
                filters_[l.dlt] = std::make_unique<BpfFilter>(l.dlt, l.snaplen, *filter);
        }
    }

    // For a link type among those given.
    PacketDecoder forLinkType(int dlt) const {
        auto f = filters_.find(dlt);
        return PacketDecoder(dlt, f == filters_.end() ? nullptr : f->second.get());
    }

  private:
    std::map<int, std::unique_ptr<BpfFilter>> filters_;
};

}  // namespace netflow
