#include "capture/PcapFile.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include "capture/LinkLayer.h"

namespace netflow {
namespace {

constexpr uint32_t kMagicMicro = 0xA1B2C3D4;
constexpr uint32_t kMagicNano = 0xA1B23C4D;
constexpr uint64_t kFileHeader = 24;
constexpr uint64_t kRecordHeader = 16;
// libpcap's largest capture length for every link type we decode
// (MAXIMUM_SNAPLEN, max_snaplen_for_dlt()).
constexpr uint32_t kMaxCaplen = 262144;
// Pages already read are handed back in steps of this much, so that a
// mapped file does not show up as the process's memory (RSS).
constexpr uint64_t kReleaseStep = 4u << 20;
// A classic pcap file is read into blocks of this much, reused once no
// packet in them is held any more: reading (the kernel's copy into memory
// this process touched before) costs less than a mapping whose every
// fresh page faults in on first touch (docs/threads.md, "Reading in
// blocks"). One transparent huge page: one fault, not 512. Larger than
// any record (kMaxCaplen + its header).
constexpr uint64_t kBlockBytes = 2u << 20;
// ... kReadStep at a time, so that the records just read are still in the
// CPU's cache when they are parsed.
constexpr uint64_t kReadStep = 256u << 10;
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23  // Linux 5.14
#endif
// What libpcap reads from the mapping (pcapng, and other files not read in
// blocks) is mapped in (MADV_POPULATE_READ) this much at a time ahead of
// it: one system call instead of a page fault every 64 KB (fault-around),
// ~7 us each on a virtual machine.
constexpr uint64_t kPopulateStep = 4u << 20;
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22  // Linux 5.14
#endif

uint32_t load32(const uint8_t *p, bool swapped) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return swapped ? __builtin_bswap32(v) : v;
}

uint16_t load16(const uint8_t *p, bool swapped) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return swapped ? __builtin_bswap16(v) : v;
}

}  // namespace

ReadBlock::ReadBlock(size_t bytes) : capacity_(bytes) {
    void *m = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        throw std::bad_alloc();
    // Best effort (the kernel may say no): a huge page, mapped in now in
    // one call rather than page by page as the reads fill it.
    ::madvise(m, bytes, MADV_HUGEPAGE);
    ::madvise(m, bytes, MADV_POPULATE_WRITE);
    data_ = static_cast<uint8_t *>(m);
}

ReadBlock::~ReadBlock() {
    ::munmap(data_, capacity_);
}

FileMapping::~FileMapping() {
    ::munmap(const_cast<uint8_t *>(data_), size_);
}

PcapFile::PcapFile(const std::string &path) : path_(path) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    struct stat st {};
    const bool regular = path != "-" && stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
    if (regular && static_cast<uint64_t>(st.st_size) >= kFileHeader) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            void *m =
                ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
            if (m == MAP_FAILED)
                ::close(fd);
            else
                fd_ = fd;  // kept for reading in blocks, closed below if not in place
            if (m != MAP_FAILED) {
                map_ = static_cast<const uint8_t *>(m);
                file_size_ = static_cast<uint64_t>(st.st_size);
                mapping_ = std::make_shared<FileMapping>(map_, file_size_);
                ::madvise(m, file_size_, MADV_SEQUENTIAL);
            }
        }
    }
    if (map_) {
        FILE *f = ::fmemopen(const_cast<uint8_t *>(map_), file_size_, "rb");
        if (f) {
            pcap_ =
                pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
            if (!pcap_)
                std::fclose(f);
        } else {
            std::snprintf(errbuf, sizeof errbuf, "%s", std::strerror(errno));
        }
    } else {
        pcap_ = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_MICRO,
                                                        errbuf);
    }
    if (!pcap_) {
        if (fd_ >= 0)
            ::close(fd_);
        // libpcap's words for a file of neither format (a CSV given for
        // the capture, say) do not say which formats it knows.
        const std::string why = errbuf;
        throw CaptureError("cannot read capture " + path + ": " + why +
                           (why == "unknown file format" ? " (not a pcap or pcapng capture)" : ""));
    }
    if (regular) {
        file_size_ = static_cast<uint64_t>(st.st_size);
        stream_ = false;
    }
    if (!map_)
        return;
    // A classic pcap file libpcap would read record by record without
    // changing a byte: walked in place.
    const uint32_t magic = load32(map_, false);
    const bool swapped =
        magic == __builtin_bswap32(kMagicMicro) || magic == __builtin_bswap32(kMagicNano);
    const uint32_t native = swapped ? __builtin_bswap32(magic) : magic;
    if ((native == kMagicMicro || native == kMagicNano) && load16(map_ + 4, swapped) == 2 &&
        load16(map_ + 6, swapped) >= 4 && isSupportedLinkType(linkType())) {
        in_place_ = true;
        swapped_ = swapped;
        nano_ = native == kMagicNano;
        offset_ = kFileHeader;
        ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    } else if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

