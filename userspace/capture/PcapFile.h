// A pcap or pcapng file (RAII), timestamps in microseconds whatever
// precision the file has.
//
// A regular file is mapped into memory (docs/decisions.md, "Reading
// captures through mmap"), not copied through stdio. libpcap reads its
// header either way (link type, snapshot length, byte order: its rules).
// Then a classic pcap file (version 2.4, a link type we decode) is walked
// in place: each packet handed out is the mapped bytes, with libpcap's
// checks and error messages for damaged records. pcapng and anything else
// are read by libpcap from the mapping (fmemopen). Stdin, FIFOs and sockets
// are read by libpcap as a stream.
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "common/Result.h"

namespace netflow {

struct CaptureError : std::runtime_error {
    using std::runtime_error::runtime_error;
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

    // The records are walked in the mapping (no copy): for tests.
    bool inPlace() const { return in_place_; }
    // The mapping the packets handed out lie in (null when not in place):
    // whoever keeps it keeps them valid after the next call or this file's
    // end. Pages already read may be given back to the page cache
    // (MADV_DONTNEED): a later read of them maps them again, same bytes.
    std::shared_ptr<const FileMapping> mapping() const { return in_place_ ? mapping_ : nullptr; }

  private:
    Result<Next> nextInPlace(const pcap_pkthdr *&header, const uint8_t *&data);
    void releaseBehind(uint64_t offset);
    void prefetchAhead();

    std::string path_;
    pcap_t *pcap_ = nullptr;
    uint64_t file_size_ = 0;
    bool stream_ = true;

    std::shared_ptr<FileMapping> mapping_;  // the whole file, or null
    const uint8_t *map_ = nullptr;          // its bytes
    uint64_t released_ = 0;                 // mapping given back up to here
    uint64_t prefetched_ = 0;               // cache lines requested up to here
    uint64_t populated_ = 0;                // mapping populated up to here
    bool populate_ = true;                  // MADV_POPULATE_READ works
    bool in_place_ = false;
    bool swapped_ = false;  // records in the other byte order
    bool nano_ = false;     // nanosecond timestamps
    uint64_t offset_ = 0;   // next record, in place
    pcap_pkthdr header_{};
};

}  // namespace netflow
