// netflow: network flows with NetFlow v9 NF-v1/v2/v3 features and nDPI,
// from a capture file (libpcap) or a live interface (XDP/TC).
#include <csignal>
#include <cstdio>
#include <exception>
#include <variant>

#include "about/About.h"
#include "cli/CommandLine.h"
#include "pipeline/LiveRun.h"
#include "pipeline/OfflineRun.h"
#include "common/StopSignal.h"

int main(int argc, char **argv) {
    using namespace netflow;
    // The stop handlers before anything else: a stop signal is handled
    // (exit 0) from the start, never the default action.
    // (The entry, userspace/launcher/launcher.c, set glibc's allocator up
    // and blocked them until now.)
    installStopHandlers();
    // Reading the command line may load --labels rules for seconds, and
    // creates nothing: a stop ends the run at once.
    auto parsed = [&] {
        StopImmediately reading_the_command_line;
        return parseCommandLine(argc, argv);
    }();
    if (auto *exit = std::get_if<CommandLineExit>(&parsed)) {
        std::fprintf(exit->exit_code == kExitOk ? stdout : stderr, "%s\n", exit->text.c_str());
        return exit->exit_code;
    }
    const Options &options = std::get<Options>(parsed);

    // A closed output pipe (-c - | head -1) is a write error (EPIPE): one
    // line and exit 1, not a silent death by SIGPIPE.
    std::signal(SIGPIPE, SIG_IGN);
    try {
        if (options.about)
            return runAbout(options);
        return options.interface.empty() ? runOffline(options) : runLive(options);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "netflow: error: %s\n", e.what());
        return kExitRuntimeError;
    }
}
