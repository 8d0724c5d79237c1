#include "common/MallocTuning.h"

#include <signal.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>

#include "common/StopSignal.h"

namespace netflow {
namespace {

// The build's own flag (CMakeLists.txt): ASan, TSan and fuzz builds.
#ifdef NETFLOW_SANITIZER_BUILD
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

// "always [madvise] never": huge pages on request are possible unless
// the selected mode is never.
bool hugePagesPossible() {
    std::ifstream in("/sys/kernel/mm/transparent_hugepage/enabled");
    std::string modes;
    return std::getline(in, modes) && modes.find("[never]") == std::string::npos;
}

// No run to speed up: nothing to convert, or help (before a "--").
bool runsNothing(int argc, char **argv) {
    if (argc < 2)
        return true;
    for (int i = 1; i < argc; i++) {
        const std::string_view arg = argv[i];
        if (arg == "--")
            break;
        if (arg == "-h" || arg == "--help" || arg == "--about")
            return true;
    }
    return false;
}

}  // namespace

void tuneMallocByReexec(int argc, char **argv) {
    if (kSanitized || runsNothing(argc, argv) || std::getenv("GLIBC_TUNABLES") != nullptr ||
        getauxval(AT_SECURE) != 0 || !hugePagesPossible())
        return;
    // The file itself, by the path it was started from (executing
    // /proc/self/exe would rename the process "exe" for ps and pgrep).
    char path[PATH_MAX];
    const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0)
        return;
    path[n] = '\0';
    if (::setenv("GLIBC_TUNABLES", kMallocTunables, 1) != 0)
        return;
    // A stop signal waits (blocked: the mask survives exec) until the new
    // program has its handlers (installStopHandlers unblocks it); exec
    // resets handlers, and until then the default action would end the run
    // by the signal.
    const sigset_t before = blockStopSignals();
    if (!stopRequested())  // else this process stops as asked, not re-executed
        ::execv(path, argv);
    // Not re-executed (a stop came, or exec failed: the file replaced or
    // deleted since): the run goes on with the allocator as it is.
    ::sigprocmask(SIG_SETMASK, &before, nullptr);
    ::unsetenv("GLIBC_TUNABLES");
}

}  // namespace netflow
