#include "pipeline/ThreadedPipeline.h"

#include <sched.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <exception>
#include <span>

#include "common/QuietThread.h"
#include "flow/FlowKeyHash.h"
#include "flow_key.h"
#include "packet_parse.h"
#include "pipeline/FlowPipeline.h"

namespace netflow {
namespace {

// A worker's batch leaves when it holds this many packets ...
constexpr size_t kBatchPackets = 1024;
// ... and every worker gets one (maybe empty: the time only) at least once
// every this many packets, so that the merger's watermark moves on.
constexpr uint64_t kRoundPackets = 8192;
// Batches of clock steps in flight to the merger (one a batch sent; ~16 KB
// each when every packet has a time of its own: 64 held ~1 MB).
constexpr uint32_t kStepBatches = 16;
// The reader's own work (reading, decoding, handing out) against all the
// workers' (counting, nDPI), measured on bench.pcap (docs/threads.md:
// 0.25 when counting took ~1.0 CPU s; ~0.5 since it takes ~0.5 s; 0.4
// since the workers count with the keys of their cache hints: -v gave
// reader 0.17 s, workers 0.11 + 0.31 s).
constexpr double kReaderLoad = 0.4;

// The share of the packets (of the host-pair hashes) the reader's thread
// counts itself, so that each of the N threads has about the same work:
// r + s = (1 - s) / (N - 1), r = kReaderLoad. None (0) when the reader has
// enough to do alone.
double inlineShare(unsigned workers) {
    if (workers < 2)
        return 0;
    const double share = (1 - kReaderLoad * (workers - 1)) / workers;
    return share < 0.05 ? 0 : share;
}

// A packet into the batch of a worker on another core, with non-temporal
// stores: the batch's ring slot was last read by that worker, so ordinary
// stores each waited for the line to come back from its cache (~1.6 lines
// a packet; the reader's store buffer filled and its next store stalled:
// a tenth of the CPU of --threads 2 on bench.pcap). Streamed, the lines go
// to memory and the worker reads them in order (its prefetcher keeps up).
// streamFence() before the batch is published: a release store does not
// order non-temporal stores.
void streamPacket(WorkPacket &to, const WorkPacket &from) {
#if defined(__x86_64__)
    static_assert(sizeof(WorkPacket) % 8 == 0 && alignof(WorkPacket) >= 8);
    long long words[sizeof(WorkPacket) / 8];
    std::memcpy(words, &from, sizeof(from));
    auto *out = reinterpret_cast<long long *>(&to);
    for (size_t k = 0; k < sizeof(WorkPacket) / 8; k++)
        _mm_stream_si64(out + k, words[k]);
#else
    to = from;
#endif
}

void streamFence() {
#if defined(__x86_64__)
    _mm_sfence();
#endif
}

}  // namespace

unsigned flowWorkers(const Options &options) {
    if (options.threads > 0)
        return options.threads;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) != 0)
        return 1;
    return static_cast<unsigned>(std::max(1, CPU_COUNT(&set)));
}

ThreadedPipeline::ThreadedPipeline(const Options &options, const PacketDecoder &decoder,
                                   unsigned workers, bool flush_rows)
    : output_(options),
      decoder_(decoder),
      flush_rows_(flush_rows),
      steps_(kStepBatches, &merger_bell_) {
    const MeterConfig config = meterConfig(options);
    const bool keep_server_name = selectsColumn(options, Column::SERVER_NAME);
    filling_.assign(workers, nullptr);
    // Worker 0 counts on this thread when it has a share: hashes below
    // inline_below_ go to it, the rest evenly to the others.
    const double share = inlineShare(workers);
    inline_below_ = static_cast<uint64_t>(share * 4294967296.0);
    threaded_ = share == 0 ? workers : workers - 1;
    // Worker 0 on this thread counts with the output's classifier (made
    // above, with nDPI's cross-flow caches off for a capture file, as the
    // workers'): one nDPI module fewer to make before reading starts. The
    // merger only reads protocol names from it, which nDPI sets up once
    // and never writes while counting (docs/threads.md). The workers with
    // a thread of their own make theirs there, in parallel.
    FlowClassifier *inline_classifier = options.files.empty() ? nullptr : &output_.classifier();
    try {
        for (unsigned i = 0; i < workers; i++)
            workers_.push_back(std::make_unique<FlowWorker>(
                config, keep_server_name, merger_bell_, i > 0 || share == 0, inline_classifier));
        merger_ = startQuietThread([this] { merge(); });
    } catch (...) {
        // A thread could not start: end those that did (their rings have
        // room for the last batch), then fail.
        filling_.resize(workers_.size());
        endWorkers();
        for (auto &w : workers_)
            w->join();
        throw;
    }
}

