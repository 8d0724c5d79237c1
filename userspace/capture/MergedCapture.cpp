#include "capture/MergedCapture.h"

#include <algorithm>
#include <limits>

#include "capture/LinkLayer.h"

namespace netflow {
namespace {

constexpr int64_t kAtOnce = std::numeric_limits<int64_t>::min();

int64_t micros(const pcap_pkthdr &h) {
    return static_cast<int64_t>(h.ts.tv_sec) * 1000000 + static_cast<int64_t>(h.ts.tv_usec);
}

}  // namespace

MergedCapture::MergedCapture(std::vector<std::string> paths) {
    for (std::string &path : paths) {
        std::unique_ptr<PcapFile> pcap;
        try {
            pcap = std::make_unique<PcapFile>(path);
        } catch (const CaptureError &e) {
            problems_.emplace_back(e.what());
            continue;
        }
        const int dlt = pcap->linkType();
        if (!isSupportedLinkType(dlt)) {
            problems_.push_back(path + ": unsupported link type " + linkTypeName(dlt));
            continue;
        }
        File f;
        f.path = std::move(path);
        f.link_type = dlt;
        f.size = pcap->fileSize();
        total_bytes_ += f.size;
        if (pcap->isStream()) {
            // Read once, as it comes: it stays open, in the merge at once.
            has_stream_ = true;
            f.first_us = kAtOnce;
            f.open = std::move(pcap);
        } else {
            // Its first packet says when the merge needs it; it is closed
            // until then. An empty or damaged start: at once (the error is
            // then reported in its turn like any other).
            const pcap_pkthdr *h = nullptr;
            const uint8_t *d = nullptr;
            Result<PcapFile::Next> first = pcap->next(h, d);
            f.first_us = first && first.value() == PcapFile::Next::Packet ? micros(*h) : kAtOnce;
        }
        auto known = std::find_if(link_types_.begin(), link_types_.end(),
                                  [dlt](const LinkType &l) { return l.dlt == dlt; });
        const int snaplen = f.open ? f.open->snapLength() : pcap->snapLength();
        if (known == link_types_.end())
            link_types_.push_back({dlt, snaplen});
        else
            known->snaplen = std::max(known->snaplen, snaplen);
        files_.push_back(std::move(f));
    }
    by_start_.resize(files_.size());
    for (size_t i = 0; i < files_.size(); i++)
        by_start_[i] = i;
    std::stable_sort(by_start_.begin(), by_start_.end(), [this](size_t a, size_t b) {
        return files_[a].first_us < files_[b].first_us;
    });
}

MergedCapture::~MergedCapture() = default;

void MergedCapture::close(size_t i) {
    done_bytes_ += files_[i].size;
    // Its blocks still held (packets in flight) outlive it.
    files_[i].open.reset();
    files_[i].head = nullptr;
    files_[i].head_data = nullptr;
}

Result<void> MergedCapture::advance(size_t i) {
    File &f = files_[i];
    const pcap_pkthdr *h = nullptr;
    const uint8_t *d = nullptr;
    Result<PcapFile::Next> r = f.open->next(h, d);
    if (!r) {
        std::string error = r.error();
        close(i);
        return Result<void>::failure(std::move(error));
    }
    if (r.value() == PcapFile::Next::End) {
        close(i);
        return {};
    }
    f.head = h;
    f.head_data = d;
    heads_.push({micros(*h), i});
    return {};
}

Result<MergedCapture::Next> MergedCapture::next(Packet &packet) {
    // The packet returned last stays valid until now: only now is its file
    // read further.
    if (current_ != kNone) {
        const size_t i = current_;
        current_ = kNone;
        if (Result<void> r = advance(i); !r)
            return Result<Next>::failure(r.error());
    }
    // Files whose first packet is due join the merge.
    while (opened_ < by_start_.size()) {
        const size_t i = by_start_[opened_];
        File &f = files_[i];
        if (!heads_.empty() && f.first_us > heads_.top().ts_us)
            break;
        opened_++;
        if (!f.open) {
            try {
                f.open = std::make_unique<PcapFile>(f.path);
            } catch (const CaptureError &e) {
                done_bytes_ += f.size;
                return Result<Next>::failure(e.what());
            }
        }
        if (Result<void> r = advance(i); !r)
            return Result<Next>::failure(r.error());
    }
    if (heads_.empty())
        return Next::End;
    const Head top = heads_.top();
    heads_.pop();
    current_ = top.file;
    const File &f = files_[top.file];
    packet.header = f.head;
    packet.data = f.head_data;
    packet.link_type = f.link_type;
    // A pointer, not a copy: copying a shared_ptr is an atomic
    // read-modify-write once the run has threads (10% of the reader's time
    // in a `--threads 2` profile, per packet); the pipeline copies it once
    // per batch.
    packet.block = f.open->inPlace() ? &f.open->block() : nullptr;
    return Next::Packet;
}

uint64_t MergedCapture::bytesRead() const {
    uint64_t n = done_bytes_;
    for (const File &f : files_) {
        if (f.open && !f.open->isStream())
            n += f.open->bytesRead();
    }
    return n;
}

size_t MergedCapture::openFiles() const {
    return static_cast<size_t>(std::count_if(files_.begin(), files_.end(),
                                             [](const File &f) { return f.open != nullptr; }));
}

}  // namespace netflow
