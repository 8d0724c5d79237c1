// `--threads N` for a capture file (docs/threads.md): this thread reads and
// decodes each frame once and hands the packet to the worker that owns its
// flow (by a symmetric hash of the flow's two addresses); N FlowWorkers
// count and classify; one merger thread puts their exports back into the
// one-thread order (ExportOrder) and writes them through the run's
// FlowOutput (features, labels, the sink). No lock on the packet path:
// single-producer single-consumer rings of batches.
#pragma once

#include <pcap/pcap.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "capture/CaptureCounters.h"
#include "capture/PacketDecoder.h"
#include "capture/PcapFile.h"
#include "cli/Options.h"
#include "pipeline/ExportOrder.h"
#include "pipeline/FlowOutput.h"
#include "pipeline/FlowWorker.h"

namespace netflow {

// The flow workers `--threads` asks for: its value, or every core this
// process may run on (sched_getaffinity), at least 1.
unsigned flowWorkers(const Options &options);

class ThreadedPipeline {
  public:
    // flush_rows: make each merged row visible at once (a stream input).
    // Throws std::runtime_error when the output cannot be created.
    ThreadedPipeline(const Options &options, const PacketDecoder &decoder, unsigned workers,
                     bool flush_rows);
    ~ThreadedPipeline();
    ThreadedPipeline(const ThreadedPipeline &) = delete;
    ThreadedPipeline &operator=(const ThreadedPipeline &) = delete;

    // One captured frame. Always true (the run goes on): --max-flows runs
    // on one thread. block: the frame lies in it (a classic pcap file read
    // in blocks, MergedCapture::Packet): the worker reads it there, the
    // batch holding the block; else (null) it is copied into the batch.
    bool onFrame(const pcap_pkthdr &header, const uint8_t *frame,
                 const std::shared_ptr<ReadBlock> *block = nullptr);

    // The frames that follow have this decoder's link type (several
    // capture files read as one), as FlowPipeline::setDecoder.
    void setDecoder(const PacketDecoder &decoder) { decoder_ = decoder; }

    // Ends the workers (every open flow exported), waits for the merger
    // and closes the output. "" or the error (output, a worker's).
    Result<void> finish();

    std::string sinkSummary() const { return output_.summary(); }
    const CaptureCounters &counters() const { return counters_; }
    uint64_t flowsStarted() const;
    uint64_t flowsExported() const { return exported_.load(std::memory_order_relaxed); }
    // After finish(): "threads: reader X s CPU, workers A B ... s, merger Y s
    // (held at most N flows)".
    std::string threadTimes() const;

  private:
    using StepBatch = std::vector<std::pair<uint64_t, uint64_t>>;  // (index, time_us)

    WorkBatch &batchFor(size_t worker);
    void send(size_t worker, bool last);
    void sendSteps();
    void endWorkers();
    void merge();

    FlowOutput output_;
    PacketDecoder decoder_;
    CaptureCounters counters_;
    nf_packet pkt_{};
    bool flush_rows_;

    std::atomic<uint32_t> merger_bell_{0};
    std::vector<std::unique_ptr<FlowWorker>> workers_;
    std::vector<WorkBatch *> filling_;  // per worker: the batch being filled, or null
    uint64_t inline_below_ = 0;         // host-pair hashes below it: worker 0, on this thread
    uint64_t threaded_ = 0;             // workers with a thread of their own
    SpscRing<StepBatch> steps_;
    StepBatch *steps_filling_ = nullptr;

    uint64_t index_ = 0;  // packets handed out so far
    uint64_t now_us_ = 0;
    bool ended_ = false;

    std::atomic<uint64_t> exported_{0};
    std::string merge_error_;
    double reader_cpu_ = 0;
    double merger_cpu_ = 0;
    size_t merger_most_held_ = 0;
    std::thread merger_;  // last: started once the rest is built
};

}  // namespace netflow
