#include "output/CsvWriter.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

#include <unistd.h>

#include "common/StopSignal.h"

namespace netflow {

CsvWriter::CsvWriter(const std::string &path, std::vector<SelectedColumn> columns,
                     const FlowFeatures &features)
    : path_(path),
      file_(nullptr),
      owns_file_(path != "-"),
      columns_(std::move(columns)),
      features_(features),
      buffer_(std::make_unique<char[]>(kBufferSize)) {
    const Compression compression = owns_file_ ? compressionFor(path) : Compression::None;
    if (compression != Compression::None)
        compressed_ = std::make_unique<CompressedFile>(path, compression);
    else
        file_ = owns_file_ ? std::fopen(path.c_str(), "wb") : stdout;
    if (!file_ && !compressed_)
        throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    for (size_t i = 0; i < columns_.size(); i++) {
        if (i)
            putChar(',');
        appendText(columns_[i].header);
    }
    std::memcpy(reserve(2), "\r\n", 2);
    used_ += 2;
}

CsvWriter::~CsvWriter() {
    finish();
}

char *CsvWriter::reserve(size_t n) {
    if (used_ + n > kBufferSize)
        flushBuffer();
    return buffer_.get() + used_;
}

void CsvWriter::putChar(char c) {
    *reserve(1) = c;
    used_++;
}

void CsvWriter::appendText(const std::string &text) {
    bool quote = false;
    for (char c : text)
        quote |= c == ',' || c == '"' || c == '\r' || c == '\n';
    if (!quote && text.size() <= kBufferSize / 2) {
        std::memcpy(reserve(text.size()), text.data(), text.size());
        used_ += text.size();
        return;
    }
    // Quoted (RFC 4180: quotes doubled) or too large for the buffer.
    scratch_.clear();
    if (quote)
        scratch_ += '"';
    for (char c : text) {
        if (c == '"')
            scratch_ += '"';
        scratch_ += c;
    }
    if (quote)
        scratch_ += '"';
    if (scratch_.size() > kBufferSize / 2) {
        flushBuffer();
        writeOut(scratch_.data(), scratch_.size());
        return;
    }
    std::memcpy(reserve(scratch_.size()), scratch_.data(), scratch_.size());
    used_ += scratch_.size();
}

void CsvWriter::exportFlow(const FlowRecord &flow) {
    features_.beginRow(flow);
    for (size_t i = 0; i < columns_.size(); i++) {
        features_.compute(columns_[i].column, flow, value_);
        if (value_.kind == FeatureValue::Kind::Text) {
            if (i)
                putChar(',');
            appendText(value_.text);
            continue;
        }
        char *p = reserve(kMaxNumberChars + 1);
        char *end = p + kMaxNumberChars + 1;
        if (i)
            *p++ = ',';
        if (value_.kind == FeatureValue::Kind::Integer) {
            p = std::to_chars(p, end, value_.integer).ptr;
        } else {
            scratch_.clear();
            appendReal(scratch_, value_.real);
            std::memcpy(p, scratch_.data(), scratch_.size());
            p += scratch_.size();
        }
        used_ = static_cast<size_t>(p - buffer_.get());
    }
    std::memcpy(reserve(2), "\r\n", 2);
    used_ += 2;
    rows_++;
}

// Straight to the descriptor (the rows are buffered here already): stdio
// gives up on EINTR, which a stop signal or --max-time's timer can cause
// while a pipe is full. After an error nothing more is written, and the
// run is stopped: every further row would be lost too (a closed pipe:
// -c - | head -1).
void CsvWriter::writeOut(const char *data, size_t n) {
    if (compressed_) {
        if (compressed_->failed())
            requestStop();  // finish() says why
        else
            compressed_->write(data, n);
        return;
    }
    const int fd = ::fileno(file_);
    while (error_.empty() && n > 0) {
        ssize_t w = ::write(fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            error_ = "cannot write " + path_ + ": " + std::strerror(w < 0 ? errno : ENOSPC);
            requestStop();
            return;
        }
        data += w;
        n -= static_cast<size_t>(w);
    }
}

void CsvWriter::flushBuffer() {
    if ((!file_ && !compressed_) || used_ == 0)
        return;
    writeOut(buffer_.get(), used_);
    used_ = 0;
}

void CsvWriter::flush() {
    if (file_ || compressed_)
        flushBuffer();  // write(2): nothing stays in stdio
    if (compressed_)
        compressed_->flush();
}

Result<void> CsvWriter::finish() {
    if (compressed_) {
        flushBuffer();
        Result<void> done = compressed_->finish();
        compressed_.reset();
        error_ = done ? "" : done.error();
    }
    if (!file_)
        return Result<void>::fromMessage(error_);
    flushBuffer();
    if (std::fflush(file_) != 0 && error_.empty())
        error_ = "cannot write " + path_ + ": " + std::strerror(errno);
    if (owns_file_ && std::fclose(file_) != 0 && error_.empty())
        error_ = "cannot write " + path_ + ": " + std::strerror(errno);
    file_ = nullptr;
    return Result<void>::fromMessage(error_);
}

}  // namespace netflow
