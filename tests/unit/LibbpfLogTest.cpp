// libbpf's own messages reach netflow's stderr, prefixed, with -v only
// (runKernelLive routes them before loading).
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "kernel/LibbpfLog.h"

namespace {

// Something libbpf explains on its own: opening a file that is not an
// object file.
std::string libbpfSaysWhy(bool verbose) {
    netflow::routeLibbpfLog(verbose);
    testing::internal::CaptureStderr();
    bpf_object *obj = bpf_object__open_file("/proc/self/status", nullptr);
    std::fflush(stderr);
    std::string said = testing::internal::GetCapturedStderr();
    if (libbpf_get_error(obj) == 0)
        bpf_object__close(obj);
    return said;
}

TEST(LibbpfLog, VerboseShowsLibbpfsMessagesPrefixed) {
    const std::string said = libbpfSaysWhy(true);
    ASSERT_FALSE(said.empty());
    EXPECT_EQ(said.rfind("netflow: libbpf: ", 0), 0u) << said;
}

TEST(LibbpfLog, QuietWithoutVerbose) {
    EXPECT_EQ(libbpfSaysWhy(false), "");
}

}  // namespace