ThreadedPipeline::~ThreadedPipeline() {
    endWorkers();
    if (merger_.joinable())
        merger_.join();
}

uint64_t ThreadedPipeline::flowsStarted() const {
    uint64_t sum = 0;
    for (const auto &w : workers_)
        sum += w->flowsStarted();
    return sum;
}

bool ThreadedPipeline::onFrame(const pcap_pkthdr &header, const uint8_t *frame,
                               const std::shared_ptr<ReadBlock> *block) {
    counters_.read++;
    std::span<const uint8_t> l3;
    switch (decoder_.decode(header, frame, pkt_, l3)) {
        case PacketDecoder::Outcome::Packet:
            break;
        case PacketDecoder::Outcome::FilteredOut:
            counters_.filtered_out++;
            return true;
        case PacketDecoder::Outcome::NotIp:
            counters_.not_ip++;
            return true;
        case PacketDecoder::Outcome::Truncated:
            counters_.truncated++;
            return true;
        case PacketDecoder::Outcome::Malformed:
            counters_.malformed++;
            return true;
    }
    counters_.counted++;

    // The capture's clock, as one meter keeps it: a time that goes back is
    // taken as the latest. Where it grows is a step for the merger.
    const uint64_t time_us = static_cast<uint64_t>(header.ts.tv_sec) * 1000000 +
                             static_cast<uint64_t>(header.ts.tv_usec);
    if (index_ == 0 || time_us > now_us_) {
        now_us_ = std::max(now_us_, time_us);
        if (!steps_filling_) {
            steps_filling_ = &steps_.slotToFill();
            steps_filling_->clear();
        }
        steps_filling_->emplace_back(index_, now_us_);
    }

    nf_flow_key key;
    nf_flow_key_from_packet(&pkt_, &key);
    // Every flow between two hosts, both directions, goes to one worker:
    // nDPI keeps some per-host-pair state across flows (docs/threads.md).
    const uint64_t hash = hashHostPair(key);
    const size_t worker = hash < inline_below_
                              ? 0
                              : (inline_below_ == 0 ? 0 : 1) +
                                    static_cast<size_t>(((hash - inline_below_) * threaded_) /
                                                        ((uint64_t{1} << 32) - inline_below_));
    WorkBatch &batch = batchFor(worker);
    WorkPacket item;
    item.index = index_;
    item.now_us = now_us_;
    item.pkt = pkt_;
    item.l3 = nullptr;
    item.l3_offset = 0;
    item.l3_len = 0;
    // The meter reads the bytes of a packet with payload only (for nDPI and
    // the DNS/FTP parsers), and only its datagram: in the mapped file when
    // it is in a block the batch can hold, else a copy in the batch.
    if (pkt_.payload_len > 0) {
        item.l3_len = nf_datagram_len(static_cast<uint32_t>(l3.size()), 0, pkt_.ip_len);
        if (block) {
            item.l3 = l3.data();
            // Consecutive packets share a block: one copy per batch and block.
            if (batch.blocks.empty() || batch.blocks.back() != *block)
                batch.blocks.push_back(*block);
        } else {
            item.l3_offset = static_cast<uint32_t>(batch.bytes.size());
            batch.bytes.insert(batch.bytes.end(), l3.begin(), l3.begin() + item.l3_len);
        }
    }
    WorkPacket &slot = batch.packets.emplace_back();  // uninitialised
    if (workers_[worker]->ownThread())
        streamPacket(slot, item);
    else
        slot = item;
    index_++;

    if (batch.packets.size() >= kBatchPackets)
        send(worker, false);
    if (index_ % kRoundPackets == 0) {
        for (size_t w = 0; w < workers_.size(); w++)
            send(w, false);
    }
    return true;
}

