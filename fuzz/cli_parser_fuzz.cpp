// The command-line parser on any argv: the input split at NUL bytes (at
// most 32 arguments). It returns options or one exit text with a CLI.md
// exit code; it never throws, exits or crashes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <variant>
#include <vector>

#include "cli/CommandLine.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::vector<std::string> args{"netflow"};
    std::string current;
    for (size_t i = 0; i < size && args.size() < 33; ++i) {
        if (data[i] == 0) {
            args.push_back(current);
            current.clear();
        } else {
            current += static_cast<char>(data[i]);
        }
    }
    if (!current.empty() && args.size() < 33)
        args.push_back(current);
    std::vector<const char *> argv;
    for (const std::string &a : args)
        argv.push_back(a.c_str());
    argv.push_back(nullptr);

    const auto result = netflow::parseCommandLine(static_cast<int>(args.size()), argv.data());
    if (const auto *exit = std::get_if<netflow::CommandLineExit>(&result)) {
        if (exit->exit_code != netflow::kExitOk && exit->exit_code != netflow::kExitUsage)
            std::abort();
        // A usage error is one line (unless it quotes an argument that
        // holds a line break itself).
        const bool quoted_break = std::any_of(args.begin(), args.end(), [](const std::string &a) {
            return a.find('\n') != std::string::npos;
        });
        if (exit->exit_code == netflow::kExitUsage &&
            (exit->text.empty() || (!quoted_break && exit->text.find('\n') != std::string::npos)))
            std::abort();
    } else {
        const auto &options = std::get<netflow::Options>(result);
        // Exactly one input; --about takes no file and -i only if given.
        if (options.about ? !options.files.empty()
                          : options.interface.empty() == options.files.empty())
            std::abort();
    }
    return 0;
}