PcapFile::~PcapFile() {
    if (pcap_)
        pcap_close(pcap_);
    if (fd_ >= 0)
        ::close(fd_);
}

std::shared_ptr<ReadBlock> PcapFile::freeBlock(uint64_t need) {
    // A block nobody else holds: its packets are done with. Its holders
    // (the threaded pipeline's batches) are all dropped on this thread,
    // each after its worker said it was done (docs/threads.md).
    for (const std::shared_ptr<ReadBlock> &b : blocks_) {
        if (b.use_count() == 1 && b->capacity() >= need)
            return b;
    }
    blocks_.push_back(std::make_shared<ReadBlock>(std::max(kBlockBytes, need)));
    return blocks_.back();
}

bool PcapFile::fill(uint64_t need) {
    // The file's bytes [offset_, offset_ + need) contiguous in block_: read
    // after what the block holds while it has room (the bytes handed out
    // stay where they are), else what is left of it moves to the start of
    // a free block and the rest is read after it. A file that became
    // shorter than its size ends where its bytes end (the record checks
    // then say it is cut off).
    const size_t have = block_ ? block_->size - at_ : 0;
    if (have >= need)
        return true;
    if (!block_ || block_->capacity() - block_->size < need - have) {
        std::shared_ptr<ReadBlock> next = freeBlock(need);
        if (have > 0)
            std::memcpy(next->data(), block_->data() + at_, have);
        next->size = have;
        block_ = std::move(next);
        at_ = 0;
    }
    ReadBlock &b = *block_;
    const uint64_t file_at = offset_ + (b.size - at_);  // where b's bytes end in the file
    const size_t want = static_cast<size_t>(std::min<uint64_t>(
        {b.capacity() - b.size, std::max<uint64_t>(kReadStep, need - have), file_size_ - file_at}));
    size_t got = 0;
    while (got < want) {
        const ssize_t r =
            ::pread(fd_, b.data() + b.size + got, want - got, static_cast<off_t>(file_at + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            b.size += got;
            return false;
        }
        if (r == 0) {
            file_size_ = file_at + got;
            break;
        }
        got += static_cast<size_t>(r);
    }
    b.size += got;
    return true;
}

void PcapFile::releaseBehind(uint64_t offset) {
    if (populate_ && offset + kPopulateStep > populated_ && populated_ < file_size_) {
        const uint64_t from = std::max(populated_, offset & ~uint64_t{4095});
        const uint64_t upto = std::min(file_size_, from + 2 * kPopulateStep);
        // Best effort: an older kernel (EINVAL) falls back to page faults.
        if (::madvise(const_cast<uint8_t *>(map_) + from, upto - from, MADV_POPULATE_READ) != 0 &&
            errno == EINVAL)
            populate_ = false;
        populated_ = upto;
    }
    if (offset < released_ + 2 * kReleaseStep)
        return;
    const uint64_t upto = (offset - kReleaseStep) & ~(kReleaseStep - 1);
    if (upto <= released_)
        return;
    ::madvise(const_cast<uint8_t *>(map_) + released_, upto - released_, MADV_DONTNEED);
    released_ = upto;
}

Result<PcapFile::Next> PcapFile::nextInPlace(const pcap_pkthdr *&header, const uint8_t *&data) {
    // The same checks, in the same order, with the same messages as
    // libpcap's pcap_next_packet() (sf-pcap.c).
    auto fail = [&](const char *format, auto... args) {
        char text[PCAP_ERRBUF_SIZE];
        std::snprintf(text, sizeof text, format, args...);
        offset_ = file_size_;
        return Result<Next>::failure(path_ + ": " + text);
    };
    auto readError = [&] { return fail("%s", std::strerror(errno)); };
    if (offset_ == file_size_)
        return Next::End;
    if (!fill(std::min(kRecordHeader, file_size_ - offset_)))
        return readError();
    if (offset_ == file_size_)
        return Next::End;  // cut off since it was opened, at a record's start
    uint64_t left = file_size_ - offset_;
    if (left < kRecordHeader)
        return fail("truncated dump file; tried to read %zu header bytes, only got %zu",
                    static_cast<size_t>(kRecordHeader), static_cast<size_t>(left));
    const uint8_t *r = block_->data() + at_;
    // As libpcap 1.10 has them: signed in the machine's byte order, and
    // unsigned when swapped (its SWAPLONG gives an unsigned value).
    const uint32_t sec = load32(r, swapped_), fraction = load32(r + 4, swapped_);
    if (!swapped_) {
        header_.ts.tv_sec = static_cast<int32_t>(sec);
        const int32_t f = static_cast<int32_t>(fraction);
        header_.ts.tv_usec = nano_ ? f / 1000 : f;
    } else {
        header_.ts.tv_sec = static_cast<time_t>(sec);
        header_.ts.tv_usec = static_cast<suseconds_t>(nano_ ? fraction / 1000 : fraction);
    }
    uint32_t caplen = load32(r + 8, swapped_);
    header_.len = load32(r + 12, swapped_);
    const uint32_t snapshot = static_cast<uint32_t>(snapLength());
    if (caplen > kMaxCaplen) {
        if (caplen > snapshot)
            return fail("invalid packet capture length %u, bigger than snaplen of %d", caplen,
                        snapLength());
        return fail("invalid packet capture length %u, bigger than maximum of %u", caplen,
                    kMaxCaplen);
    }
    const uint32_t stored = caplen;
    if (!fill(kRecordHeader + std::min<uint64_t>(stored, left - kRecordHeader)))
        return readError();
    left = file_size_ - offset_ - kRecordHeader;
    if (caplen > snapshot) {
        // Longer than the file's snapshot length: libpcap cuts it there.
        if (left < snapshot)
            return fail("truncated dump file; tried to read %u captured bytes, only got %zu",
                        snapshot, static_cast<size_t>(left));
        caplen = snapshot;
    }
    if (left < stored)
        return fail("truncated dump file; tried to read %u captured bytes, only got %zu", stored,
                    static_cast<size_t>(left));
    header_.caplen = caplen;
    header = &header_;
    data = block_->data() + at_ + kRecordHeader;
    at_ += kRecordHeader + stored;
    offset_ += kRecordHeader + stored;
    return Next::Packet;
}

Result<PcapFile::Next> PcapFile::next(const pcap_pkthdr *&header, const uint8_t *&data) {
    if (in_place_)
        return nextInPlace(header, data);
    pcap_pkthdr *h = nullptr;
    const u_char *d = nullptr;
    int rc = pcap_next_ex(pcap_, &h, &d);
    if (rc == 1) {
        header = h;
        data = d;
        if (map_)
            releaseBehind(bytesRead());  // libpcap copied the packet out
        return Next::Packet;
    }
    if (rc == PCAP_ERROR_BREAK)
        return Next::End;
    return Result<Next>::failure(path_ + ": " + pcap_geterr(pcap_));
}

uint64_t PcapFile::bytesRead() const {
    if (in_place_)
        return offset_;
    FILE *f = pcap_file(pcap_);
    long pos = f ? std::ftell(f) : -1;
    return pos > 0 ? static_cast<uint64_t>(pos) : 0;
}

}  // namespace netflow
