#include "kernel/FilterSplice.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <unistd.h>

#include <map>
#include <mutex>
#include <sstream>

#include "filter/FilterError.h"
#include "kernel/KernelError.h"

namespace netflow {

struct FilterSplice::Armed {
    bpf_object *object;
    std::string function;
    std::vector<bpf_insn> filter;
    // The records handed to the kernel instead of libbpf's: they must live
    // until the load is done.
    std::vector<uint8_t> func_info;
    std::vector<uint8_t> line_info;
    bool spliced = false;
    std::string error;
};

namespace {

std::mutex registry_mutex;
std::map<const bpf_program *, FilterSplice::Armed *> registry;

uint32_t &recordInsnOff(std::vector<uint8_t> &records, size_t rec_size, size_t i) {
    // insn_off is the first field of both bpf_func_info and bpf_line_info.
    return *reinterpret_cast<uint32_t *>(records.data() + i * rec_size);
}

// Where the function starts and ends in the program (the next function's
// start, or the end), by its BTF function record.
bool findFunction(const FilterSplice::Armed &a, const bpf_prog_load_opts &opts, size_t insn_cnt,
                  size_t &start, size_t &end) {
    const btf *types = bpf_object__btf(a.object);
    if (!types || !opts.func_info || !opts.func_info_rec_size)
        return false;
    const auto *records = static_cast<const uint8_t *>(opts.func_info);
    bool found = false;
    end = insn_cnt;
    for (uint32_t i = 0; i < opts.func_info_cnt; ++i) {
        bpf_func_info rec;
        std::memcpy(&rec, records + i * opts.func_info_rec_size, sizeof(rec));
        const btf_type *t = btf__type_by_id(types, rec.type_id);
        const char *name = t ? btf__name_by_offset(types, t->name_off) : nullptr;
        if (name && a.function == name) {
            start = rec.insn_off;
            found = true;
        }
    }
    if (!found)
        return false;
    for (uint32_t i = 0; i < opts.func_info_cnt; ++i) {
        bpf_func_info rec;
        std::memcpy(&rec, records + i * opts.func_info_rec_size, sizeof(rec));
        if (rec.insn_off > start && rec.insn_off < end)
            end = rec.insn_off;
    }
    return start < end && end <= insn_cnt;
}

// The body of [start, end) replaced by the filter; everything that points
// across it moved by the change in length.
int splice(bpf_program *prog, bpf_prog_load_opts *opts, FilterSplice::Armed &a) {
    const bpf_insn *old = bpf_program__insns(prog);
    const size_t count = bpf_program__insn_cnt(prog);
    size_t start = 0, end = 0;
    if (!findFunction(a, *opts, count, start, end)) {
        a.error = "the program has no function " + a.function;
        return -ENOENT;
    }
    const long delta = static_cast<long>(a.filter.size()) - static_cast<long>(end - start);
    auto moved = [&](size_t at) { return at >= end ? at + delta : at; };

    std::vector<bpf_insn> out(old, old + start);
    out.insert(out.end(), a.filter.begin(), a.filter.end());
    out.insert(out.end(), old + end, old + count);
    // bpf-to-bpf calls and callback references (ld_imm64 of a function):
    // relative to the instruction after them.
    for (size_t i = 0; i < count; ++i) {
        if (i >= start && i < end)
            continue;
        const bpf_insn &in = old[i];
        const bool call = in.code == (BPF_JMP | BPF_CALL) && in.src_reg == BPF_PSEUDO_CALL;
        const bool func_ref =
            in.code == (BPF_LD | BPF_IMM | BPF_DW) && in.src_reg == BPF_PSEUDO_FUNC;
        if (!call && !func_ref)
            continue;
        const size_t target = i + 1 + in.imm;
        out[moved(i)].imm = static_cast<int32_t>(static_cast<long>(moved(target)) -
                                                 static_cast<long>(moved(i)) - 1);
    }

    a.func_info.assign(static_cast<const uint8_t *>(opts->func_info),
                       static_cast<const uint8_t *>(opts->func_info) +
                           size_t{opts->func_info_cnt} * opts->func_info_rec_size);
    for (uint32_t i = 0; i < opts->func_info_cnt; ++i) {
        uint32_t &off = recordInsnOff(a.func_info, opts->func_info_rec_size, i);
        off = static_cast<uint32_t>(moved(off));
    }
    opts->func_info = a.func_info.data();

    // Source lines: those of the old body go, but the one at its start,
    // which the kernel wants at every function's start.
    if (opts->line_info && opts->line_info_cnt) {
        const auto *lines = static_cast<const uint8_t *>(opts->line_info);
        const size_t rec = opts->line_info_rec_size;
        a.line_info.clear();
        uint32_t kept = 0;
        for (uint32_t i = 0; i < opts->line_info_cnt; ++i) {
            uint32_t off;
            std::memcpy(&off, lines + i * rec, sizeof(off));
            if (off > start && off < end)
                continue;
            a.line_info.insert(a.line_info.end(), lines + i * rec, lines + (i + 1) * rec);
            recordInsnOff(a.line_info, rec, kept) = static_cast<uint32_t>(moved(off));
            ++kept;
        }
        opts->line_info = a.line_info.data();
        opts->line_info_cnt = kept;
    }

    if (int err = bpf_program__set_insns(prog, out.data(), out.size())) {
        a.error = errnoMessage("replacing the program's instructions", err);
        return err;
    }
    a.spliced = true;
    return 0;
}

int prepareLoad(bpf_program *prog, bpf_prog_load_opts *opts, long) {
    std::lock_guard<std::mutex> lock(registry_mutex);
    auto it = registry.find(prog);
    if (it == registry.end())
        return 0;  // not armed: loaded as libbpf's own handler would
    return splice(prog, opts, *it->second);
}

int registerHandler(const char *sec, bpf_prog_type type, bpf_attach_type attach) {
    libbpf_prog_handler_opts opts{};
    opts.sz = sizeof(opts);
    opts.prog_prepare_load_fn = prepareLoad;
    return libbpf_register_prog_handler(sec, type, attach, &opts);
}

// The verifier's reason: the last line before its statistics
// ("processed N insns ..."), which is where it says what it refused.
std::string verifierReason(const std::string &log) {
    std::istringstream lines(log);
    std::string line, reason;
    while (std::getline(lines, line)) {
        if (line.rfind("processed ", 0) == 0 || line.rfind("verification time", 0) == 0)
            break;
        if (!line.empty())
            reason = line;
    }
    return reason.empty() ? "no reason given" : reason;
}

}  // namespace

void installSpliceHandlers() {
    static std::once_flag once;
    static int error = 0;
    std::call_once(once, [] {
        // The same program types and attach types as libbpf's own
        // SEC("xdp") and SEC("tc"), whose preparation does nothing a
        // current kernel needs.
        int xdp = registerHandler("xdp", BPF_PROG_TYPE_XDP, BPF_XDP);
        int tc = registerHandler("tc", BPF_PROG_TYPE_SCHED_CLS, static_cast<bpf_attach_type>(0));
        error = xdp < 0 ? xdp : tc < 0 ? tc : 0;
    });
    if (error)
        throw KernelError(errnoMessage("registering libbpf section handlers", error));
}

void verifyFilter(std::span<const EbpfInsn> filter, FilterHook hook) {
    static_assert(sizeof(EbpfInsn) == sizeof(bpf_insn));
    const auto *insns = reinterpret_cast<const bpf_insn *>(filter.data());
    const bpf_prog_type type =
        hook == FilterHook::Xdp ? BPF_PROG_TYPE_XDP : BPF_PROG_TYPE_SCHED_CLS;
    std::vector<char> log(1 << 20);
    // Not LIBBPF_OPTS: its statement expression is not ISO C++.
    bpf_prog_load_opts opts{};
    opts.sz = sizeof(opts);
    opts.log_buf = log.data();
    opts.log_size = static_cast<uint32_t>(log.size());
    opts.log_level = 1;
    const int fd = bpf_prog_load(type, "nf_filter", "Dual BSD/GPL", insns, filter.size(), &opts);
    if (fd >= 0) {
        close(fd);
        return;
    }
    const int err = -errno;
    if (err != -EACCES && err != -EINVAL)
        throw KernelError(errnoMessage("loading the filter", err));
    throw FilterError("the kernel refuses the filter: " + verifierReason(log.data()));
}

FilterSplice::FilterSplice(bpf_object *object, bpf_program *program, std::string function,
                           std::vector<EbpfInsn> filter)
    : armed_(std::make_unique<Armed>()) {
    armed_->object = object;
    armed_->function = std::move(function);
    armed_->filter.resize(filter.size());
    std::memcpy(armed_->filter.data(), filter.data(), filter.size() * sizeof(bpf_insn));
    std::lock_guard<std::mutex> lock(registry_mutex);
    registry[program] = armed_.get();
    key_ = program;
}

FilterSplice::~FilterSplice() {
    std::lock_guard<std::mutex> lock(registry_mutex);
    registry.erase(key_);
}

std::string FilterSplice::error() const {
    std::lock_guard<std::mutex> lock(registry_mutex);
    if (armed_->spliced)
        return {};
    return armed_->error.empty() ? "the program was not loaded through the splice handler"
                                 : armed_->error;
}

}  // namespace netflow
