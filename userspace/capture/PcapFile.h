// A pcap or pcapng file (RAII), timestamps in microseconds whatever
// precision the file has.
//
// A regular file is mapped into memory (docs/decisions.md, "Reading
// captures through mmap"), not copied through stdio. libpcap reads its
// header either way (link type, snapshot length, byte order: its rules).
// Then a classic pcap file (version 2.4, a link type we decode) is read
// with pread into a few reused blocks (ReadBlock), and each packet handed
// out is the bytes in its block, with libpcap's checks and error messages
// for damaged records: on a virtual machine, the first touch of each fresh
// page of a mapping costs more than the kernel's copy into pages touched
// before (docs/threads.md, "Reading in blocks"). pcapng and anything else
// are read by libpcap from the mapping (fmemopen). Stdin, FIFOs and sockets
// are read by libpcap as a stream.
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/Result.h"

namespace netflow {

struct CaptureError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A block of a capture file read into memory: the packets of a classic pcap
// file handed out lie in one. Whoever holds it keeps them valid; the file
// reuses a block for later records once it is the only holder.
class ReadBlock {
  public:
    // Throws std::bad_alloc.
    explicit ReadBlock(size_t bytes);
    ~ReadBlock();
    ReadBlock(const ReadBlock &) = delete;
    ReadBlock &operator=(const ReadBlock &) = delete;
    uint8_t *data() const { return data_; }
    size_t capacity() const { return capacity_; }
    size_t size = 0;  // bytes read into it

  private:
    uint8_t *data_;
    size_t capacity_;
};

// A read-only mapping of a whole file (RAII: unmapped with its last owner).
class FileMapping {
  public:
    FileMapping(const uint8_t *data, uint64_t size) : data_(data), size_(size) {}
    ~FileMapping();
    FileMapping(const FileMapping &) = delete;
    FileMapping &operator=(const FileMapping &) = delete;
    const uint8_t *data() const { return data_; }
    uint64_t size() const { return size_; }

  private:
    const uint8_t *data_;
    uint64_t size_;
};

class PcapFile {
  public:
    // Throws CaptureError (missing file, not a capture, ...).
    explicit PcapFile(const std::string &path);
    ~PcapFile();
    PcapFile(const PcapFile &) = delete;
    PcapFile &operator=(const PcapFile &) = delete;

    int linkType() const { return pcap_datalink(pcap_); }
    int snapLength() const { return pcap_snapshot(pcap_); }

    enum class Next { Packet, End };
    // The next packet, or the end; a failure says why (e.g. a record cut
    // off mid-way). The packet stays valid until the next call.
    Result<Next> next(const pcap_pkthdr *&header, const uint8_t *&data);

    // For the progress bar.
    uint64_t bytesRead() const;
    uint64_t fileSize() const { return file_size_; }

    // Read as it is written (stdin, a FIFO, a socket): not a regular file.
    bool isStream() const { return stream_; }

    // The records are read in blocks and handed out where they lie (no
    // copy through libpcap's buffer): for tests.
    bool inPlace() const { return in_place_; }
    // In place, the block the packet handed out last lies in (else null):
    // a copy of it keeps that packet's bytes valid after the next call and
    // after this file's end.
    const std::shared_ptr<ReadBlock> &block() const { return block_; }

  private:
    Result<Next> nextInPlace(const pcap_pkthdr *&header, const uint8_t *&data);
    bool fill(uint64_t need);
    std::shared_ptr<ReadBlock> freeBlock(uint64_t need);
    void releaseBehind(uint64_t offset);

    std::string path_;
    pcap_t *pcap_ = nullptr;
    uint64_t file_size_ = 0;
    bool stream_ = true;

    std::shared_ptr<FileMapping> mapping_;  // the whole file, or null
    const uint8_t *map_ = nullptr;          // its bytes
    uint64_t released_ = 0;                 // mapping given back up to here
    uint64_t populated_ = 0;                // mapping populated up to here
    bool populate_ = true;                  // MADV_POPULATE_READ works
    bool in_place_ = false;
    bool swapped_ = false;  // records in the other byte order
    bool nano_ = false;     // nanosecond timestamps
    uint64_t offset_ = 0;   // next record, in place
    pcap_pkthdr header_{};

    // In place: the file, read in blocks (pread) from offset_ on.
    int fd_ = -1;
    std::shared_ptr<ReadBlock> block_;                // holds the bytes from offset_ on
    size_t at_ = 0;                                   // offset_'s place in block_
    std::vector<std::shared_ptr<ReadBlock>> blocks_;  // every block made, for reuse
};

}  // namespace netflow
