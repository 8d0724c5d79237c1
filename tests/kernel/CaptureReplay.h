// Replays one Ethernet capture through a loaded kernel program with
// BPF_PROG_TEST_RUN and, frame by frame, through the offline path's
// PacketDecoder and FlowMeter, so that the two can be compared.
//
// Both sides get identical input: the same frames (those the kernel refuses
// to test-run are skipped on both sides and counted) and the same times.
// The kernel's test clock is set before each run to the time the FlowMeter
// will use: the capture timestamp, except that a time earlier than the
// latest one already counted takes that latest time (FEATURES.md "Time"),
// exactly the clamp FlowMeter applies to the packets it counts.
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <string>
#include <vector>

#include "capture/CaptureCounters.h"
#include "dpi/FlowClassifier.h"
#include "kernel/CountingPrograms.h"
#include "kernel/FlowMapReader.h"
#include "netflow_kern_user.h"

namespace nftest {

enum class Hook { Xdp, Tc };

// A frame as a capture holds it: pcap header (time, captured and wire
// length) and the captured bytes.
struct TimedFrame {
    pcap_pkthdr header;
    std::vector<uint8_t> bytes;
};

// The frames of an Ethernet capture. A record cut off mid-way ends the
// frames (as it ends the offline run) and is described in *read_error.
// Throws CaptureError when the file cannot be read at all.
std::vector<TimedFrame> readEthernetCapture(const std::string &path, std::string *read_error);

struct FrameCounts {
    uint64_t in_capture = 0;
    uint64_t run = 0;  // through the program and the FlowMeter
    // Refused by the test run (ProgramTestRun.h): skipped on both sides.
    uint64_t too_short = 0;
    uint64_t too_long = 0;
    uint64_t beyond_linear = 0;  // run (XDP), longer than the linear part
};

struct ReplayResult {
    bool all_ip = false;     // the programs counted every IP packet (--filter '')
    std::string error;       // the replay itself failed (test run, maps)
    std::string read_error;  // the capture ends in a damaged record
    FrameCounts frames;

    // Kernel: "flow ended" records, then what was left in the flow map.
    std::vector<netflow::KernelFlow> kernel_flows;
    uint64_t ended_records = 0;
    std::vector<nf_rec_packet> unmapped;  // map-full packets
    uint64_t bad_records = 0;
    nf_kern_stats kernel_stats{};  // this capture's share

    // Userspace: what FlowMeter exported, and where every frame went.
    std::vector<netflow::KernelFlow> user_flows;
    netflow::CaptureCounters user_counters;
};

class CaptureReplay {
  public:
    // The programs must use the test clock. The offline side takes their
    // timeouts and filtering.
    CaptureReplay(netflow::CountingPrograms &programs, netflow::FlowClassifier &classifier)
        : programs_(programs), classifier_(classifier) {}

    enum class AtEnd { DrainMap, KeepMap };
    // The ring buffer is left consumed; the flow map empty, or with the
    // flows that did not end (copied into the result either way).
    ReplayResult run(const std::string &capture, Hook hook, AtEnd at_end = AtEnd::DrainMap);
    ReplayResult run(const std::vector<TimedFrame> &frames, Hook hook,
                     AtEnd at_end = AtEnd::DrainMap);

  private:
    netflow::CountingPrograms &programs_;
    netflow::FlowClassifier &classifier_;
};

}  // namespace nftest
