// One flow worker of a threaded offline run (docs/threads.md): its own flow
// meter, flow table and classifier (nDPI module, DNS/FTP state), fed by the
// reader through a ring of packet batches, handing its exported flows to
// the merger through another, each flow tagged with where it falls in the
// one-thread export order (ExportOrder).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "capture/PcapFile.h"
#include "dpi/FlowClassifier.h"
#include "flow/FlowMeter.h"
#include "pipeline/ExportOrder.h"
#include "pipeline/SpscRing.h"

namespace netflow {

// One decoded packet for a worker.
struct WorkPacket {
    uint64_t index;   // in the capture, counting only packets counted on flows
    uint64_t now_us;  // the capture's time at it (never goes back)
    nf_packet pkt;
    // Its datagram (only with payload): at l3 (a file block), or when
    // that is null at l3_offset in WorkBatch::bytes.
    const uint8_t *l3;
    uint32_t l3_offset;
    uint32_t l3_len;
};

// An allocator that leaves a trivial element uninitialised when a vector
// makes it with no arguments (emplace_back()): the reader writes all of a
// WorkPacket in one go (ThreadedPipeline), and zeroing it first in a ring
// slot the worker read last was a cache miss of its own. Made with
// arguments, an element is constructed as std::allocator's are
// (allocator_traits, when no construct() takes them).
template <typename T>
struct NoInitAllocator : std::allocator<T> {
    template <typename U>
    struct rebind {
        using other = NoInitAllocator<U>;
    };
    using std::allocator<T>::allocator;
    template <typename U>
    void construct(U *p) noexcept(std::is_nothrow_default_constructible_v<U>) {
        ::new (static_cast<void *>(p)) U;
    }
};

struct WorkBatch {
    static_assert(std::is_trivially_default_constructible_v<WorkPacket> &&
                  std::is_trivially_copyable_v<WorkPacket>);
    std::vector<WorkPacket, NoInitAllocator<WorkPacket>> packets;
    std::vector<uint8_t> bytes;
    // The file blocks its packets' l3 point into, held until the reader
    // refills this slot (it alone changes these, so a block nobody else
    // holds is free: PcapFile).
    std::vector<std::shared_ptr<ReadBlock>> blocks;
    // The reader had handed out every packet before `mark_index` (to some
    // worker) when it sent this batch, and the time was mark_us.
    uint64_t mark_index = 0;
    uint64_t mark_us = 0;
    bool last = false;  // the end of the run: export every open flow
};

struct DoneBatch {
    std::vector<ExportedFlow> flows;
    // Every flow this worker exports from now on has its event at or after
    // packet `progress` (ExportOrder).
    uint64_t progress = 0;
    bool last = false;
};

// CPU seconds the calling thread has used.
double threadCpuSeconds();

class FlowWorker : private FlowExporter {
  public:
    // merger_bell: rung with each batch of exported flows. own_thread:
    // the worker counts its batches on a thread of its own (which makes its
    // nDPI module, once packets come); else on the caller's (the reader's)
    // thread, each batch as countInline() is called, with
    // `inline_classifier` (the reader's own, which outlives the worker) or,
    // if null, one made here.
    FlowWorker(const MeterConfig &config, bool keep_server_name, std::atomic<uint32_t> &merger_bell,
               bool own_thread = true, FlowClassifier *inline_classifier = nullptr);
    ~FlowWorker() override;
    FlowWorker(const FlowWorker &) = delete;
    FlowWorker &operator=(const FlowWorker &) = delete;

    SpscRing<WorkBatch> &input() { return input_; }
    bool ownThread() const { return own_thread_; }
    // Without a thread of its own: counts the batch filled in input()'s
    // slotToFill() (not published) and hands its flows to the merger.
    void countInline();
    SpscRing<DoneBatch> &output() { return output_; }

    // After the last batch was taken: "" or what went wrong on the thread.
    void join();
    const std::string &error() const { return error_; }

    uint64_t flowsStarted() const { return started_.load(std::memory_order_relaxed); }
    // The thread's CPU seconds (after join); inline, the CPU seconds of
    // the caller's thread spent in countInline().
    double cpuSeconds() const { return cpu_seconds_; }

  private:
    void run();
    void start();
    // Counts one batch and hands its flows to the merger: true on the last.
    bool handle(const WorkBatch &in);
    void stop();
    void process(FlowMeter &meter, const WorkBatch &in);
    void exportFlow(const FlowRecord &flow) override;
    void exportFinished(FlowRecord &flow) override;

    MeterConfig config_;
    bool keep_server_name_;
    bool own_thread_;
    SpscRing<WorkBatch> input_;
    SpscRing<DoneBatch> output_;
    std::atomic<uint64_t> started_{0};
    std::string error_;
    double cpu_seconds_ = 0;

    // On the worker's thread (or the caller's, inline) only.
    std::optional<FlowClassifier> classifier_;  // its own
    FlowClassifier *borrowed_classifier_;       // or the reader's
    std::optional<FlowMeter> meter_store_;
    bool stopped_ = false;
    std::vector<PacketKey> keys_;  // of the batch's packets
    // While a batch is processed.
    DoneBatch *out_ = nullptr;
    const FlowMeter *meter_ = nullptr;
    uint64_t packet_index_ = 0;
    uint64_t progress_ = 0;  // of the last batch handed in
    bool ending_ = false;

    std::thread thread_;  // last: started once the rest is built
};

}  // namespace netflow
