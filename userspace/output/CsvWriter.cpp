#include "output/CsvWriter.h"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>

namespace netflow {
namespace {

constexpr size_t kFlushAt = 1 << 16;

}  // namespace

CsvWriter::CsvWriter(const std::string &path, std::vector<SelectedColumn> columns,
                     const FlowFeatures &features)
    : path_(path),
      file_(nullptr),
      owns_file_(path != "-"),
      columns_(std::move(columns)),
      features_(features) {
    file_ = owns_file_ ? std::fopen(path.c_str(), "wb") : stdout;
    if (!file_)
        throw std::runtime_error("cannot create " + path + ": " + std::strerror(errno));
    buffer_.reserve(kFlushAt * 2);
    for (size_t i = 0; i < columns_.size(); i++) {
        if (i)
            buffer_ += ',';
        appendField(columns_[i].header);
    }
    buffer_ += "\r\n";
}

CsvWriter::~CsvWriter() {
    finish();
}

void CsvWriter::appendField(const std::string &text) {
    if (text.find_first_of(",\"\r\n") == std::string::npos) {
        buffer_ += text;
        return;
    }
    buffer_ += '"';
    for (char c : text) {
        if (c == '"')
            buffer_ += '"';
        buffer_ += c;
    }
    buffer_ += '"';
}

void CsvWriter::exportFlow(const FlowRecord &flow) {
    for (size_t i = 0; i < columns_.size(); i++) {
        if (i)
            buffer_ += ',';
        features_.compute(columns_[i].column, flow, value_);
        switch (value_.kind) {
            case FeatureValue::Kind::Integer: {
                char buf[24];
                auto res = std::to_chars(buf, buf + sizeof(buf), value_.integer);
                buffer_.append(buf, res.ptr);
                break;
            }
            case FeatureValue::Kind::Real:
                appendReal(buffer_, value_.real);
                break;
            case FeatureValue::Kind::Text:
                appendField(value_.text);
                break;
        }
    }
    buffer_ += "\r\n";
    rows_++;
    if (buffer_.size() >= kFlushAt)
        flushBuffer();
}

void CsvWriter::flushBuffer() {
    if (!file_ || buffer_.empty())
        return;
    if (error_.empty() && std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size())
        error_ = "cannot write " + path_ + ": " + std::strerror(errno);
    buffer_.clear();
}

std::string CsvWriter::finish() {
    if (!file_)
        return error_;
    flushBuffer();
    if (std::fflush(file_) != 0 && error_.empty())
        error_ = "cannot write " + path_ + ": " + std::strerror(errno);
    if (owns_file_ && std::fclose(file_) != 0 && error_.empty())
        error_ = "cannot write " + path_ + ": " + std::strerror(errno);
    file_ = nullptr;
    return error_;
}

}  // namespace netflow
