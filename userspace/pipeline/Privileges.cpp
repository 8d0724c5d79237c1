#include "pipeline/Privileges.h"

#include <grp.h>
#include <pwd.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "kernel/KernelSession.h"
#include "pipeline/SyscallFilter.h"

namespace netflow {
namespace {

struct CapFree {
    void operator()(cap_t caps) const { cap_free(caps); }
};
using Caps = std::unique_ptr<std::remove_pointer_t<cap_t>, CapFree>;

Result<void> errnoFailure(const std::string &what) {
    return Result<void>::failure(what + ": " + std::strerror(errno));
}

bool kept(const std::vector<int> &keep, cap_value_t cap) {
    return std::find(keep.begin(), keep.end(), static_cast<int>(cap)) != keep.end();
}

bool holdsEffective(cap_value_t cap) {
    Caps caps(cap_get_proc());
    cap_flag_value_t value = CAP_CLEAR;
    return caps && cap_get_flag(caps.get(), cap, CAP_EFFECTIVE, &value) == 0 && value == CAP_SET;
}

Result<void> switchUser(const std::string &name) {
    errno = 0;
    const passwd *pw = ::getpwnam(name.c_str());
    if (!pw)
        return Result<void>::failure("--user " + name + ": " +
                                     (errno ? std::strerror(errno) : "no such user"));
    const uid_t uid = pw->pw_uid;
    const gid_t gid = pw->pw_gid;
    // Across setuid the permitted set would be cleared: keep it, then trim.
    if (::prctl(PR_SET_KEEPCAPS, 1L, 0L, 0L, 0L) != 0)
        return errnoFailure("prctl(PR_SET_KEEPCAPS)");
    if (::setgroups(1, &gid) != 0)
        return errnoFailure("--user " + name + ": setgroups");
    if (::setresgid(gid, gid, gid) != 0)
        return errnoFailure("--user " + name + ": setresgid");
    if (::setresuid(uid, uid, uid) != 0)
        return errnoFailure("--user " + name + ": setresuid");
    if (::prctl(PR_SET_KEEPCAPS, 0L, 0L, 0L, 0L) != 0)
        return errnoFailure("prctl(PR_SET_KEEPCAPS)");
    return {};
}

}  // namespace

Result<void> dropPrivileges(const std::string &user, const std::vector<int> &keep) {
    // The bounding set first: dropping from it needs CAP_SETPCAP, which goes
    // below. Kernels older than this libcap may know fewer capabilities.
    // Without CAP_SETPCAP (a service given a few ambient capabilities, its
    // bounding set already cut by systemd) it stays: with every other set
    // empty and no_new_privs, nothing can be gained back through it.
    if (CAP_IS_SUPPORTED(CAP_SETPCAP) && holdsEffective(CAP_SETPCAP)) {
        for (cap_value_t cap = 0; CAP_IS_SUPPORTED(cap); ++cap) {
            if (!kept(keep, cap) && cap_drop_bound(cap) != 0 && errno != EINVAL)
                return errnoFailure("cannot drop capability " + std::to_string(cap));
        }
    }
    if (!user.empty()) {
        if (Result<void> switched = switchUser(user); !switched)
            return switched;
    }
    Caps caps(cap_init());  // all sets empty
    if (!caps)
        return errnoFailure("cap_init");
    std::vector<cap_value_t> values(keep.begin(), keep.end());
    if (!values.empty() && (cap_set_flag(caps.get(), CAP_PERMITTED, static_cast<int>(values.size()),
                                         values.data(), CAP_SET) != 0 ||
                            cap_set_flag(caps.get(), CAP_EFFECTIVE, static_cast<int>(values.size()),
                                         values.data(), CAP_SET) != 0))
        return errnoFailure("cap_set_flag");
    if (cap_set_proc(caps.get()) != 0)
        return errnoFailure("cannot drop capabilities");
    if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient() != 0)
        return errnoFailure("cannot clear the ambient capabilities");
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0)
        return errnoFailure("prctl(PR_SET_NO_NEW_PRIVS)");
    // A --user switch made the process undumpable; LeakSanitizer's tracer
    // needs it dumpable (SyscallFilter.h).
    if (kSanitizerBuild && ::prctl(PR_SET_DUMPABLE, 1L, 0L, 0L, 0L) != 0)
        return errnoFailure("prctl(PR_SET_DUMPABLE)");
    return installSteadyStateFilter();
}

bool worksWithoutCapabilities(const std::function<bool()> &works) {
    Caps saved(cap_get_proc());
    Caps none(cap_get_proc());
    if (!saved || !none || cap_clear_flag(none.get(), CAP_EFFECTIVE) != 0 ||
        cap_set_proc(none.get()) != 0)
        return works();
    const bool ok = works();
    cap_set_proc(saved.get());
    return ok;
}

Result<void> dropKernelRunPrivileges(const std::string &user, const KernelSession &session) {
    std::vector<int> keep;
    if (session.detachNeedsNetAdmin())
        keep.push_back(CAP_NET_ADMIN);
    if (!worksWithoutCapabilities([&] { return session.stats().ok(); }))
        keep.push_back(CAP_BPF);
    return dropPrivileges(user, keep);
}

}  // namespace netflow
