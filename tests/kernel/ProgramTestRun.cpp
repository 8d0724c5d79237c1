#include "ProgramTestRun.h"

#include <bpf/bpf.h>

namespace nftest {

TestRunResult testRun(int prog_fd, std::span<const uint8_t> frame) {
    // Not LIBBPF_OPTS: its statement expression is not ISO C++.
    bpf_test_run_opts opts{};
    opts.sz = sizeof(opts);
    opts.data_in = frame.data();
    opts.data_size_in = static_cast<uint32_t>(frame.size());
    opts.repeat = 1;
    TestRunResult r;
    r.err = bpf_prog_test_run_opts(prog_fd, &opts);
    r.retval = opts.retval;
    return r;
}

}  // namespace nftest
