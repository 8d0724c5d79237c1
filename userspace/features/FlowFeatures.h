// Computes every column of docs/spec/FEATURES.md from a flow's counters and
// classification: the derived features (durations, rates, averages,
// standard deviations, milliseconds) that the counting core leaves to
// userspace.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "dpi/FlowClassifier.h"
#include "features/FeatureValue.h"
#include "flow/FlowRecord.h"
#include "features/Columns.h"
#include "labels/Anonymizer.h"
#include "labels/CompiledLabels.h"

namespace netflow {

// Inter-arrival statistics of one direction, in whole milliseconds.
struct IatMillis {
    uint64_t min = 0, max = 0, avg = 0, stddev = 0;
};
IatMillis iatMillis(const nf_dir_state &dir);

// What the dataset options ask of the Label/Attack columns and addresses.
struct LabelSpec {
    LabelSpec() = default;
    LabelSpec(bool attack_flag, std::string attack_name)
        : attack(attack_flag), name(std::move(attack_name)) {}

    bool attack = false;  // Label=1 and Attack=name, else 0 and Benign
    std::string name = "Benign";
    // --labels: per flow, the first rule that matches; name is then the
    // Attack of flows no rule matches (Label 0 when it is Benign).
    std::shared_ptr<const CompiledLabels> rules;
    // --anonymize: addresses written through Crypto-PAn (after labelling,
    // which sees the real ones).
    std::optional<AnonymizeKey> anonymize;
};

class FlowLabeler;

// Where a column that compute() copies unchanged from the flow record lies:
// its byte offset in FlowRecord when the flow's source is the key's hi
// endpoint ([0]) or its lo one ([1]), and its width in bytes (host order).
struct FieldLocation {
    uint16_t offset[2];
    uint8_t width;
};

class FlowFeatures {
  public:
    // clock_offset_us: added to the flow's times to make wall-clock time
    // (0 offline, where times are capture timestamps).
    FlowFeatures(const FlowClassifier &classifier, LabelSpec label, int64_t clock_offset_us = 0);
    ~FlowFeatures();

    // The offset for the flows computed from now on (the kernel path
    // follows a wall clock that was stepped; between flows, never within).
    void setClockOffset(int64_t clock_offset_us) { clock_offset_us_ = clock_offset_us; }
    int64_t clockOffset() const { return clock_offset_us_; }

    void compute(Column column, const FlowRecord &flow, FeatureValue &out) const;

    // Called as a flow's row begins, before its compute() calls: starts
    // the memory reads of the columns that miss the cache (the --labels
    // lookup), to overlap them with the row's other columns.
    void beginRow(const FlowRecord &flow) const;

    // The flow's source (or destination) address as it goes on the wire, 4
    // bytes (IPv4) or 16 (IPv6) at out, pseudonymised as compute() prints
    // it: the binary exporters take it without the text round trip.
    void addressBytes(bool source, const FlowRecord &flow, uint8_t *out) const;

    // The columns that are a plain field of the record (ports, protocol,
    // counters per direction, TTLs, lengths, retransmissions, size
    // histogram, windows): a binary exporter reads them without compute();
    // nullopt for the others.
    static std::optional<FieldLocation> fieldLocation(Column column);

    // A plain column's value for this flow (compute() and the binary
    // exporters read them all through here).
    static uint64_t plainValue(const FlowRecord &flow, const FieldLocation &where);

    // --labels: the lines for the end-of-run summary (flows per Attack
    // name, rules that matched nothing with verbose); "" without --labels.
    std::string labelSummary(bool verbose) const;

  private:
    // The IAT statistics of the flow being written, computed once for its
    // eight IAT columns (the standard deviation takes a square root).
    const IatMillis &iat(const FlowRecord &flow, int dir) const;
    struct IatCache {
        const FlowRecord *flow = nullptr;
        uint64_t first_seen = 0;
        IatMillis dir[2];
    };
    mutable IatCache iat_cache_;

    const FlowClassifier &classifier_;
    void appendAddress(std::string &out, const uint8_t *addr, int ip_version) const;

    LabelSpec label_;
    int64_t clock_offset_us_;
    // Per-run state behind const compute(): the labels' per-flow cache and
    // counts, the pseudonyms already computed.
    std::unique_ptr<FlowLabeler> labeler_;
    // The label's lookup, started by beginRow(), advances this many
    // columns later (FlowLabeler::prefetch): a third or so of an NF-v2/v3
    // row, for the misses of each step to be over before the next.
    static constexpr uint8_t kAdvanceAfter = 16;
    mutable uint8_t columns_to_advance_ = 0;
    std::unique_ptr<Anonymizer> anonymizer_;
};

}  // namespace netflow
