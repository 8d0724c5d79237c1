// A growable array of records in fixed-size chunks: growing adds a chunk and
// never moves what is stored (no 2x capacity slack, no copy of the whole
// array while the old and the new buffer are both resident). Indexes stay
// valid; elements are never removed (the flow table reuses them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace netflow {

template <typename T, size_t kChunkLog2 = 12>
class ChunkedVector {
  public:
    static constexpr size_t kChunk = size_t{1} << kChunkLog2;

    size_t size() const { return size_; }
    // Bytes held by elements' storage (whole chunks) and the chunk index.
    size_t capacityBytes() const {
        return chunks_.size() * kChunk * sizeof(T) + chunks_.capacity() * sizeof(chunks_[0]);
    }

    T &operator[](size_t i) { return chunks_[i >> kChunkLog2][i & (kChunk - 1)]; }
    const T &operator[](size_t i) const { return chunks_[i >> kChunkLog2][i & (kChunk - 1)]; }

    // Appends a value-initialised element; returns it.
    T &emplace_back() {
        if (size_ == chunks_.size() * kChunk)
            chunks_.push_back(std::make_unique<T[]>(kChunk));
        return (*this)[size_++];
    }

  private:
    std::vector<std::unique_ptr<T[]>> chunks_;
    size_t size_ = 0;
};

}  // namespace netflow
