// One loaded XDP program as bpf_cost measures it: its fd, what keeps it
// loaded, and the maps it uses, found through the kernel (the program's
// map ids) so that any variant, whatever its maps are called, can be put
// back to empty between measurements: hash maps emptied, ring buffers
// consumed. Arrays (statistics, scratch) are left as they are: they hold
// no state that changes a program's path.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/UniqueFd.h"
#include "netflow_kern_user.h"

struct ring_buffer;

namespace nfbench {

// What the program is in the comparison.
enum class Role {
    Floor,       // the bare XDP_PASS program: the test-run harness alone
    Reference,   // the minimal flow counter
    Target,      // netflow's program, as the sensor loads it
    Filtered,    // netflow's program with a --filter, compared to the target
    Diagnostic,  // parts and knobs of netflow's program, for the breakdown
};

struct ProgramSize {
    uint32_t xlated_insns = 0;    // after the verifier's rewrites
    uint32_t jited_bytes = 0;     // machine code
    uint32_t verified_insns = 0;  // instructions the verifier walked
};

struct TestRun {
    uint32_t duration_ns = 0;  // the kernel's mean per run (truncated to a whole ns)
    uint32_t retval = 0;
    uint64_t wall_ns = 0;  // the whole BPF_PROG_TEST_RUN syscall, from userspace
};

// What a variant is and how bpf_cost treats it.
struct ProgramSpec {
    std::string name;
    std::string what;  // one line for the legend
    Role role = Role::Diagnostic;
    std::shared_ptr<void> owner;  // keeps the program loaded (a skeleton, CountingPrograms)
    int prog_fd = -1;
    int stats_fd = -1;  // a per-CPU array of one struct nf_kern_stats, or -1
    // Its ring buffers are consumed once this many runs (packets, repeats
    // included) have passed since the last time, checked after each test
    // run. 1: after every test run, a reader that keeps up, so that a
    // record finds it waiting and wakes it (bpf_ringbuf_output's default);
    // more: a reader busy elsewhere, whose records wake nobody.
    unsigned drain_every = 1;
    // Role::Filtered: its filter, and the most it may add to the target's
    // net cost per packet (0.10: 10%; 0: no target, only measured).
    std::string filter{};
    double max_overhead = 0;
};

class ProgramUnderTest {
  public:
    // Throws std::runtime_error when the program's maps cannot be opened.
    explicit ProgramUnderTest(ProgramSpec spec);
    ~ProgramUnderTest();
    ProgramUnderTest(ProgramUnderTest &&) noexcept;
    ProgramUnderTest &operator=(ProgramUnderTest &&) noexcept;

    const std::string &name() const { return spec_.name; }
    const std::string &what() const { return spec_.what; }
    Role role() const { return spec_.role; }
    const std::string &filter() const { return spec_.filter; }
    double maxOverhead() const { return spec_.max_overhead; }
    const ProgramSize &size() const { return size_; }
    int fd() const { return spec_.prog_fd; }

    // One BPF_PROG_TEST_RUN of the frame, `repeat` times in the kernel.
    // Throws std::runtime_error on a failed run or XDP_ABORTED.
    TestRun run(std::span<const uint8_t> frame, uint32_t repeat) const;

    // Empties every hash map of the program; returns the entries removed.
    // Consumes its ring buffers too. Throws std::runtime_error.
    uint64_t resetState();
    // Consumes what the program put on its ring buffers, as the sensor's
    // reader would, so that no record fails for want of room.
    void drainRings();
    // After each test run of `runs` packets: drains as spec.drain_every says.
    void afterRun(uint32_t runs);

    // Its statistics on one CPU, when it keeps netflow's: the measuring
    // CPU's, without what DispatcherHold's runs count on another.
    std::optional<nf_kern_stats> stats(int cpu) const;

  private:
    struct HashMap {
        netflow::UniqueFd fd;
        std::string name;
        uint32_t key_size = 0;
        uint32_t value_size = 0;
    };
    struct RingDeleter {
        void operator()(ring_buffer *rb) const;
    };

    void openMaps();

    ProgramSpec spec_;
    uint64_t runs_since_drain_ = 0;
    ProgramSize size_;
    std::vector<HashMap> hashes_;
    std::vector<netflow::UniqueFd> ring_fds_;
    std::vector<std::unique_ptr<ring_buffer, RingDeleter>> rings_;
};

}  // namespace nfbench
