// netflow's entry point: sets glibc's allocator up for 2 MB pages, then
// runs the program itself (userspace/main.cpp) in this process.
//
// A conversion allocates its memory from the heap in small pieces (flow
// records, nDPI's flow state, its automata at start-up); glibc grows the
// heap a little at a time and each fresh 4 KB page costs a fault, ~5-7 us
// on the paravirtualised machines this often runs on. glibc can grow its
// heaps 64 MB at a time on transparent huge pages (glibc.malloc.top_pad,
// glibc.malloc.hugetlb=1: madvise(MADV_HUGEPAGE) on what it maps, the
// threads' arenas included), but reads those settings only from the
// environment as a program starts (docs/decisions.md, "The allocator on
// 2 MB pages": -15% wall time for the benchmark capture). The program
// used to re-execute itself with them set, which loaded its ~50 shared
// libraries twice (~20 ms a run); this entry links libc alone, sets the
// variable and executes the program once.
//
// The program is found next to this file: libexec/netflow/netflow in the
// build tree, ../libexec/netflow/netflow once installed (/usr/sbin and
// /usr/libexec). GLIBC_TUNABLES is left as it is when already set (the
// user's choice; an empty value turns the tuning off), and not set under
// AT_SECURE (glibc would ignore it), when transparent huge pages are
// `never`, in a sanitizer build (its own allocator) or for a command line
// that runs nothing (no argument, -h, --help, --about before a "--").
// SIGINT and SIGTERM are blocked until the program's handlers are in
// (installStopHandlers unblocks them): a stop that comes meanwhile ends
// the run as the program's handler says, never by the default action.
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

static const char kMallocTunables[] = "glibc.malloc.hugetlb=1:glibc.malloc.top_pad=67108864";

// Relative to this file's directory, in order.
static const char *const kProgram[] = {"/libexec/netflow/netflow", "/../libexec/netflow/netflow"};

#ifdef NETFLOW_SANITIZER_BUILD
static const int kSanitized = 1;
#else
static const int kSanitized = 0;
#endif

// "always [madvise] never": huge pages on request unless the mode is never.
static int hugePagesPossible(void) {
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");
    if (!f)
        return 0;
    char modes[128] = "";
    const int ok = fgets(modes, sizeof modes, f) != NULL && strstr(modes, "[never]") == NULL;
    fclose(f);
    return ok;
}

static int runsNothing(int argc, char **argv) {
    if (argc < 2)
        return 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0)
            break;
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0 ||
            strcmp(argv[i], "--about") == 0)
            return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    sigset_t stops;
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    sigprocmask(SIG_BLOCK, &stops, NULL);

    if (!kSanitized && !runsNothing(argc, argv) && getenv("GLIBC_TUNABLES") == NULL &&
        getauxval(AT_SECURE) == 0 && hugePagesPossible())
        setenv("GLIBC_TUNABLES", kMallocTunables, 1);

    char self[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        fprintf(stderr, "netflow: cannot find the program: /proc/self/exe: %s\n", strerror(errno));
        return 1;
    }
    self[n] = '\0';
    *strrchr(self, '/') = '\0';  // an absolute path: a '/' is in it
    char program[PATH_MAX + 64];
    for (size_t i = 0; i < sizeof kProgram / sizeof kProgram[0]; i++) {
        snprintf(program, sizeof program, "%s%s", self, kProgram[i]);
        if (access(program, X_OK) == 0)
            break;
    }
    // Its own name stays netflow (ps, pgrep): the program's file is named so.
    execv(program, argv);
    fprintf(stderr, "netflow: cannot run %s: %s\n", program, strerror(errno));
    return 1;
}
