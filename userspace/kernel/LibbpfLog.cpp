#include "kernel/LibbpfLog.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>

namespace netflow {
namespace {

// Warnings and information; libbpf's debug level (every relocation) is
// more than a user wants even with -v.
int printVerbose(enum libbpf_print_level level, const char *format, va_list args) {
    if (level == LIBBPF_DEBUG)
        return 0;
    std::fputs("netflow: libbpf: ", stderr);
    return std::vfprintf(stderr, format, args);
}

int printNothing(enum libbpf_print_level, const char *, va_list) {
    return 0;
}

}  // namespace

void routeLibbpfLog(bool verbose) {
    libbpf_set_print(verbose ? printVerbose : printNothing);
}

}  // namespace netflow
