// Replays one Ethernet capture through a loaded kernel program with
// BPF_PROG_TEST_RUN and, frame by frame, through the offline path's
// PacketDecoder and FlowMeter, so that the two can be compared.
//
// Both sides get identical input: the same frames (those the kernel refuses
// to test-run are skipped on both sides and counted) and the same times.
// The kernel's test clock is set before each run to the time the FlowMeter
// will use: the capture timestamp, except that a time earlier than the
// latest one already counted takes that latest time (docs/spec/FEATURES.md "Time"),
// exactly the clamp FlowMeter applies to the packets it counts.
//
// The payload path is replayed too: what the kernel delivers for each frame
// (a payload record on the ring, or in tap mode the frame with its AF_XDP
// metadata) and what the offline path hands the classifier for it. DPI-done
// marks reach the kernel the way the live engine sends them: after the
// frame whose payload finished nDPI, before the next frame runs.
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "OfflineHandoffs.h"
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

// Runs every frame of the Ethernet capture at `path` through the XDP
// program, the test clock following the capture's time (never backwards),
// without reading the rings. Returns "" or what went wrong.
std::string runCaptureThroughXdp(netflow::CountingPrograms &programs, const std::string &path);

struct FrameCounts {
    uint64_t in_capture = 0;
    uint64_t run = 0;  // through the program and the FlowMeter
    // Refused by the test run (ProgramTestRun.h): skipped on both sides.
    uint64_t too_short = 0;
    uint64_t too_long = 0;
    uint64_t beyond_linear = 0;  // run (XDP), longer than the linear part
};

// A payload record the kernel sent while frame `frame` ran.
struct PayloadCopy {
    size_t frame;  // index into the replayed frames
    nf_rec_payload rec;
    nf_packet pkt;  // its bytes parsed again by the core (EventRing)
    std::vector<uint8_t> bytes;
};

// tap mode: a frame the program redirected to an AF_XDP socket, as the test
// run left it: the metadata in front, then the frame.
struct XskFrame {
    size_t frame;
    nf_xsk_meta meta;
    std::vector<uint8_t> bytes;  // the frame after the metadata
    bool unchanged;              // bytes == the frame the program was given
};

struct OfflineHandoff {
    size_t frame;
    Handoff handoff;
};

// When the replay tells the kernel a flow is DPI-done (map nf_dpi_done).
enum class DpiDone {
    // The offline path runs the classifier with the programs' budget; when
    // nDPI finishes a flow before its budget runs out, the flow is marked
    // at once, as the live engine does. The kernel's deliveries are then
    // comparable with the offline hand-offs, packet by packet.
    FollowClassifier,
    // After the flow's payload packet number `after` (the classifier is not
    // run: the expected deliveries follow from the budget alone).
    AfterPayloadPacket,
    Never,  // no marks, no classifier
};

struct ReplayResult {
    // A filter decided which frames count: --filter in the programs, or
    // every IP packet (the offline --filter ''). Frames it rejects are
    // "filtered out", IP or not, on both sides.
    bool all_ip = false;
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

    // The payload path.
    nf_payload_budget budget{};  // the programs'
    uint8_t capture_mode = NF_CAPTURE_HOST;
    DpiDone dpi_done = DpiDone::Never;
    uint32_t dpi_done_after = 0;  // with DpiDone::AfterPayloadPacket
    // Per frame: the program's return value; none when the test run
    // refused the frame.
    std::vector<std::optional<uint32_t>> verdicts;
    std::vector<PayloadCopy> copies;       // in ring order
    std::vector<XskFrame> xsk_frames;      // tap mode, redirected frames
    std::vector<OfflineHandoff> handoffs;  // with DpiDone::FollowClassifier
    uint64_t dpi_done_marks = 0;           // marks written to the kernel
};

// Empties what a replay leaves in the kernel: the flow map, both rings, the
// DPI-done marks (a replay does this first). Empty, or an error message.
std::string resetKernelState(netflow::CountingPrograms &programs);

class CaptureReplay {
  public:
    // The programs must use the test clock. The offline side takes their
    // timeouts and filtering.
    CaptureReplay(netflow::CountingPrograms &programs, netflow::FlowClassifier &classifier)
        : programs_(programs), classifier_(classifier) {}

    // DpiDone::FollowClassifier unless set.
    void setDpiDone(DpiDone mode, uint32_t after = 0) {
        dpi_done_ = mode;
        dpi_done_after_ = after;
    }

    enum class AtEnd { DrainMap, KeepMap };
    // The ring buffer is left consumed; the flow map empty, or with the
    // flows that did not end (copied into the result either way).
    ReplayResult run(const std::string &capture, Hook hook, AtEnd at_end = AtEnd::DrainMap);
    ReplayResult run(const std::vector<TimedFrame> &frames, Hook hook,
                     AtEnd at_end = AtEnd::DrainMap);

  private:
    netflow::CountingPrograms &programs_;
    netflow::FlowClassifier &classifier_;
    DpiDone dpi_done_ = DpiDone::FollowClassifier;
    uint32_t dpi_done_after_ = 0;
};

}  // namespace nftest
