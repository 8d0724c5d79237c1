// RFC 4180 CSV: a header row with the selected names as given, one row per
// flow, CRLF line ends, fields quoted only when they hold a comma, quote or
// line break. Output is buffered; write errors are reported, not ignored.
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "features/FlowFeatures.h"
#include "features/Columns.h"
#include "output/CompressedFile.h"
#include "output/FlowSink.h"

namespace netflow {

class CsvWriter : public FlowSink {
  public:
    // path "-" is stdout. A path ending .gz or .zst is written compressed
    // (output/CompressedFile.h). Throws std::runtime_error when the file
    // cannot be created.
    CsvWriter(const std::string &path, std::vector<SelectedColumn> columns,
              const FlowFeatures &features);
    ~CsvWriter() override;
    CsvWriter(const CsvWriter &) = delete;
    CsvWriter &operator=(const CsvWriter &) = delete;

    void exportFlow(const FlowRecord &flow) override;

    // Writes the buffered rows and flushes the file or pipe.
    void flush() override;

    // Writes out what is buffered and closes the file; on failure, why (disk
    // full, closed pipe...).
    Result<void> finish() override;

    uint64_t rowsWritten() const { return rows_; }

    void addMetrics(std::vector<OutputMetrics> &out) const override {
        out.push_back({"csv", rows_, 0, 0, 0});
    }

  private:
    // Rows are formatted straight into a fixed buffer (no per-field string
    // appends: this runs for every column of every flow).
    static constexpr size_t kBufferSize = 1 << 18;
    static constexpr size_t kMaxNumberChars = 400;  // a double in fixed notation

    char *reserve(size_t n);  // room for n more chars, flushing if needed
    void putChar(char c);
    void appendText(const std::string &text);
    void flushBuffer();
    void writeOut(const char *data, size_t n);

    std::string path_;
    FILE *file_;                                  // plain, or
    std::unique_ptr<CompressedFile> compressed_;  // compressed
    bool owns_file_;
    std::vector<SelectedColumn> columns_;
    const FlowFeatures &features_;
    FeatureValue value_;
    std::unique_ptr<char[]> buffer_;
    size_t used_ = 0;
    std::string scratch_;  // a real number's text, or an oversized field
    std::string error_;
    uint64_t rows_ = 0;
};

}  // namespace netflow
