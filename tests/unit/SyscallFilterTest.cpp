// The steady state's seccomp filter (pipeline/SyscallFilter.h), in a forked
// child (a filter cannot be removed): what it denies fails with EPERM,
// threads still start, ordinary calls still work.
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "pipeline/SyscallFilter.h"

namespace {

// In the child: 0 when everything behaves, else the number of the failed check.
int checkUnderFilter() {
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0)
        return 1;
    if (!netflow::installSteadyStateFilter().ok())
        return 2;
    // /bin/false: were it run, the child would exit 1, not 0.
    char *const argv[] = {const_cast<char *>("/bin/false"), nullptr};
    if (::execv("/bin/false", argv) != -1 || errno != EPERM)
        return 3;
    // fork: clone without CLONE_THREAD, which the sanitizer build lets
    // LeakSanitizer's tracer make (SyscallFilter.h).
    if (!netflow::kSanitizerBuild) {
        const pid_t child = ::fork();
        if (child == 0)
            ::_exit(0);
        if (child != -1 || errno != EPERM)
            return 4;
    }
    bpf_attr attr{};
    if (::syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr)) != -1 || errno != EPERM)
        return 5;
    if (::syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr)) != -1 || errno != EPERM)
        return 6;
    if (::setuid(0) != -1 || errno != EPERM)
        return 7;
    bool ran = false;
    std::thread([&] { ran = true; }).join();  // clone3 refused, clone with CLONE_THREAD
    if (!ran)
        return 8;
    if (::getpid() <= 0)
        return 9;
    return 0;
}

TEST(SyscallFilter, DeniesWhatTheSteadyStateNeverDoes) {
    const pid_t child = ::fork();
    ASSERT_NE(child, -1);
    if (child == 0)
        ::_exit(checkUnderFilter());
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "check " << WEXITSTATUS(status) << " failed";
}

}  // namespace
