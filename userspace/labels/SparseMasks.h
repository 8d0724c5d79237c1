// 65,536 masks (the label index's lead masks: which probes may find a
// flow's key, by the first 16 bits of an address), most of them zero,
// kept compact: for each 64 of them a word with a bit for each nonzero one
// and the number of nonzero ones before it (one line holds both), then the
// nonzero masks in order (a lookup reads the first, and the second when
// its bit is set). As a table of 65,536 words they were 2 MB of a
// 100,000-rule index for both IP versions, held through the run (memory
// held through a run cost it ~1-4.5 ms a MB on one host here, nothing on
// another: docs/decisions.md, "Labels: the index's memory"); this is 16
// KB and 8 bytes a /16 that any key holds.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

#include "labels/BigMemory.h"
#include "labels/ZeroedArray.h"

namespace netflow {

class SparseMasks {
  public:
    // From the masks as a table of 65,536 (a builder's scratch).
    void build(const ZeroedArray<uint64_t> &table, HugeArena &kept) {
        blocks_ = ZeroedArray<Block>(65536 / 64, kept);
        size_t nonzero = 0;
        for (size_t v = 0; v < table.size(); v++)
            nonzero += table[v] != 0;
        masks_ = ZeroedArray<uint64_t>(nonzero, kept);
        size_t at = 0;
        for (size_t b = 0; b < blocks_.size(); b++) {
            blocks_[b].before = at;
            for (size_t i = 0; i < 64; i++) {
                if (const uint64_t m = table[b * 64 + i]) {
                    blocks_[b].present |= uint64_t{1} << i;
                    masks_[at++] = m;
                }
            }
        }
    }
    bool empty() const { return blocks_.empty(); }
    uint64_t operator[](uint64_t v) const {
        const Block &b = blocks_[v / 64];
        const uint64_t below = (uint64_t{2} << (v % 64)) - 1;  // bits 0..v%64
        if (!(b.present >> (v % 64) & 1))
            return 0;
        return masks_[b.before + static_cast<uint64_t>(std::popcount(b.present & below)) - 1];
    }

  private:
    struct Block {
        uint64_t present;  // bit i: mask 64 * block + i is nonzero
        uint64_t before;   // nonzero masks in the blocks before
    };
    ZeroedArray<Block> blocks_;
    ZeroedArray<uint64_t> masks_;
};

}  // namespace netflow
