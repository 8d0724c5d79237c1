#include "capture/PcapFile.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace netflow {

PcapFile::PcapFile(const std::string &path) : path_(path) {
    // Our own stream, for its buffer: libpcap freads every record header and
    // body, and stdio's default 4 KiB buffer costs a read(2) per 4 KiB.
    FILE *stream = std::fopen(path.c_str(), "rb");
    if (!stream)
        throw CaptureError("cannot read capture " + path + ": " + std::strerror(errno));
    // glibc ignores the size unless it is given the buffer itself.
    stream_buffer_ = std::make_unique<char[]>(kStreamBufferSize);
    std::setvbuf(stream, stream_buffer_.get(), _IOFBF, kStreamBufferSize);
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_ = pcap_fopen_offline_with_tstamp_precision(stream, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (!pcap_) {
        std::fclose(stream);
        throw CaptureError("cannot read capture " + path + ": " + errbuf);
    }
    struct stat st {};
    if (stat(path.c_str(), &st) == 0)
        file_size_ = static_cast<uint64_t>(st.st_size);
}

PcapFile::~PcapFile() {
    if (pcap_)
        pcap_close(pcap_);  // closes the stream too
}

PcapFile::Next PcapFile::next(const pcap_pkthdr *&header, const uint8_t *&data) {
    pcap_pkthdr *h = nullptr;
    const u_char *d = nullptr;
    int rc = pcap_next_ex(pcap_, &h, &d);
    if (rc == 1) {
        header = h;
        data = d;
        return Next::Packet;
    }
    if (rc == PCAP_ERROR_BREAK)
        return Next::End;
    error_ = path_ + ": " + pcap_geterr(pcap_);
    return Next::Error;
}

uint64_t PcapFile::bytesRead() const {
    FILE *f = pcap_file(pcap_);
    long pos = f ? std::ftell(f) : -1;
    return pos > 0 ? static_cast<uint64_t>(pos) : 0;
}

}  // namespace netflow
