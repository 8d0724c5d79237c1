// What `-f` names, as the list of capture files to read as one capture
// (docs/decisions.md, "Many files as one capture"): a file as it is, `-`
// (stdin), a directory (its pcap and pcapng files, by their first bytes,
// not their names) or a glob (quoted, so the shell leaves it to us).
// Directory entries and glob matches come in natural order (1.pcap, 2.pcap,
// ..., 10.pcap); the order of the list breaks ties between equal timestamps.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace netflow {

struct CaptureInputs {
    std::vector<std::string> files;
    // One line per argument that yields nothing: an empty directory, a glob
    // matching no file. The rest is still read; the run exits 1.
    std::vector<std::string> problems;
};

// A file named twice (also through a directory or a glob), or `-` twice,
// is read once.
CaptureInputs expandCaptureInputs(const std::vector<std::string> &args);

// A pcap (any byte order, micro- or nanosecond) or pcapng file, by its first
// four bytes.
bool looksLikeCapture(const std::string &path);

}  // namespace netflow