WorkBatch &ThreadedPipeline::batchFor(size_t worker) {
    if (!filling_[worker]) {
        WorkBatch &batch = workers_[worker]->input().slotToFill();
        batch.packets.clear();
        batch.bytes.clear();
        // The worker is done with it (slotToFill): its blocks may be reused
        // once no other batch holds them (PcapFile reuses a block only
        // when it is the last holder; every holder is dropped on this
        // thread, after its worker's release of the slot).
        batch.blocks.clear();
        filling_[worker] = &batch;
    }
    return *filling_[worker];
}

void ThreadedPipeline::sendSteps() {
    if (steps_filling_) {
        steps_.publish();
        steps_filling_ = nullptr;
    }
}

void ThreadedPipeline::send(size_t worker, bool last) {
    // The merger must know the clock up to here before any flow a worker
    // exports from this batch reaches it.
    sendSteps();
    WorkBatch &batch = batchFor(worker);
    batch.mark_index = index_;
    batch.mark_us = now_us_;
    batch.last = last;
    filling_[worker] = nullptr;
    if (workers_[worker]->ownThread()) {
        streamFence();  // the streamed packets before the release
        workers_[worker]->input().publish();
    } else {
        workers_[worker]->countInline();
    }
}

void ThreadedPipeline::endWorkers() {
    if (ended_)
        return;
    ended_ = true;
    // The workers with a thread of their own first: they export their open
    // flows while the one on this thread exports its own (it counts as it
    // is sent), so the end's flows of all of them reach the merger together
    // and are written as they come.
    for (size_t w = 0; w < workers_.size(); w++) {
        if (workers_[w]->ownThread())
            send(w, true);
    }
    for (size_t w = 0; w < workers_.size(); w++) {
        if (!workers_[w]->ownThread())
            send(w, true);
    }
}

