// Several capture files read as one capture: their packets in timestamp
// order across the files, a k-way merge as mergecap does (docs/decisions.md,
// "Many files as one capture"). Each file is read in its own order; the
// merge takes the earliest of the files' next packets, and on equal
// timestamps the file that comes first in the list. A file is opened only
// once the merge reaches its first packet's time, so files that follow each
// other (rotated captures) are read one at a time. One file alone is read
// exactly as it is.
//
// This is the offline run's one source of packets: next() until the end.
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <memory>
#include <queue>
#include <string>
#include <vector>

#include "capture/PcapFile.h"
#include "common/Result.h"

namespace netflow {

class MergedCapture {
  public:
    // Opens each file once to learn its link type and first timestamp
    // (a stream, `-` or a FIFO, stays open: it can only be read once).
    // Files that cannot be read, or have a link type isSupportedLinkType()
    // refuses, are left out, each with one line in problems().
    explicit MergedCapture(std::vector<std::string> paths);
    ~MergedCapture();
    MergedCapture(const MergedCapture &) = delete;
    MergedCapture &operator=(const MergedCapture &) = delete;

    const std::vector<std::string> &problems() const { return problems_; }
    // The files that will be read, in the list's order.
    size_t fileCount() const { return files_.size(); }
    const std::string &path(size_t i) const { return files_[i].path; }
    // Every link type of the files to read, each once, in the list's order,
    // with the largest snapshot length among its files.
    struct LinkType {
        int dlt;
        int snaplen;
    };
    const std::vector<LinkType> &linkTypes() const { return link_types_; }
    // A stream among the inputs: it is read as it is written.
    bool hasStream() const { return has_stream_; }

    struct Packet {
        const pcap_pkthdr *header = nullptr;
        // Valid until the next call of next(), or as long as a copy of
        // *block is held (a classic pcap file, read in blocks).
        const uint8_t *data = nullptr;
        int link_type = 0;
        // The block data lies in, or null (libpcap's buffer). Read it before
        // the next call of next().
        const std::shared_ptr<ReadBlock> *block = nullptr;
    };
    enum class Next { Packet, End };
    // The next packet of the merged capture, or the end of every file. A
    // failure is one line naming a file that cannot be read further (cut
    // off, damaged): that file is closed, and the next call goes on with
    // the others.
    Result<Next> next(Packet &packet);

    // For the progress bar: the sizes of every regular file, and how much
    // of them is read (a file finished counts in full).
    uint64_t totalBytes() const { return total_bytes_; }
    uint64_t bytesRead() const;

    // Files open right now (streams included).
    size_t openFiles() const;

  private:
    struct File {
        std::string path;
        int link_type = 0;
        int64_t first_us = 0;  // where the merge opens it (0: at once)
        uint64_t size = 0;
        std::unique_ptr<PcapFile> open;
        const pcap_pkthdr *head = nullptr;
        const uint8_t *head_data = nullptr;
    };
    struct Head {
        int64_t ts_us;
        size_t file;
        bool operator>(const Head &o) const {
            return ts_us != o.ts_us ? ts_us > o.ts_us : file > o.file;
        }
    };

    // Reads file i's next packet into the heap, or closes the file at its
    // end or on an error (returned).
    Result<void> advance(size_t i);
    void close(size_t i);

    std::vector<File> files_;
    std::vector<size_t> by_start_;  // files in the order the merge opens them
    size_t opened_ = 0;             // of by_start_
    std::priority_queue<Head, std::vector<Head>, std::greater<Head>> heads_;
    static constexpr size_t kNone = static_cast<size_t>(-1);
    size_t current_ = kNone;  // the file whose head was returned last
    std::vector<LinkType> link_types_;
    std::vector<std::string> problems_;
    bool has_stream_ = false;
    uint64_t total_bytes_ = 0;
    uint64_t done_bytes_ = 0;
};

}  // namespace netflow
