#include "filter/BpfFilter.h"

#include <memory>

#include "common/StopSignal.h"

namespace netflow {

BpfFilter::BpfFilter(int link_type, int snaplen, const std::string &expression) {
    // libpcap's compiler can run for minutes on a long filter and cannot be
    // interrupted: a stop signal meanwhile ends the process (nothing is
    // captured or written yet).
    StopImmediately stop_now;
    std::unique_ptr<pcap_t, decltype(&pcap_close)> dead(pcap_open_dead(link_type, snaplen),
                                                        &pcap_close);
    if (!dead)
        throw FilterError("cannot compile a filter for this link type");
    if (pcap_compile(dead.get(), &program_, expression.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
        throw FilterError("filter '" + expression + "': " + pcap_geterr(dead.get()));
}

BpfFilter::~BpfFilter() {
    pcap_freecode(&program_);
}

}  // namespace netflow
