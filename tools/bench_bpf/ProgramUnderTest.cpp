#include "ProgramUnderTest.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <chrono>
#include <stdexcept>

#include "kernel/KernelError.h"

namespace nfbench {
namespace {

uint64_t ptrToU64(const void *p) {
    return static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p));
}

[[noreturn]] void fail(const std::string &what, int err) {
    throw std::runtime_error(netflow::errnoMessage(what, err));
}

// The records themselves are of no interest: consuming them is the point.
int discardRecord(void *, void *, size_t) {
    return 0;
}

}  // namespace

void ProgramUnderTest::RingDeleter::operator()(ring_buffer *rb) const {
    ring_buffer__free(rb);
}

ProgramUnderTest::ProgramUnderTest(ProgramSpec spec) : spec_(std::move(spec)) {
    if (spec_.drain_every == 0)
        spec_.drain_every = 1;
    openMaps();
}

ProgramUnderTest::~ProgramUnderTest() = default;
ProgramUnderTest::ProgramUnderTest(ProgramUnderTest &&) noexcept = default;
ProgramUnderTest &ProgramUnderTest::operator=(ProgramUnderTest &&) noexcept = default;

void ProgramUnderTest::openMaps() {
    bpf_prog_info info{};
    uint32_t len = sizeof(info);
    if (int err = bpf_obj_get_info_by_fd(spec_.prog_fd, &info, &len))
        fail("reading the program info of " + spec_.name, err);
    size_.xlated_insns = info.xlated_prog_len / sizeof(bpf_insn);
    size_.jited_bytes = info.jited_prog_len;
    size_.verified_insns = info.verified_insns;

    // Asked again with room for the map ids, and nothing else.
    std::vector<uint32_t> ids(info.nr_map_ids);
    bpf_prog_info with_ids{};
    with_ids.nr_map_ids = static_cast<uint32_t>(ids.size());
    with_ids.map_ids = ptrToU64(ids.data());
    len = sizeof(with_ids);
    if (int err = bpf_obj_get_info_by_fd(spec_.prog_fd, &with_ids, &len))
        fail("reading the map ids of " + spec_.name, err);

    for (uint32_t id : ids) {
        netflow::UniqueFd fd(bpf_map_get_fd_by_id(id));
        if (!fd)
            fail("opening map " + std::to_string(id) + " of " + spec_.name, -errno);
        bpf_map_info map{};
        uint32_t map_len = sizeof(map);
        if (int err = bpf_obj_get_info_by_fd(fd.get(), &map, &map_len))
            fail("reading map " + std::to_string(id) + " of " + spec_.name, err);
        if (map.type == BPF_MAP_TYPE_HASH || map.type == BPF_MAP_TYPE_LRU_HASH) {
            hashes_.push_back(HashMap{std::move(fd), map.name, map.key_size, map.value_size});
        } else if (map.type == BPF_MAP_TYPE_RINGBUF) {
            ring_buffer *rb = ring_buffer__new(fd.get(), discardRecord, nullptr, nullptr);
            if (!rb)
                fail(std::string("opening ring buffer ") + map.name + " of " + spec_.name, -errno);
            rings_.emplace_back(rb);
            ring_fds_.push_back(std::move(fd));
        }
    }
}

TestRun ProgramUnderTest::run(std::span<const uint8_t> frame, uint32_t repeat) const {
    // Not LIBBPF_OPTS: its statement expression is not ISO C++.
    bpf_test_run_opts opts{};
    opts.sz = sizeof(opts);
    opts.data_in = frame.data();
    opts.data_size_in = static_cast<uint32_t>(frame.size());
    opts.repeat = repeat;
    auto start = std::chrono::steady_clock::now();
    int err = bpf_prog_test_run_opts(spec_.prog_fd, &opts);
    auto end = std::chrono::steady_clock::now();
    if (err)
        fail("test run of " + spec_.name + " (" + std::to_string(frame.size()) + "-byte frame)",
             err);
    if (opts.retval == XDP_ABORTED)
        throw std::runtime_error(spec_.name + " returned XDP_ABORTED on a " +
                                 std::to_string(frame.size()) + "-byte frame");
    TestRun r;
    r.duration_ns = opts.duration;
    r.retval = opts.retval;
    r.wall_ns = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
    return r;
}

uint64_t ProgramUnderTest::resetState() {
    // Batches of entries, looked up and deleted in one syscall each: a
    // full flow map one key at a time would take longer than the runs.
    constexpr uint32_t kBatch = 4096;
    uint64_t removed = 0;
    for (HashMap &map : hashes_) {
        std::vector<uint8_t> keys(static_cast<size_t>(map.key_size) * kBatch);
        std::vector<uint8_t> values(static_cast<size_t>(map.value_size) * kBatch);
        uint64_t token = 0;
        bool first = true;
        for (;;) {
            uint32_t count = kBatch;
            int err =
                bpf_map_lookup_and_delete_batch(map.fd.get(), first ? nullptr : &token, &token,
                                                keys.data(), values.data(), &count, nullptr);
            first = false;
            removed += count;
            if (err == -ENOENT)
                break;  // the last batch
            if (err)
                fail("emptying map " + map.name + " of " + spec_.name, err);
        }
    }
    drainRings();
    return removed;
}

void ProgramUnderTest::afterRun(uint32_t runs) {
    runs_since_drain_ += runs;
    if (runs_since_drain_ >= spec_.drain_every)
        drainRings();
}

void ProgramUnderTest::drainRings() {
    runs_since_drain_ = 0;
    for (auto &rb : rings_) {
        if (int n = ring_buffer__consume(rb.get()); n < 0)
            fail("consuming a ring buffer of " + spec_.name, n);
    }
}

std::optional<nf_kern_stats> ProgramUnderTest::stats(int cpu) const {
    if (spec_.stats_fd < 0)
        return std::nullopt;
    // A per-CPU lookup fills one value per possible CPU (each rounded up
    // to 8 bytes, which nf_kern_stats is already).
    static_assert(sizeof(nf_kern_stats) % 8 == 0);
    const int cpus = libbpf_num_possible_cpus();
    if (cpus <= 0 || cpu < 0 || cpu >= cpus)
        throw std::runtime_error(spec_.name + ": no statistics for CPU " + std::to_string(cpu));
    std::vector<nf_kern_stats> values(static_cast<size_t>(cpus));
    uint32_t zero = 0;
    if (int err = bpf_map_lookup_elem(spec_.stats_fd, &zero, values.data()))
        fail("reading the statistics of " + spec_.name, err);
    return values[static_cast<size_t>(cpu)];
}

}  // namespace nfbench