void ThreadedPipeline::merge() {
    // The merger writes the rows of at most this many flows between two
    // looks at the workers' rings. A wave of flows that expire together
    // (50,000 idle at once) written in one go kept every worker's output
    // ring full meanwhile, and the reader behind them: --threads 2 was no
    // faster than --threads 1 on a new-flow-heavy capture (docs/threads.md,
    // "The merger between waves").
    constexpr size_t kReleaseChunk = 1024;
    // And it takes at most one batch with flows from each worker between
    // two releases (batches of progress alone, as many as there are). Once
    // it holds kHeldFlows, a worker's batch with flows waits while flows
    // are due, and at the end while the worker is ahead of another in start
    // order (its flows could not be written yet): the worker waits on its
    // full ring, its flows in its table. Taking every batch as it came held
    // every flow of the capture's end twice, in the merger and in the
    // worker's table (which keeps its memory): ~1,300 bytes a flow with
    // --threads 2 against ~400 with one (docs/threads.md, "The merger's
    // backlog").
    constexpr size_t kHeldFlows = kReleaseChunk;
    const size_t n = workers_.size();
    std::vector<uint64_t> progress(n, 0);
    // Per worker: 1 + the start of the last flow it exported at the end
    // (its later ones started after it), 0 before any; kEnd once done.
    std::vector<uint64_t> end_progress(n, 0);
    size_t done = 0;
    ExportOrder order;
    FlowSink &sink = output_.sink();
    bool failed = false;
    auto drainSteps = [&] {
        while (StepBatch *steps = steps_.peek()) {
            if (!failed) {
                for (const auto &[index, time_us] : *steps)
                    order.addStep(index, time_us);
            }
            steps_.release();
        }
    };
    bool more = false;  // flows due that the last release left
    if (flush_rows_)
        sink.flush();  // the header
    while (done < n || more) {
        const uint32_t bell = merger_bell_.load(std::memory_order_acquire);
        bool took = false, deferred = false;
        for (size_t w = 0; w < n; w++) {
            SpscRing<DoneBatch> &ring = workers_[w]->output();
            while (DoneBatch *batch = ring.peek()) {
                const bool flows = !batch->flows.empty();
                if (flows && order.held() >= kHeldFlows) {
                    if (more) {
                        deferred = true;  // after the due flows (no wait for the bell)
                        break;
                    }
                    if (end_progress[w] >
                        *std::min_element(end_progress.begin(), end_progress.end()))
                        break;  // after the others' (which ring the bell)
                }
                drainSteps();  // the clock up to this batch's flows
                try {
                    if (!failed) {
                        for (ExportedFlow &flow : batch->flows) {
                            if (flow.cause == ExportCause::End)
                                end_progress[w] = flow.rec.first_seen + 1;
                            order.add(std::move(flow));
                        }
                    }
                } catch (const std::exception &e) {
                    merge_error_ = e.what();
                    failed = true;
                }
                progress[w] = batch->progress;
                if (batch->last) {
                    end_progress[w] = ExportOrder::kEnd;
                    done++;
                }
                ring.release();
                took = true;
                if (flows)
                    break;  // the next after a release
            }
        }
        drainSteps();
        more = false;  // nothing is due after a failure, or when release throws
        if (!failed) {
            try {
                const uint64_t watermark =
                    done == n ? ExportOrder::kEnd
                              : *std::min_element(progress.begin(), progress.end());
                const uint64_t before = exported_.load(std::memory_order_relaxed);
                const uint64_t end_bound =
                    *std::min_element(end_progress.begin(), end_progress.end());
                more = order.release(
                    watermark, end_bound,
                    [&](FlowRecord &rec) {
                        sink.exportFlow(rec);
                        exported_.fetch_add(1, std::memory_order_relaxed);
                    },
                    kReleaseChunk);
                if (flush_rows_ && exported_.load(std::memory_order_relaxed) != before)
                    sink.flush();
            } catch (const std::exception &e) {
                merge_error_ = e.what();
                failed = true;
            }
        }
        if (!took && !more && !deferred && done < n)
            merger_bell_.wait(bell, std::memory_order_acquire);
    }
    merger_cpu_ = threadCpuSeconds();
    merger_most_held_ = order.mostHeld();
}

std::string ThreadedPipeline::threadTimes() const {
    char buf[64];
    std::snprintf(buf, sizeof(buf), "threads: reader %.2f s CPU, workers", reader_cpu_);
    std::string out = buf;
    for (const auto &w : workers_) {
        std::snprintf(buf, sizeof(buf), " %.2f%s", w->cpuSeconds(),
                      w->ownThread() ? "" : " (on the reader's thread)");
        out += buf;
    }
    std::snprintf(buf, sizeof(buf), " s, merger %.2f s (held at most %zu flows)", merger_cpu_,
                  merger_most_held_);
    return out + buf;
}

Result<void> ThreadedPipeline::finish() {
    endWorkers();
    reader_cpu_ = threadCpuSeconds();
    for (const auto &w : workers_) {
        if (!w->ownThread())
            reader_cpu_ -= w->cpuSeconds();
    }
    if (merger_.joinable())
        merger_.join();
    // The output is closed (its last rows written) while the workers free
    // their flow tables and nDPI modules on their threads.
    Result<void> written = output_.finish();
    for (auto &w : workers_)
        w->join();
    if (!written)
        return written;
    for (const auto &w : workers_) {
        if (!w->error().empty())
            return Result<void>::failure("flow worker: " + w->error());
    }
    if (!merge_error_.empty())
        return Result<void>::failure("merging the workers' flows: " + merge_error_);
    return {};
}

}  // namespace netflow
