// A pcap or pcapng file opened with libpcap (RAII), timestamps in
// microseconds whatever precision the file has.
#pragma once

#include <pcap/pcap.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace netflow {

struct CaptureError : std::runtime_error {
    using std::runtime_error::runtime_error;
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

    enum class Next { Packet, End, Error };
    // On Error, error() says why (e.g. a record cut off mid-way).
    Next next(const pcap_pkthdr *&header, const uint8_t *&data);
    std::string error() const { return error_; }

    // For the progress bar.
    uint64_t bytesRead() const;
    uint64_t fileSize() const { return file_size_; }

    // Read as it is written (stdin, a FIFO, a socket): not a regular file.
    bool isStream() const { return stream_; }

  private:
    std::string path_;
    pcap_t *pcap_ = nullptr;
    uint64_t file_size_ = 0;
    bool stream_ = true;
    std::string error_;
};

}  // namespace netflow
