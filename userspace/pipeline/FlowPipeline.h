// Frames in, rows out: the decoder and the flow engine in front of the
// run's FlowOutput (classifier, features, sink), with the counters of where
// every frame went. The offline run and the live libpcap run both feed it.
#pragma once

#include <pcap/pcap.h>

#include <memory>
#include <string>

#include "filter/BpfFilter.h"
#include "capture/CaptureCounters.h"
#include "capture/PacketDecoder.h"
#include "cli/Options.h"
#include "flow/FlowMeter.h"
#include "pipeline/FlowOutput.h"

namespace netflow {

// What the options ask of the flow engine.
MeterConfig meterConfig(const Options &options);

class FlowPipeline {
  public:
    // Throws std::runtime_error when the output cannot be created.
    FlowPipeline(const Options &options, int link_type, const BpfFilter *filter);

    // One captured frame. Returns false when it would start a flow beyond
    // --max-flows: it is not counted and the run should stop.
    bool onFrame(const pcap_pkthdr &header, const uint8_t *frame);

    // The frames that follow have this decoder's link type (several
    // capture files read as one: the link type may change from packet to
    // packet).
    void setDecoder(const PacketDecoder &decoder) { decoder_ = decoder; }
    int linkType() const { return decoder_.linkType(); }

    // Exports the flows expired at now_us without a packet (live capture:
    // the clock moves while the network is quiet).
    void advanceTime(uint64_t now_us) { meter_.advanceTime(now_us); }

    // The output, for a RowFlusher (live runs, stream input).
    FlowSink &sink() { return output_.sink(); }

    // Exports every open flow and closes the output. Returns "" or the
    // output's error (a write error, flows not delivered).
    Result<void> finish();

    // The output's own line for the end-of-run summary, or "" (after finish).
    std::string sinkSummary() const { return output_.summary(); }

    const CaptureCounters &counters() const { return counters_; }
    uint64_t flowsStarted() const { return meter_.flowsStarted(); }
    uint64_t flowsExported() const { return meter_.flowsExported(); }
    size_t activeFlows() const { return meter_.activeFlows(); }

  private:
    FlowOutput output_;
    FlowMeter meter_;
    PacketDecoder decoder_;
    CaptureCounters counters_;
    nf_packet pkt_{};
};

}  // namespace netflow
