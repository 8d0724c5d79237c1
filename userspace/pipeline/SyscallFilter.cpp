#include "pipeline/SyscallFilter.h"

#include <linux/bpf.h>
#include <sched.h>
#include <seccomp.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace netflow {
namespace {

struct FilterFree {
    void operator()(void *ctx) const { seccomp_release(static_cast<scmp_filter_ctx>(ctx)); }
};

// System calls no steady state makes (by name: absent ones are skipped).
constexpr const char *kDenied[] = {
    "execve",
    "execveat",
    "fork",
    "vfork",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "pidfd_getfd",
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "setns",
    "unshare",
    "move_mount",
    "fsopen",
    "fsmount",
    "open_tree",
    "swapon",
    "swapoff",
    "reboot",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "userfaultfd",
    "perf_event_open",
    "add_key",
    "request_key",
    "keyctl",
    "personality",
    "open_by_handle_at",
    "name_to_handle_at",
    "acct",
    "quotactl",
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "setgroups",
    "capset",
};

Result<void> failure(const std::string &what, int rc) {
    return Result<void>::failure("seccomp: " + what + ": " + std::strerror(-rc));
}

}  // namespace

Result<void> installSteadyStateFilter() {
    std::unique_ptr<void, FilterFree> ctx(seccomp_init(SCMP_ACT_ALLOW));
    if (!ctx)
        return Result<void>::failure("seccomp: cannot create a filter");
    auto *f = static_cast<scmp_filter_ctx>(ctx.get());
    const uint32_t deny = SCMP_ACT_ERRNO(EPERM);
    for (const char *name : kDenied) {
        if (kSanitizerBuild && std::strcmp(name, "ptrace") == 0)
            continue;
        const int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR)
            continue;  // not on this architecture
        if (int rc = seccomp_rule_add(f, deny, nr, 0); rc < 0)
            return failure(name, rc);
    }
    // Threads only: clone must carry CLONE_THREAD; clone3 (whose flags are
    // behind a pointer) says ENOSYS, and glibc falls back to clone.
    int rc = 0;
    if (!kSanitizerBuild) {
        rc = seccomp_rule_add(f, deny, SCMP_SYS(clone), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
        if (rc < 0)
            return failure("clone", rc);
    }
    if ((rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0)) < 0)
        return failure("clone3", rc);
    // bpf(): the maps and ring buffers are used through open fds; no new
    // program, map, link or BTF object.
    for (const int cmd :
         {BPF_PROG_LOAD, BPF_MAP_CREATE, BPF_BTF_LOAD, BPF_LINK_CREATE, BPF_PROG_ATTACH,
          BPF_RAW_TRACEPOINT_OPEN, BPF_PROG_GET_FD_BY_ID, BPF_MAP_GET_FD_BY_ID}) {
        if ((rc = seccomp_rule_add(f, deny, SCMP_SYS(bpf), 1,
                                   SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(cmd), 0))) < 0)
            return failure("bpf", rc);
    }
    if ((rc = seccomp_attr_set(f, SCMP_FLTATR_CTL_TSYNC, 1)) < 0)
        return failure("thread sync", rc);
    if ((rc = seccomp_load(f)) < 0)
        return failure("cannot load the filter", rc);
    return {};
}

}  // namespace netflow
