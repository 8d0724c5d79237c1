#include "capture/PcapFile.h"

#include <sys/stat.h>

#include <cstdio>

namespace netflow {

PcapFile::PcapFile(const std::string &path) : path_(path) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_ =
        pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_MICRO, errbuf);
    if (!pcap_)
        throw CaptureError("cannot read capture " + path + ": " + errbuf);
    struct stat st {};
    if (path != "-" && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        file_size_ = static_cast<uint64_t>(st.st_size);
        stream_ = false;
    }
}

PcapFile::~PcapFile() {
    if (pcap_)
        pcap_close(pcap_);
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
