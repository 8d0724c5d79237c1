// What userspace learns about a flow from its payload: nDPI's protocol and
// server name, and the DNS and FTP fields. One per flow, offline and live.
#pragma once

#include <memory>
#include <string>

#include "app/DnsParser.h"
#include "app/FtpReplyTracker.h"
#include "dpi/NdpiModule.h"

namespace netflow {

// Members ordered by alignment so that it packs into 40 bytes (one lives in
// every flow record).
struct FlowClassification {
    NdpiFlowPtr ndpi;  // only while detection runs; freed as soon as it is over
    std::unique_ptr<std::string> server_name;  // kept only when SERVER_NAME is selected
    L7Protocol l7;                             // nDPI's latest answer, final once `final` is set
    DnsFields dns;
    FtpReplyTracker ftp;
    bool dpi_done = false;  // detection is over: no more packets for nDPI
    bool final = false;     // l7 will not change (given up or guessed at export)
};

}  // namespace netflow
