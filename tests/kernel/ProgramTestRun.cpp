#include "ProgramTestRun.h"

#include <bpf/bpf.h>

namespace nftest {

TestRunResult testRun(int prog_fd, std::span<const uint8_t> frame, std::vector<uint8_t> *out) {
    // Not LIBBPF_OPTS: its statement expression is not ISO C++.
    bpf_test_run_opts opts{};
    opts.sz = sizeof(opts);
    opts.data_in = frame.data();
    opts.data_size_in = static_cast<uint32_t>(frame.size());
    opts.repeat = 1;
    if (out) {
        // Room for the frame and any metadata in front of it (at most 255
        // bytes on any kernel).
        out->resize(frame.size() + 256);
        opts.data_out = out->data();
        opts.data_size_out = static_cast<uint32_t>(out->size());
    }
    TestRunResult r;
    r.err = bpf_prog_test_run_opts(prog_fd, &opts);
    r.retval = opts.retval;
    if (out)
        out->resize(r.err ? 0 : opts.data_size_out);
    return r;
}

}  // namespace nftest
